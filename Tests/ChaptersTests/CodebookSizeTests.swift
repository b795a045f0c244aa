import Foundation
import Support
import XCTest
@testable import Chapters
@testable import Experiments
@testable import Runner

/// The codebook-size experiment's configuration checks and its claim statistics, on hand-made cells.
final class CodebookSizeTests: XCTestCase {
    static let path = "experiments/training/codebook-size.toml"

    /// The configuration of `profile` read from the committed file with `edit` applied to its text.
    func configure(_ profile: Profile, edit: (String) -> String = { $0 }) throws -> (CodebookSize.Config, ExperimentFile) {
        let text = try String(contentsOf: ScratchWorkbench.repository.appendingPathComponent(Self.path), encoding: .utf8)
        let file = try ExperimentFile(text: edit(text), path: Self.path)
        let reader = try ParameterReader(file.resolved(profile), location: "test")
        _ = try reader.ints("seeds")
        let config = try CodebookSize().configure(reader)
        try reader.finish()
        return (config, file)
    }

    func testProfilesJudgeTheSizesTheyRun() throws {
        let (quick, _) = try configure(.quick)
        XCTAssertEqual(quick.sizes, [4, 8, 16, 64, 256])
        XCTAssertEqual(quick.judged, [8, 16, 64, 256])
        XCTAssertEqual(CodebookSize.combinations(8, layers: 2), 64)
        XCTAssertEqual(CodebookSize.combinations(256, layers: 2), 65_536)
        let (smoke, _) = try configure(.smoke)
        XCTAssertEqual(smoke.judged, [4, 16], "the smoke profile judges its own two sizes")
        let (full, _) = try configure(.full)
        XCTAssertEqual(full.judged, [8, 16, 64, 256])
    }

    func testBadSizesAreNamed() throws {
        XCTAssertThrowsError(try configure(.quick) { $0.replacingOccurrences(of: "judged_sizes = [8, 16, 64, 256]", with: "judged_sizes = [8, 32]") }) {
            let e = $0 as? ConfigError
            XCTAssertEqual(e?.key, "judged_sizes")
            XCTAssertTrue(e?.problem.contains("size 32 is not among the codebook_sizes run (4, 8, 16, 64, 256)") == true, "\($0)")
        }
        XCTAssertThrowsError(try configure(.quick) { $0.replacingOccurrences(of: "judged_sizes = [8, 16, 64, 256]", with: "judged_sizes = [16, 16]") }) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "judged_sizes")
        }
        XCTAssertThrowsError(try configure(.quick) { $0.replacingOccurrences(of: "codebook_sizes = [4, 8, 16, 64, 256]", with: "codebook_sizes = [4, 16, 8, 64, 256]") }) {
            let e = $0 as? ConfigError
            XCTAssertEqual(e?.key, "codebook_sizes")
            XCTAssertTrue(e?.problem.contains("found 8 after 16") == true, "\($0)")
        }
    }

    static func cell(success: Double, error: Double) -> CodebookSize.Cell {
        CodebookSize.Cell(reconstructionMSE: 0.01, codesUsed: [4, 4], deadCodes: [0, 0], perplexity: [3, 3], combinations: 16,
                          codeAccuracy: [0.8, 0.5], actionError: error, successRate: success, fitSeconds: 1, trainSeconds: 2)
    }

    /// Per seed, the spreads over the judged sizes only; K = 4 is run but not judged, so its collapse does not count.
    func testSpreadsArePerSeedOverTheJudgedSizes() throws {
        let (c, file) = try configure(.quick)
        let seeds: [[Int: CodebookSize.Cell]] = [
            [4: Self.cell(success: 0.1, error: 0.5), 8: Self.cell(success: 0.90, error: 0.060), 16: Self.cell(success: 0.95, error: 0.055),
             64: Self.cell(success: 0.92, error: 0.050), 256: Self.cell(success: 0.92, error: 0.058)],
            [4: Self.cell(success: 0.1, error: 0.5), 8: Self.cell(success: 0.80, error: 0.070), 16: Self.cell(success: 0.82, error: 0.060),
             64: Self.cell(success: 0.81, error: 0.060), 256: Self.cell(success: 0.80, error: 0.066)],
            [4: Self.cell(success: 0.1, error: 0.5), 8: Self.cell(success: 0.85, error: 0.052), 16: Self.cell(success: 0.86, error: 0.052),
             64: Self.cell(success: 0.85, error: 0.050), 256: Self.cell(success: 0.84, error: 0.055)],
        ]
        let outcome = try CodebookSize().outcome(c, seeds, floors: [0.001, 0.002, 0.0015], inputHash: "", spreads: (0.1, 0.25))
        let reader = { try ParameterReader(.table([]), location: "select") }
        let success = try outcome.statistic("success_relative_spread", reader()).map { $0[0] }
        let error = try outcome.statistic("action_error_relative_spread", reader()).map { $0[0] }
        // By hand: (0.95 - 0.90) / 0.95, (0.82 - 0.80) / 0.82, (0.86 - 0.84) / 0.86; errors (0.060 - 0.050) / 0.050, ...
        for (a, b) in zip(success, [0.05 / 0.95, 0.02 / 0.82, 0.02 / 0.86]) { XCTAssertEqual(a, b, accuracy: 1e-12) }
        for (a, b) in zip(error, [0.010 / 0.050, 0.010 / 0.060, 0.005 / 0.050]) { XCTAssertEqual(a, b, accuracy: 1e-12) }
        // Success spreads: mean 0.033, interval [-0.008, 0.075], below 0.1. Error spreads: mean 0.156, interval [0.029, 0.282] across 0.25: inconclusive.
        let verdicts = Dictionary(uniqueKeysWithValues: file.claims.map { claim in
            (claim.id, Verdict(claim: claim, perSeed: try! outcome.statistic(claim.statistic, reader()).map { $0[0] }).outcome)
        })
        XCTAssertEqual(verdicts["success-barely-changes"], .supported)
        XCTAssertEqual(verdicts["action-error-barely-changes"], .inconclusive)
        XCTAssertThrowsError(try outcome.statistic("success_rate", reader())) { XCTAssertEqual(($0 as? ConfigError)?.key, "statistic") }
        // Every judged size failing every episode is no change.
        XCTAssertEqual(CodebookSize.successSpread([8: Self.cell(success: 0, error: 1), 16: Self.cell(success: 0, error: 1)], judged: [8, 16]), 0)
    }
}
