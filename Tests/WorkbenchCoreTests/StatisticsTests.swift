import Foundation
import XCTest
@testable import WorkbenchCore

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
        let s = SeedSummary([1, 2, 3, 4])
        XCTAssertEqual(s.mean, 2.5)
        XCTAssertEqual(s.std, (5.0 / 3).squareRoot(), accuracy: 1e-12)
        let half = 3.182446305284263 * s.std / 2
        XCTAssertEqual(s.low, 2.5 - half, accuracy: 1e-12)
        XCTAssertEqual(s.high, 2.5 + half, accuracy: 1e-12)
        let one = SeedSummary([7])
        XCTAssertEqual(one.mean, 7)
        XCTAssertEqual(one.low, -.infinity)
    }

    func testFormat() {
        XCTAssertEqual(Format.number(0.012345), "0.0123")
        XCTAssertEqual(Format.number(123.45), "123")
        XCTAssertEqual(Format.number(1234.6), "1235")
        XCTAssertEqual(Format.number(2.0), "2.00")
        XCTAssertEqual(Format.parameter(10), "10")
        XCTAssertEqual(Format.parameter(0.1), "0.1")
        XCTAssertEqual(Format.number(1.5e-5), "1.50e-05")
        XCTAssertEqual(Format.percent(0.001), "0.1 %")
        XCTAssertEqual(Format.percent(0.05), "5 %")
        for (n, text) in [(0, "0"), (999, "999"), (1_000, "1,000"), (65_536, "65,536"), (1_234_567, "1,234,567"), (-4_096, "-4,096")] {
            XCTAssertEqual(Format.integer(n), text)
        }
    }
}
