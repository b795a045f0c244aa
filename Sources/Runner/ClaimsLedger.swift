import Experiments
import Foundation
import Support

/// The claims ledger: every testable claim of the audit, section by section, and the experiment
/// claims that test it, read from `experiments/claims-ledger.toml`.
///
/// ```toml
/// [[sections]]
/// title = "[2] The competitors: simple binning"
///
/// [[sections.claims]]
/// claim = "Min-max bins waste precision when the fitting data has outliers."   # the project's words
/// tests = ["data/outlier-sensitivity#minmax-loses-precision"]                 # <chapter>/<experiment>#<claim-id>
///
/// [[sections.claims]]
/// claim = "..."
/// untested = "why, and which chapter will test it"
/// ```
///
/// Loading checks the ledger against every experiment file on disk (`experiments/<chapter>/*.toml`,
/// including files pre-registered for chapters without code): a test naming a claim that no
/// experiment file has is an error naming the ledger's key, and so is an experiment claim that
/// the ledger lists nowhere.
public struct ClaimsLedger: Sendable {
    /// The ledger's path relative to the package root.
    public static let path = WorkbenchPaths.claimsLedgerFile

    /// A reference to one experiment claim, `<chapter>/<experiment>#<claim-id>`.
    public struct TestReference: Hashable, Sendable, CustomStringConvertible {
        public let chapter: String
        public let experiment: String
        public let claim: String

        /// `chapter/experiment`, the results id.
        public var experimentID: String { "\(chapter)/\(experiment)" }
        /// The experiment file's path relative to the root.
        public var filePath: String { WorkbenchPaths.experimentFile(chapter: chapter, name: experiment) }
        public var description: String { "\(experimentID)#\(claim)" }

        /// Parses `<chapter>/<experiment>#<claim-id>`; `nil` when it is not of that form.
        public init?(_ text: String) {
            let parts = text.split(separator: "#", omittingEmptySubsequences: false)
            guard parts.count == 2 else { return nil }
            let ids = parts[0].split(separator: "/", omittingEmptySubsequences: false)
            guard ids.count == 2, [String(ids[0]), String(ids[1]), String(parts[1])].allSatisfy(ExperimentFile.isSlug) else { return nil }
            chapter = String(ids[0]); experiment = String(ids[1]); claim = String(parts[1])
        }
    }

    /// One claim of the audit, in the project's words.
    public struct Entry: Sendable {
        /// The audit's claim, paraphrased.
        public let claim: String
        /// The experiment claims that test it (empty when untested).
        public let tests: [TestReference]
        /// Why no experiment tests it yet, and which chapter will (nil when tested).
        public let untested: String?
    }

    /// A section of the audit and its claims.
    public struct Section: Sendable {
        public let title: String
        public let entries: [Entry]
    }

    public let sections: [Section]
    /// Every experiment file on disk, by `chapter/name`, with its claim ids in file order.
    public let experimentClaims: [String: [String]]

    /// Every test reference in ledger order, without repeats.
    public var references: [TestReference] {
        var seen = Set<TestReference>()
        return sections.flatMap { $0.entries.flatMap(\.tests) }.filter { seen.insert($0).inserted }
    }

    /// Loads `root/experiments/claims-ledger.toml` and checks it against every experiment file.
    public static func load(root: URL) throws -> ClaimsLedger {
        guard let text = try? String(contentsOf: root.appendingPathComponent(path), encoding: .utf8) else {
            throw ConfigError(location: path, key: "", problem: "the claims ledger is missing or unreadable (expected at \(root.appendingPathComponent(path).path))")
        }
        return try ClaimsLedger(text: text, experimentClaims: try experimentClaims(root: root))
    }

    /// The claim ids of every `experiments/<chapter>/<name>.toml` under `root`, by `chapter/name`.
    public static func experimentClaims(root: URL) throws -> [String: [String]] {
        let fm = FileManager.default
        let folder = root.appendingPathComponent(WorkbenchPaths.experimentsFolder)
        var result: [String: [String]] = [:]
        for chapter in try fm.contentsOfDirectory(atPath: folder.path).sorted() where !chapter.hasPrefix(".") {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: folder.appendingPathComponent(chapter).path, isDirectory: &isDir), isDir.boolValue else { continue }
            for name in try fm.contentsOfDirectory(atPath: folder.appendingPathComponent(chapter).path).sorted() where name.hasSuffix(".toml") {
                let file = try ExperimentFile(root: root, path: "\(WorkbenchPaths.experimentsFolder)/\(chapter)/\(name)")
                result[file.id] = file.claims.map(\.id)
            }
        }
        return result
    }

    /// Parses ledger `text` and checks it against `experimentClaims` (claim ids by `chapter/name`).
    public init(text: String, experimentClaims: [String: [String]]) throws {
        let path = Self.path
        let root = try ExperimentFile.readTOML(text, path: path)
        guard case .array(let sectionValues)? = root.value("sections"), !sectionValues.isEmpty else {
            throw ConfigError(location: path, key: "sections", problem: "missing; expected [[sections]] tables with a title and [[sections.claims]]")
        }
        try root.finish()
        var listed = Set<TestReference>()
        sections = try sectionValues.enumerated().map { i, value in
            let s = try ParameterReader(value, location: "\(path): sections[\(i)]")
            let title = try s.string("title")
            guard case .array(let entryValues)? = s.value("claims"), !entryValues.isEmpty else {
                throw ConfigError(location: s.location, key: "claims", problem: "missing; expected at least one [[sections.claims]] table")
            }
            try s.finish()
            let entries = try entryValues.enumerated().map { j, value in
                let e = try ParameterReader(value, location: "\(path): sections[\(i)] (\(title)).claims[\(j)]")
                let claim = try e.string("claim")
                let tests = try e.strings("tests", default: [])
                let untested = e.value("untested") == nil ? nil : try e.string("untested")
                try e.finish()
                guard tests.isEmpty != (untested == nil) else {
                    throw ConfigError(location: e.location, key: tests.isEmpty ? "tests" : "untested",
                                      problem: "expected exactly one of `tests = [\"<chapter>/<experiment>#<claim-id>\", ...]` or `untested = \"why\"`")
                }
                let references = try tests.map { text -> TestReference in
                    guard let r = TestReference(text) else {
                        throw ConfigError(location: e.location, key: "tests", problem: "\"\(text)\" is not of the form <chapter>/<experiment>#<claim-id>")
                    }
                    guard let ids = experimentClaims[r.experimentID] else {
                        throw ConfigError(location: e.location, key: "tests", problem: "\"\(text)\" names \(r.filePath), which does not exist")
                    }
                    guard ids.contains(r.claim) else {
                        throw ConfigError(location: e.location, key: "tests", problem: "\"\(text)\": \(r.filePath) has no claim '\(r.claim)' (its claims: \(ids.joined(separator: ", ")))")
                    }
                    return r
                }
                listed.formUnion(references)
                return Entry(claim: claim, tests: references, untested: untested)
            }
            return Section(title: title, entries: entries)
        }
        for id in experimentClaims.keys.sorted() {
            for claim in experimentClaims[id]! {
                let r = TestReference("\(id)#\(claim)")!
                guard listed.contains(r) else {
                    throw ConfigError(location: path, key: "tests", problem: "claim '\(claim)' of \(r.filePath) is listed nowhere; add \"\(r)\" to the tests of the audit claim it tests")
                }
            }
        }
        self.experimentClaims = experimentClaims
    }
}
