import Support
import XCTest
@testable import Experiments

final class ClaimTests: XCTestCase {
    func claim(_ compare: String, _ threshold: Double, reduce: String = "mean", scale: String? = "linear") throws -> ClaimSpec {
        try ClaimSpec(ParameterReader(.table([("id", .string("c")), ("statement", .string("s")), ("statistic", .string("x")),
                                              ("reduce", .string(reduce)), ("compare", .string(compare)), ("threshold", .double(threshold))]
                                             + (scale.map { [("scale", ParameterValue.string($0))] } ?? [])),
                                      location: "f.toml: claims[0]"))
    }

    /// The same seeds decide differently on the log scale: the evaluation's error growth of
    /// 7.08, 17.8 and 17.9 against "> 3" is inconclusive with a linear t-interval (which dips
    /// below zero) and supported with the log-scale interval [3.48, 49.4].
    func testTheScaleDecidesTheInterval() throws {
        let growth = [7.08, 17.8, 17.9]
        let linear = Verdict(claim: try claim(">", 3), perSeed: growth)
        XCTAssertLessThan(linear.summary.low, 0)
        XCTAssertEqual(linear.outcome, .inconclusive)
        let log = Verdict(claim: try claim(">", 3, scale: "log"), perSeed: growth)
        XCTAssertEqual(log.outcome, .supported)
        XCTAssertEqual(log.summary.low, 3.4816, accuracy: 1e-3)
        XCTAssertEqual(log.seedsHolding, 3)
        XCTAssertFalse(log.nearThreshold)
    }

    /// Ordinal claims have no interval: supported when every seed holds, not supported when none does.
    func testOrdinalVerdictsCountSeeds() throws {
        let best = try claim("<=", 0, scale: "ordinal")
        XCTAssertEqual(Verdict(claim: best, perSeed: [0, 0, 0]).outcome, .supported)
        XCTAssertEqual(Verdict(claim: best, perSeed: [1, 2, 1]).outcome, .notSupported)
        let split = Verdict(claim: best, perSeed: [0, 1, 0])
        XCTAssertEqual(split.outcome, .inconclusive)
        XCTAssertEqual(split.seedsHolding, 2)
        XCTAssertTrue(split.nearThreshold, "seeds on both sides of the rule")
        XCTAssertTrue(split.seedsText.hasPrefix("2 of 3 ⚠"))
        XCTAssertEqual(Verdict(claim: best, perSeed: [0]).outcome, .supported, "no interval: one seed's class decides")
        XCTAssertEqual(Verdict(claim: best, perSeed: [1]).outcome, .notSupported)
        XCTAssertEqual(Verdict(claim: best, perSeed: [.nan]).outcome, .inconclusive)
    }

    /// A seed within a tenth of the threshold flags the verdict even when every seed holds.
    func testNearThresholdFlag() throws {
        let trend = Verdict(claim: try claim(">=", 0.8, scale: "correlation"), perSeed: [1.0, 1.0, 0.8])
        XCTAssertEqual(trend.seedsHolding, 3)
        XCTAssertTrue(trend.nearThreshold)
        XCTAssertFalse(Verdict(claim: try claim(">=", 0.8, scale: "correlation"), perSeed: [1.0, 1.0, 1.0]).nearThreshold)
        XCTAssertFalse(Verdict(claim: try claim(">=", 0.99, scale: "log"), perSeed: [1, 1, 1]).nearThreshold,
                       "identical seeds (a count fixed by construction) have no spread to move")
        XCTAssertTrue(Verdict(claim: try claim(">=", 0.99, scale: "log"), perSeed: [1, 1.02, 1]).nearThreshold)
    }

    func testVerdictFollowsTheInterval() throws {
        // mean 5, interval about [4.2, 5.8] over 5 seeds.
        let v = [4.5, 5.5, 5.0, 4.6, 5.4]
        XCTAssertEqual(Verdict(claim: try claim(">", 3), perSeed: v).outcome, .supported)
        XCTAssertEqual(Verdict(claim: try claim(">", 7), perSeed: v).outcome, .notSupported)
        XCTAssertEqual(Verdict(claim: try claim(">", 5), perSeed: v).outcome, .inconclusive)
        XCTAssertEqual(Verdict(claim: try claim("<", 7), perSeed: v).outcome, .supported)
        XCTAssertEqual(Verdict(claim: try claim("<=", 3), perSeed: v).outcome, .notSupported)
        XCTAssertEqual(Verdict(claim: try claim(">", 3), perSeed: [5]).outcome, .inconclusive, "one seed has no interval")
        XCTAssertEqual(Verdict(claim: try claim(">", 3), perSeed: [5, .nan]).outcome, .inconclusive)
    }

    func testReduceAcrossCells() {
        let cells = [[1.0, 3.0], [2.0, 8.0]]
        XCTAssertEqual(Verdict.reduce(cells, .min), [1, 2])
        XCTAssertEqual(Verdict.reduce(cells, .max), [3, 8])
        XCTAssertEqual(Verdict.reduce(cells, .mean), [2, 5])
    }

    func testClaimValidation() {
        XCTAssertThrowsError(try claim("=>", 1)) { XCTAssertTrue("\($0)".contains("key 'compare': expected one of >, >=, <, <=, found \"=>\""), "\($0)") }
        XCTAssertThrowsError(try claim(">", 1, reduce: "median")) { XCTAssertTrue("\($0)".contains("key 'reduce'"), "\($0)") }
        XCTAssertThrowsError(try claim(">", 1, scale: nil)) { XCTAssertTrue("\($0)".contains("scale"), "\($0)") }
        XCTAssertThrowsError(try claim(">", 1, scale: "logit")) { XCTAssertTrue("\($0)".contains("key 'scale': expected one of linear, log, proportion"), "\($0)") }
        XCTAssertThrowsError(try claim(">", 2, scale: "proportion")) { XCTAssertTrue("\($0)".contains("outside the proportion scale's range"), "\($0)") }
    }
}
