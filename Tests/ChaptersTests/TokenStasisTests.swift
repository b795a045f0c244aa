import ActionData
import Support
import XCTest
@testable import Chapters
@testable import Experiments
@testable import Runner

/// The token-stasis experiment's error measure, statistic and configuration checks.
final class TokenStasisTests: XCTestCase {
    func config(_ profile: Profile = .quick, overrides: ParameterValue = .table([])) throws -> (TokenStasis.Config, ExperimentFile) {
        let file = try ExperimentFile(root: ScratchWorkbench.repository, path: "experiments/training/token-stasis.toml")
        let reader = try ParameterReader(file.resolved(profile).merged(with: overrides), location: "test")
        _ = try reader.ints("seeds")
        let c = try TokenStasis().configure(reader)
        try reader.finish()
        return (c, file)
    }

    func testErrorScalesAndMedianByHand() throws {
        let chunk = try ActionChunk(steps: 1, dims: 2, values: [0, 0])
        let m = TokenStasis.Measure(rmse: [1, 2], std: [0, 1], tokensPerChunk: 2, clipped: nil, example: chunk)
        XCTAssertEqual(TokenStasis.error(m, fitStd: [2, 4], scale: .fit), (0.5 + 0.5) / 2)
        // The evaluated scale leaves out the dimension that does not vary in the evaluated set.
        XCTAssertEqual(TokenStasis.error(m, fitStd: [2, 4], scale: .evaluated), 2)
        XCTAssertEqual(TokenStasis.median([3, 1, 2]), 2)
        XCTAssertEqual(TokenStasis.median([0.954, 0.55, 0.73, 1.47]), (0.73 + 0.954) / 2, accuracy: 1e-12)
    }

    /// Synthetic seeds where every error is chosen: the statistic is the learned ratio over the
    /// median training-free ratio, and the verdict follows the pre-registered rule.
    func testDegradationRatioAndVerdictOnChosenErrors() throws {
        let (c, file) = try config()
        XCTAssertEqual(c.learned, ["rvq"]); XCTAssertEqual(c.trainingFree, ["minmax", "openvla", "fast", "beast"])
        let chunk = try ActionChunk(steps: 10, dims: 7, values: [Double](repeating: 0, count: 70))
        func seeds(rvq: Double, free: [Double]) -> [TokenStasis.SeedResult] {
            (0..<3).map { s in
                var r = TokenStasis.SeedResult(fitStd: [Double](repeating: 1, count: 7), heldOutExample: chunk, unseenExample: chunk)
                r.outsideRange = [Double](repeating: 0, count: 7); r.outsidePercentiles = r.outsideRange
                let jitter = 1 + 0.01 * Double(s)
                for (tok, ratio) in zip(c.tokenizers, [rvq] + free) {
                    let base = 0.1 * jitter
                    r.inFamily[tok] = TokenStasis.Measure(rmse: [Double](repeating: base, count: 7), std: [Double](repeating: 1, count: 7), tokensPerChunk: 4, clipped: nil, example: chunk)
                    r.unseen[tok] = TokenStasis.Measure(rmse: [Double](repeating: base * ratio * jitter, count: 7), std: [Double](repeating: 1, count: 7), tokensPerChunk: 4, clipped: nil, example: chunk)
                    r.settings[tok] = ""
                }
                return r
            }
        }
        func verdict(_ results: [TokenStasis.SeedResult]) throws -> (Double, Verdict.Outcome) {
            let outcome = TokenStasis().outcome(c, results, inputHash: "")
            let claim = file.claims[0]
            let cells = try outcome.statistic(claim.statistic, try ParameterReader(claim.select, location: claim.id))
            return (cells[0][0], Verdict(claim: claim, perSeed: Verdict.reduce(cells, claim.reduce)).outcome)
        }
        // Training-free ratios 1, 2, 1.5, 0.5: median 1.25; the learned one 10: 8 in every seed (the jitter scales all alike).
        let (strong, v1) = try verdict(seeds(rvq: 10, free: [1, 2, 1.5, 0.5]))
        XCTAssertEqual(strong, 10 / 1.25, accuracy: 1e-9)
        XCTAssertEqual(v1, .supported)
        let (weak, v2) = try verdict(seeds(rvq: 1.5, free: [1, 2, 1.5, 0.5]))
        XCTAssertEqual(weak, 1.5 / 1.25, accuracy: 1e-9)
        XCTAssertEqual(v2, .notSupported)
    }

    func testBadConfigurationsAreNamed() throws {
        XCTAssertThrowsError(try config(overrides: .table([("unseen_family", .string("pick-and-place"))]))) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "unseen_family", "\($0)")
        }
        // 12 steps per chunk are not whole 5-step windows of the residual VQ.
        XCTAssertThrowsError(try config(overrides: .table([("frequency_hz", .int(12))]))) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "window", "\($0)")
        }
        XCTAssertThrowsError(try config(overrides: .table([("training_free", .array([.string("rvq")]))]))) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "training_free", "\($0)")
        }
        XCTAssertThrowsError(try config(overrides: .table([("settings", .table([("verlet", .table([]))]))]))) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "verlet", "\($0)")
        }
        XCTAssertThrowsError(try config(overrides: .table([("settings", .table([("fast", .table([("gama", .int(3))]))]))]))) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "gama", "\($0)")
        }
    }
}
