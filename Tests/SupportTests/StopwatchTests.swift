import XCTest
import Support

/// The monotonic clock and what is timed with it.
final class StopwatchTests: XCTestCase {
    func testClockIsMonotonicAndStopwatchCountsFromItsStart() {
        var last = monotonicSeconds()
        for _ in 0..<1000 { let now = monotonicSeconds(); XCTAssertGreaterThanOrEqual(now, last); last = now }
        let watch = Stopwatch()
        XCTAssertGreaterThanOrEqual(watch.elapsed, 0)
        XCTAssertLessThanOrEqual(watch.start, monotonicSeconds())
    }

    /// `seconds` covers the whole closure: a closure that waits until the clock moved 5 ms takes at least 5 ms.
    func testSecondsCoversTheClosure() {
        let s = Stopwatch.seconds { let t0 = monotonicSeconds(); while monotonicSeconds() - t0 < 0.005 {} }
        XCTAssertGreaterThanOrEqual(s, 0.005)
    }

    /// `rate` calls the body once per run (plus one untimed call with `warmUp`) and counts its items per run.
    func testRateCallsTheBodyAndCountsItems() {
        var calls = 0
        let r = Stopwatch.rate(items: 7, atLeast: 0) { calls += 1 }
        XCTAssertEqual(calls, 1, "at least 0 s: one timed run")
        XCTAssertGreaterThan(r, 0)
        calls = 0
        _ = Stopwatch.rate(items: 7, atLeast: 0, warmUp: true) { calls += 1 }
        XCTAssertEqual(calls, 2, "one warm-up call, one timed run")
    }
}
