import Foundation
import Metrics
import Support
import XCTest
@testable import Chapters
@testable import Experiments
@testable import Runner

/// `workbench verify`: reruns in a scratch copy, reports every verdict, never touches the root's files.
final class VerifyTests: XCTestCase {
    /// SHA-256 of every file's path and contents under `folders` of `root`.
    func fingerprint(_ root: URL, _ folders: [String]) -> String {
        folders.map { ChapterRunner.contentHash(root.appendingPathComponent($0)) }.joined(separator: ",")
    }

    /// Against committed quick results, a smoke verify makes its own reference; every verdict holds
    /// and the real output/ and chapters/ are untouched.
    func testSmokeVerifyOfDataHoldsAndLeavesTheRepositoryAlone() throws {
        let root = ScratchWorkbench.repository
        let before = fingerprint(root, ["output", "chapters"])
        let report = try ChapterVerifier(chapter: .data, paths: WorkbenchPaths(root: root),
                                         options: RunOptions(profile: .smoke, quiet: true)).run()
        guard case .freshRun(let reason) = report.basis else {
            return XCTFail("committed results are quick, so the reference must be a fresh smoke run")
        }
        XCTAssertTrue(reason.contains("output/data/outlier-sensitivity/results.json was made with profile quick"), reason)
        XCTAssertEqual(report.experiments.map(\.id), ["data/outlier-sensitivity"])
        XCTAssertEqual(report.experiments[0].claims.count, 4)
        XCTAssertTrue(report.allVerdictsHeld, "\(report)")
        XCTAssertFalse(report.experiments[0].metrics.isEmpty)
        XCTAssertTrue(report.experiments[0].metrics.allSatisfy { $0.move == 0 }, "the same seeds must give the same numbers")
        XCTAssertTrue("\(report)".contains("Verdicts: 4 of 4 held."), "\(report)")
        XCTAssertEqual(fingerprint(root, ["output", "chapters"]), before, "verify wrote into the repository")
    }

    /// With results committed in the requested profile, the rerun is compared with them; a changed
    /// verdict is reported and fails the run.
    func testVerifyComparesWithCommittedResultsOfTheSameProfile() throws {
        let w = try ScratchWorkbench()
        defer { w.remove() }
        try FileManager.default.createSymbolicLink(at: w.url("Package.swift"),
                                                   withDestinationURL: ScratchWorkbench.repository.appendingPathComponent("Package.swift"))
        _ = try w.run(.data)
        let before = fingerprint(w.root, ["output", "chapters"])
        let verifier = ChapterVerifier(chapter: .data, paths: w.paths, options: RunOptions(profile: .smoke, quiet: true))
        let report = try verifier.run()
        XCTAssertEqual(report.basis, .committed)
        XCTAssertTrue(report.allVerdictsHeld, "\(report)")
        XCTAssertTrue(report.experiments[0].sameCode, "the scratch copy must hash the same sources")
        XCTAssertEqual(fingerprint(w.root, ["output", "chapters"]), before)

        // A committed verdict that the rerun does not reproduce.
        let results = w.url("output/data/outlier-sensitivity/results.json")
        var file = try ResultsFile(data: Data(contentsOf: results), path: "results.json")
        let claim = file.claims[0]
        let flipped = claim.verdict == "supported" ? "not supported" : "supported"
        file.claims[0].verdict = flipped
        try file.encoded().write(to: results)
        let changed = try verifier.run()
        XCTAssertFalse(changed.allVerdictsHeld)
        XCTAssertTrue("\(changed)".contains("[CHANGED] \(claim.id): \(flipped) -> \(claim.verdict)"), "\(changed)")
    }

    /// Moves are measured in half-widths of the reference's interval.
    func testMoveIsInHalfWidthsOfTheReferenceInterval() {
        let a = SeedSummary([1, 2, 3], scale: .linear)
        XCTAssertEqual(VerificationReport.move(from: a, to: SeedSummary([1, 2, 3], scale: .linear)), 0)
        let half = (a.high - a.low) / 2
        XCTAssertEqual(VerificationReport.move(from: a, to: SeedSummary([1 + half, 2 + half, 3 + half], scale: .linear))!, 1, accuracy: 1e-9)
        XCTAssertNil(VerificationReport.move(from: SeedSummary([1], scale: .linear), to: SeedSummary([2], scale: .linear)), "one seed has no interval")
        XCTAssertEqual(VerificationReport.move(from: SeedSummary([2, 2], scale: .linear), to: SeedSummary([3, 3], scale: .linear)), .infinity)
    }
}
