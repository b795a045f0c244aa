import XCTest
@testable import Experiments

/// The ETA weighs units by their cost and leaves out units read back at no cost here.
final class ProgressReporterTests: XCTestCase {
    func testETAWeighsCostAndIgnoresFreeUnits() throws {
        // 10 s for a weight of 50 done here: 150 left at the same rate is 30 s.
        XCTAssertEqual(try XCTUnwrap(ProgressReporter.eta(elapsed: 10, done: 50, free: 0, total: 200)), 30, accuracy: 1e-12)
        // The same, with 100 more read back at no cost: 50 left take 10 s, not the 2.5 s an unweighted rate would say.
        XCTAssertEqual(try XCTUnwrap(ProgressReporter.eta(elapsed: 10, done: 150, free: 100, total: 200)), 10, accuracy: 1e-12)
        // Nothing computed here yet: unknown, unless nothing is left.
        XCTAssertNil(ProgressReporter.eta(elapsed: 3, done: 100, free: 100, total: 200))
        XCTAssertEqual(ProgressReporter.eta(elapsed: 3, done: 200, free: 200, total: 200), 0)
    }
}
