import XCTest
import ActionData

/// `ChunkSet.resampledWindows`: consecutive windows, tails dropped, names and frequency kept.
final class ChunkSetWindowsTests: XCTestCase {
    func testCutsEachChunkIntoConsecutiveWindowsAndDropsTheTail() throws {
        // Two chunks of 7 steps x 2 dims; value = 100 * chunk + 10 * step + dim.
        var chunks: [ActionChunk] = []
        for c in 0..<2 {
            var values: [Double] = []
            for t in 0..<7 { values += [Double(100 * c + 10 * t), Double(100 * c + 10 * t + 1)] }
            chunks.append(try ActionChunk(steps: 7, dims: 2, values: values))
        }
        let set = try ChunkSet(chunks: chunks, dimensionNames: ["x", "y"], frequency: 20)
        let windows = try set.resampledWindows(3)
        // 7 steps hold two whole 3-step windows (steps 0-2, 3-5); step 6 is dropped.
        XCTAssertEqual(windows.count, 4)
        XCTAssertEqual(windows.steps, 3)
        XCTAssertEqual(windows.dimensionNames, ["x", "y"])
        XCTAssertEqual(windows.frequency, 20)
        let expected: [[Double]] = [
            [0, 1, 10, 11, 20, 21], [30, 31, 40, 41, 50, 51],
            [100, 101, 110, 111, 120, 121], [130, 131, 140, 141, 150, 151],
        ]
        XCTAssertEqual(windows.chunks.map { $0.values }, expected)
    }

    func testWholeChunkWindowIsTheIdentityAndBadWindowsThrow() throws {
        let set = try RobotArmGenerator(frequency: 10).chunks(count: 3, seed: 2)
        XCTAssertEqual(try set.resampledWindows(set.steps).chunks, set.chunks)
        XCTAssertThrowsError(try set.resampledWindows(0))
        XCTAssertThrowsError(try set.resampledWindows(set.steps + 1), "no whole window: an empty set is an error")
    }
}
