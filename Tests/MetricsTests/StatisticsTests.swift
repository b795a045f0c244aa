import Foundation
import Support
import XCTest
@testable import Metrics

final class StatisticsTests: XCTestCase {
    /// The t quantiles match scipy.stats.t.ppf(0.975, df) (fixture from scripts/fixtures/make_golden.py).
    func testTQuantilesMatchScipy() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/t_quantiles.json")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let dfs = (json["df"] as! [NSNumber]).map(\.intValue), ts = (json["t"] as! [NSNumber]).map(\.doubleValue)
        for (df, t) in zip(dfs, ts) {
            XCTAssertEqual(Statistics.tQuantile975(degreesOfFreedom: df), t, accuracy: 1e-5 * t, "df \(df)")
        }
    }

    func testSeedSummaryInterval() {
        let s = SeedSummary([1, 2, 3, 4], scale: .linear)
        XCTAssertEqual(s.mean, 2.5)
        XCTAssertEqual(s.std, (5.0 / 3).squareRoot(), accuracy: 1e-12)
        let half = 3.182446305284263 * s.std / 2
        XCTAssertEqual(s.low, 2.5 - half, accuracy: 1e-12)
        XCTAssertEqual(s.high, 2.5 + half, accuracy: 1e-12)
        let one = SeedSummary([7], scale: .linear)
        XCTAssertEqual(one.mean, 7)
        XCTAssertEqual(one.low, -.infinity)
    }

    /// Every scale's centre and interval match scipy (fixture from scripts/fixtures/make_interval_golden.py).
    func testIntervalsMatchScipy() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/interval_golden.json")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let cases = json["cases"] as! [[String: Any]]
        XCTAssertGreaterThan(cases.count, 10)
        for c in cases {
            let values = (c["values"] as! [NSNumber]).map(\.doubleValue)
            let scale = StatisticScale(rawValue: c["scale"] as! String)!
            let s = SeedSummary(values, scale: scale)
            for (name, got, want) in [("centre", s.mean, c["centre"]), ("low", s.low, c["low"]), ("high", s.high, c["high"])] {
                let w = (want as! NSNumber).doubleValue
                XCTAssertEqual(got, w, accuracy: 1e-6 * max(abs(w), 1e-12), "\(name) of \(values) on the \(scale) scale")
            }
        }
    }

    /// Property: a proportion's interval never leaves [0, 1], a difference's or correlation's never
    /// leaves [-1, 1], a positive ratio's never goes below 0, and each contains its centre.
    func testIntervalsStayInTheirRange() {
        var rng = SeededGenerator(seed: 2026)
        for trial in 0..<2_000 {
            let n = 2 + trial % 6
            let spread = [0.01, 0.2, 1.0][trial % 3]
            let base = Double.random(in: 0...1, using: &rng)
            let p = (0..<n).map { _ in min(1, max(0, base + spread * (Double.random(in: -1...1, using: &rng)))) }
            let d = p.map { 2 * $0 - 1 }
            let ratio = (0..<n).map { _ in exp(3 * spread * Double.random(in: -1...1, using: &rng)) * (base + 1e-3) }
            for (values, scale) in [(p, StatisticScale.proportion), (d, .difference), (d, .correlation), (ratio, .log)] {
                let s = SeedSummary(values, scale: scale)
                XCTAssertTrue(scale.range.contains(s.low) && scale.range.contains(s.high), "\(scale) \(values): [\(s.low), \(s.high)]")
                XCTAssertLessThanOrEqual(s.low, s.mean + 1e-12 * abs(s.mean) + 1e-15, "\(scale) \(values)")
                XCTAssertGreaterThanOrEqual(s.high, s.mean - 1e-12 * abs(s.mean) - 1e-15, "\(scale) \(values)")
                if scale == .log { XCTAssertGreaterThan(s.low, 0) }
            }
        }
    }

    /// A log-scale summary with a zero or an infinity has an exact centre and an unknown spread;
    /// equal values give a point interval.
    func testLogScaleEdges() {
        let zeros = SeedSummary([0, 0, 0], scale: .log)
        XCTAssertEqual([zeros.mean, zeros.low, zeros.high], [0, 0, 0])
        let mixed = SeedSummary([0, 2, 3], scale: .log)
        XCTAssertEqual(mixed.mean, 0); XCTAssertEqual(mixed.low, 0); XCTAssertEqual(mixed.high, .infinity)
        let infinite = SeedSummary([.infinity, 4, 5], scale: .log)
        XCTAssertEqual(infinite.mean, .infinity); XCTAssertEqual(infinite.low, 0)
        let negative = SeedSummary([-1, 2], scale: .log)
        XCTAssertTrue(negative.mean.isNaN)
        XCTAssertEqual(StatisticScale.log.problem(with: [1, -1]), "seed 2 of 2 is -1.0, outside the log scale's range 0.0...inf")
        XCTAssertEqual(StatisticScale.proportion.problem(with: [1.2]), "seed 1 of 1 is 1.2, outside the proportion scale's range 0.0...1.0")
        XCTAssertEqual(StatisticScale.ordinal.problem(with: [1, 1.5]), "seed 2 of 2 is 1.5, not a class index")
        XCTAssertNil(StatisticScale.log.problem(with: [0, .infinity, 3]))
    }

    /// Ordinal summaries have no interval: the majority class (else the median) and every seed's class.
    func testOrdinalSummary() {
        let s = SeedSummary([3, 2, 2], scale: .ordinal)
        XCTAssertEqual(s.mean, 2)
        XCTAssertTrue(s.low.isNaN && s.high.isNaN)
        XCTAssertEqual(SeedSummary([1, 0], scale: .ordinal).mean, 0, "no majority: the lower median")
        XCTAssertEqual(SeedSummary([1, 2, 3], scale: .ordinal).mean, 2, "no majority: the median class")
        XCTAssertEqual(SeedSummary([3, 3, 0, 1, 3], scale: .ordinal).mean, 3)
    }

    /// Quantiles with linear interpolation equal numpy's `np.quantile` (default method).
    func testQuantileMatchesNumpy() {
        let sorted = [-1.0, 0, 2, 2, 3.5, 7.25, 11]
        // np.quantile([3.5, -1, 2, 7.25, 0, 2, 11], q) for each q:
        for (q, want) in [(0.0, -1.0), (0.01, -0.94), (0.25, 1.0), (0.5, 2.0), (0.63, 3.1700000000000004), (0.99, 10.774999999999999), (1, 11)] {
            XCTAssertEqual(Statistics.quantile(sorted: sorted, q), want, accuracy: 1e-15, "q = \(q)")
        }
        XCTAssertEqual(Statistics.quantile(sorted: [4], 0.3), 4)
    }

    func testProportion() {
        XCTAssertEqual(Statistics.proportion(3, of: 4), 0.75)
        XCTAssertEqual(Statistics.proportion(0, of: 0), 0, "no trials: share 0")
        XCTAssertEqual(Statistics.proportion(1, of: 3), 1.0 / 3.0)
    }

    func testMeanStdAndRMS() {
        XCTAssertEqual(Statistics.mean([1, 2, 3, 6]), 3)
        XCTAssertEqual(Statistics.mean([]), 0)
        XCTAssertEqual(Statistics.std([1, 2, 3, 6]), (14.0 / 3).squareRoot(), accuracy: 1e-15)
        XCTAssertEqual(Statistics.std([5]), 0)
        XCTAssertEqual(Statistics.rms([3, -4]), (12.5).squareRoot(), accuracy: 1e-15)
    }
}
