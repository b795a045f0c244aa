import XCTest
@testable import Benchmarks

final class FASTBenchmarkTests: XCTestCase {
    /// A tiny run checks the report; the real run is `swift run -c release workbench bench fast`.
    func testReportOnTinyRun() throws {
        let report = try FASTBenchmark.run(chunks: 300, steps: 20, dims: 9, seconds: 0.01, python: "")
        XCTAssertTrue(report.contains("FAST benchmark: 300 chunks of 20 steps x 9 dims"), report)
        XCTAssertTrue(report.contains("Python reference skipped"), report)
        XCTAssertEqual(report.split(separator: "\n").filter { $0.hasPrefix("      1 ") || $0.hasPrefix("      2 ") }.count, 2, report)
    }
}
