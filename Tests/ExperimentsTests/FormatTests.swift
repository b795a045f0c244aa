import Experiments
import XCTest
import Metrics

/// How numbers, intervals and summaries are written in tables and verdicts.
final class FormatTests: XCTestCase {
    func testOrdinalAndProportionIntervals() {
        XCTAssertEqual(Format.interval(SeedSummary([3, 2, 2], scale: .ordinal)), "2 (seeds: 3, 2, 2)")
        XCTAssertEqual(Format.percentInterval(SeedSummary([0.9, 0.95, 1.0], scale: .proportion)).hasSuffix(", 100] %"), true)
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
