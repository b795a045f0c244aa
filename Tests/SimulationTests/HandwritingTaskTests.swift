import Support
import XCTest
@testable import Simulation

/// The pen task of the LASA experiment, by hand: chunks run whole, displacements add up exactly,
/// a recorded path becomes the episode that redraws it, and bad input is refused by name.
final class HandwritingTaskTests: XCTestCase {
    /// A policy that answers every position with two steps of (1, -2): asked at steps 0, 2 and 4.
    func testChunksRunWholeAndDisplacementsAddUp() throws {
        var asked: [[Double]] = []
        let path = try HandwritingTask.run({ position in
            asked.append(position)
            return [[1, -2], [1, -2]]
        }, start: [10, 20], steps: 5)
        XCTAssertEqual(asked, [[10, 20], [12, 16], [14, 12]])
        XCTAssertEqual(path, [[10, 20], [11, 18], [12, 16], [13, 14], [14, 12], [15, 10]])
    }

    /// A non-finite displacement leaves the pen where it is.
    func testNonFiniteActionMovesNothing() throws {
        let path = try HandwritingTask.run({ _ in [[.nan, 1], [1, 1]] }, start: [0, 0], steps: 2)
        XCTAssertEqual(path, [[0, 0], [0, 0], [1, 1]])
    }

    /// Replaying a recorded path's displacements from its start redraws it (up to rounding).
    func testDemonstrationRedrawsItsPath() throws {
        let recorded: [[Double]] = [[-40, 12.5], [-31.25, 10], [-20, 4.75], [-8.5, 1], [0, 0]]
        let d = try HandwritingTask.demonstration(recorded)
        XCTAssertEqual(d.observations, Array(recorded.dropLast()))
        XCTAssertEqual(d.actions[0], [8.75, -2.5])
        var k = 0
        let path = try HandwritingTask.run({ _ in defer { k += 1 }; return [d.actions[k]] }, start: recorded[0], steps: d.actions.count)
        for (p, q) in zip(path, recorded) {
            XCTAssertEqual(p[0], q[0], accuracy: 1e-12)
            XCTAssertEqual(p[1], q[1], accuracy: 1e-12)
        }
    }

    func testRefusalsNameWhatIsWrong() {
        XCTAssertThrowsError(try HandwritingTask.run({ _ in [[0, 0]] }, start: [0, 0], steps: 0)) { XCTAssertTrue("\($0)".contains("steps"), "\($0)") }
        XCTAssertThrowsError(try HandwritingTask.run({ _ in [[0, 0]] }, start: [.infinity, 0], steps: 1)) { XCTAssertTrue("\($0)".contains("start"), "\($0)") }
        XCTAssertThrowsError(try HandwritingTask.run({ _ in [[0, 0, 0]] }, start: [0, 0], steps: 1)) { XCTAssertTrue("\($0)".contains("2 values"), "\($0)") }
        XCTAssertThrowsError(try HandwritingTask.run({ _ in [] }, start: [0, 0], steps: 1)) { XCTAssertTrue("\($0)".contains("policy"), "\($0)") }
        XCTAssertThrowsError(try HandwritingTask.demonstration([[0, 0]])) { XCTAssertTrue("\($0)".contains("at least 2 points"), "\($0)") }
    }
}
