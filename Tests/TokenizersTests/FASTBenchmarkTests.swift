import Foundation
import XCTest
@testable import Tokenizers

final class FASTBenchmarkTests: XCTestCase {
    /// A tiny run checks the report; the real run is opt-in (`FAST_BENCH=1`, release build).
    func testReportOnTinyRun() throws {
        let report = try FASTBenchmark.run(chunks: 300, steps: 20, dims: 9, seconds: 0.01, python: "")
        XCTAssertTrue(report.contains("FAST benchmark: 300 chunks of 20 steps x 9 dims"), report)
        XCTAssertTrue(report.contains("Python reference skipped"), report)
        XCTAssertEqual(report.split(separator: "\n").filter { $0.hasPrefix("      1 ") || $0.hasPrefix("      2 ") }.count, 2, report)
    }

    /// The full benchmark: `FAST_BENCH=1 FAST_REFERENCE_PYTHON=/tmp/fastvenv/bin/python swift test -c release ...`.
    func testFullBenchmark() throws {
        guard ProcessInfo.processInfo.environment["FAST_BENCH"] == "1" else { throw XCTSkip("set FAST_BENCH=1 to run the FAST benchmark") }
        print(try FASTBenchmark.run(progress: { print("[fast bench] \($0)") }))
    }
}
