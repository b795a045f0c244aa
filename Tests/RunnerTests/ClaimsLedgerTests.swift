import Foundation
import Literate
import Support
import XCTest
@testable import Experiments
@testable import Runner

/// The claims ledger: complete against the experiment files, strict about ids, checked for staleness.
final class ClaimsLedgerTests: XCTestCase {
    static let repository = PackageRoot.find(from: URL(fileURLWithPath: #filePath).deletingLastPathComponent())!

    let claims = ["data/outlier-sensitivity": ["minmax-loses-precision", "openvla-keeps-precision"]]

    func ledger(_ entries: String) -> String {
        "[[sections]]\ntitle = \"[2] Binning\"\n\n" + entries
    }

    /// The committed ledger lists every claim of every experiment file on disk, and names nothing else.
    func testLedgerListsEveryClaimInEveryExperimentFile() throws {
        let ledger = try ClaimsLedger.load(root: Self.repository)
        let onDisk = Set(ledger.experimentClaims.flatMap { id, claims in claims.map { "\(id)#\($0)" } })
        XCTAssertFalse(onDisk.isEmpty)
        XCTAssertEqual(Set(ledger.references.map(\.description)), onDisk)
        let untested = ledger.sections.flatMap(\.entries).filter { $0.tests.isEmpty }.map(\.claim).joined(separator: "\n")
        for topic in ["least-used language tokens", "Residual VQ and FAST do not differ much"] {
            XCTAssertTrue(untested.contains(topic), "the ledger lists no untested claim about \(topic)")
        }
        let tested = ledger.sections.flatMap(\.entries).filter { !$0.tests.isEmpty }.map(\.claim).joined(separator: "\n")
        for topic in ["Literal actuator awareness", "dexterous manipulation", "pi0-FAST", "The bottom line", "good enough now",
                      "FAST+ universality", "Compute scaling", "For hyperscaling", "simulated data for the primary layer"] {
            XCTAssertTrue(tested.contains(topic), "the ledger lists no tested claim about \(topic)")
        }
    }

    func testUnknownClaimIdIsAnErrorNamingTheFileAndKey() {
        let text = ledger("""
        [[sections.claims]]
        claim = "Outliers hurt min-max bins."
        tests = ["data/outlier-sensitivity#minmax-loses-precision", "data/outlier-sensitivity#no-such-claim"]
        [[sections.claims]]
        claim = "Quantiles help."
        tests = ["data/outlier-sensitivity#openvla-keeps-precision"]
        """)
        XCTAssertThrowsError(try ClaimsLedger(text: text, experimentClaims: claims)) {
            let message = "\($0)"
            for part in ["experiments/claims-ledger.toml", "sections[0]", "claims[0]", "key 'tests'", "no-such-claim", "experiments/data/outlier-sensitivity.toml"] {
                XCTAssertTrue(message.contains(part), "\(part) missing from: \(message)")
            }
        }
        XCTAssertThrowsError(try ClaimsLedger(text: ledger("[[sections.claims]]\nclaim = \"x\"\ntests = [\"data/nowhere#a\"]\n"), experimentClaims: claims)) {
            XCTAssertTrue("\($0)".contains("experiments/data/nowhere.toml, which does not exist"), "\($0)")
        }
        XCTAssertThrowsError(try ClaimsLedger(text: ledger("[[sections.claims]]\nclaim = \"x\"\ntests = [\"data-outlier\"]\n"), experimentClaims: claims)) {
            XCTAssertTrue("\($0)".contains("<chapter>/<experiment>#<claim-id>"), "\($0)")
        }
    }

    func testExperimentClaimListedNowhereIsAnError() {
        let text = ledger("""
        [[sections.claims]]
        claim = "Outliers hurt min-max bins."
        tests = ["data/outlier-sensitivity#minmax-loses-precision"]
        [[sections.claims]]
        claim = "Latency."
        untested = "no policy yet"
        """)
        XCTAssertThrowsError(try ClaimsLedger(text: text, experimentClaims: claims)) {
            let message = "\($0)"
            XCTAssertTrue(message.contains("experiments/claims-ledger.toml: key 'tests'"), message)
            XCTAssertTrue(message.contains("'openvla-keeps-precision' of experiments/data/outlier-sensitivity.toml is listed nowhere"), message)
        }
    }

    func testEntryNeedsExactlyOneOfTestsAndUntested() {
        for body in ["claim = \"x\"\n", "claim = \"x\"\ntests = [\"data/outlier-sensitivity#minmax-loses-precision\"]\nuntested = \"y\"\n"] {
            XCTAssertThrowsError(try ClaimsLedger(text: ledger("[[sections.claims]]\n" + body), experimentClaims: [:])) {
                XCTAssertTrue("\($0)".contains("expected exactly one of"), "\($0)")
            }
        }
        XCTAssertThrowsError(try ClaimsLedger(text: ledger("[[sections.claims]]\nclaim = \"x\"\nuntested = \"y\"\nnote = 1\n"), experimentClaims: [:])) {
            XCTAssertTrue("\($0)".contains("key 'note': unknown key"), "\($0)")
        }
    }

    /// The reader takes the original fields and the later ones (scale, seeds_holding, null interval).
    func testResultsFileReadsOldAndNewClaimFields() throws {
        let json = """
        {"experiment": "evaluation/scorecard", "profile": "quick", "seeds": [1, 2, 3],
         "metrics": [{"condition": {"tokenizer": "fast"}, "metric": "mse", "unit": "", "per_seed": [1.0, 2.0, 3.0], "mean": 2.0}],
         "claims": [
          {"id": "old", "statement": "s", "rule": {"statistic": "x", "select": {}, "reduce": "min", "compare": ">", "threshold": 2.0},
           "per_seed": [1.0, 3.0, 4.0], "mean": 2.67, "std": 1.5, "ci95": [0.0, 6.0], "verdict": "inconclusive"},
          {"id": "new", "statement": "s", "rule": {"statistic": "class_index", "select": {}, "reduce": "mean", "compare": "<=", "threshold": 1.0, "scale": "ordinal"},
           "scale": "ordinal", "seeds_holding": 2, "per_seed": [1.0, 1.0, 3.0], "mean": 1.0, "std": 1.15, "ci95": null, "verdict": "inconclusive"}],
         "provenance": {"git_commit": "abc", "code_sha256": "def"}}
        """
        let r = try ResultsFile(data: Data(json.utf8), path: "output/evaluation/scorecard/results.json")
        XCTAssertEqual(r.claims.map(\.scale), [.linear, .ordinal])
        XCTAssertEqual(r.claims[0].seedsHolding, 2, "counted from the seeds when the field is absent")
        XCTAssertEqual(r.claims[1].seedsHolding, 2)
        XCTAssertEqual(Format.interval(r.claims[1].summary), "1 (seeds: 1, 1, 3)")
        XCTAssertEqual(r.metrics.map(\.key), ["mse (tokenizer=fast)"])
        XCTAssertThrowsError(try ResultsFile(data: Data(json.replacingOccurrences(of: "\"scale\": \"ordinal\", \"seeds", with: "\"scale\": \"cubic\", \"seeds").utf8), path: "r.json")) {
            XCTAssertTrue("\($0)".contains("r.json: claims[1]: key 'scale'"), "\($0)")
        }
    }

    /// `workbench check` fails when a results.json the ledger quotes changed, or the table was edited by hand.
    func testCheckFailsWhenClaimsChapterIsStaleOrHandEdited() throws {
        let fm = FileManager.default
        let root = fm.temporaryDirectory.appendingPathComponent("ledger-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: root) }
        try fm.createDirectory(at: root, withIntermediateDirectories: true)
        for folder in ["experiments", "chapters", "output"] {
            try fm.copyItem(at: Self.repository.appendingPathComponent(folder), to: root.appendingPathComponent(folder))
        }
        try fm.createSymbolicLink(at: root.appendingPathComponent("Sources"), withDestinationURL: Self.repository.appendingPathComponent("Sources"))
        func claimsProblems() -> [LiterateProblem] {
            ClaimsLedger.checkChapters(root: root).filter { $0.file == ClaimsLedger.chapterPath || $0.file.hasPrefix("output/claims") }
        }
        _ = try ClaimsLedger.write(root: root)
        XCTAssertEqual(claimsProblems().map(\.description), [])
        XCTAssertFalse(try ClaimsLedger.write(root: root).chapterChanged, "writing twice changes nothing")

        // A chapter rerun changed a verdict; the ledger was not regenerated.
        let results = root.appendingPathComponent("output/data/outlier-sensitivity/results.json")
        var file = try ResultsFile(data: Data(contentsOf: results), path: "results.json")
        XCTAssertTrue(file.claims.contains { $0.verdict == "inconclusive" }, "the test needs an inconclusive verdict to change")
        for i in file.claims.indices where file.claims[i].verdict == "inconclusive" { file.claims[i].verdict = "supported" }
        try file.encoded().write(to: results)
        let stale = claimsProblems()
        XCTAssertTrue(stale.contains { $0.kind == .stale && $0.file == "chapters/claims.md" && $0.message.contains("swift run workbench claims") }, "\(stale)")
        _ = try ClaimsLedger.write(root: root)
        XCTAssertEqual(claimsProblems().map(\.description), [])

        // Someone edited a verdict in the generated table.
        let chapter = root.appendingPathComponent(ClaimsLedger.chapterPath)
        let text = try String(contentsOf: chapter, encoding: .utf8)
        try text.replacingOccurrences(of: "❌ **not supported**", with: "✅ **supported**").write(to: chapter, atomically: true, encoding: .utf8)
        XCTAssertTrue(claimsProblems().contains { $0.kind == .handEdited }, "\(claimsProblems())")

        // An unknown id in the ledger makes the check fail with the ledger's message.
        try text.write(to: chapter, atomically: true, encoding: .utf8)
        let ledgerFile = root.appendingPathComponent(ClaimsLedger.path)
        let ledgerText = try String(contentsOf: ledgerFile, encoding: .utf8)
        try ledgerText.replacingOccurrences(of: "#minmax-wastes-bins\"", with: "#minmax-wastes-binz\"").write(to: ledgerFile, atomically: true, encoding: .utf8)
        XCTAssertTrue(claimsProblems().contains { $0.message.contains("minmax-wastes-binz") && $0.message.contains("key 'tests'") }, "\(claimsProblems())")
        XCTAssertThrowsError(try ClaimsLedger.write(root: root))
    }

    /// The committed claims chapter matches the ledger and the committed results now.
    func testCommittedClaimsChapterIsUpToDate() {
        XCTAssertEqual(ClaimsLedger.checkChapters(root: Self.repository).map(\.description), [],
                       "run `swift run workbench claims` and commit chapters/claims.md")
    }
}
