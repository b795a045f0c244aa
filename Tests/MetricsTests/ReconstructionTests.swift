import ActionData
import Foundation
import Metrics
import XCTest

/// Reconstruction errors and per-dimension statistics, against hand computations.
final class ReconstructionTests: XCTestCase {
    /// The error of given round trips, by hand: RMSE per dimension over every step, std of the data (n - 1).
    func testReconstructionCompareByHand() throws {
        let data = try ChunkSet(chunks: [try ActionChunk(steps: 1, dims: 2, values: [0, 10]), try ActionChunk(steps: 1, dims: 2, values: [2, 10])],
                                dimensionNames: ["a", "b"], frequency: 1)
        let decoded = [try ActionChunk(steps: 1, dims: 2, values: [1, 10]), try ActionChunk(steps: 1, dims: 2, values: [-1, 13])]
        let r = try Reconstruction.compare(data, decoded: decoded, tokens: [[0], [1]])
        XCTAssertEqual(r.rmse[0], sqrt(5.0), accuracy: 1e-12)        // errors 1 and -3
        XCTAssertEqual(r.rmse[1], sqrt(4.5), accuracy: 1e-12)        // errors 0 and 3
        XCTAssertEqual(r.std, [sqrt(2.0), 0])
        XCTAssertEqual(r.relativeRMSE[0], sqrt(2.5), accuracy: 1e-12)
        XCTAssertEqual(r.relativeRMSE[1], 0, "a constant dimension has relative error 0")
        XCTAssertThrowsError(try Reconstruction.compare(data, decoded: [decoded[0]], tokens: [[0]]))
    }

    /// Per-dimension RMSE and std over every chunk and step, by hand; a shape mismatch is an error.
    func testPerDimensionStatisticsByHand() throws {
        let data = try ChunkSet(chunks: [try ActionChunk(steps: 2, dims: 2, values: [0, 1, 2, 1]), try ActionChunk(steps: 2, dims: 2, values: [4, 1, 6, 1])],
                                dimensionNames: ["a", "b"], frequency: 1)
        let decoded = [try ActionChunk(steps: 2, dims: 2, values: [1, 1, 2, 3]), try ActionChunk(steps: 2, dims: 2, values: [4, 1, 4, 1])]
        let rmse = try Statistics.perDimensionRMSE(data, decoded: decoded)
        XCTAssertEqual(rmse[0], sqrt((1.0 + 0 + 0 + 4) / 4), accuracy: 1e-15)       // errors 1, 0, 0, -2
        XCTAssertEqual(rmse[1], sqrt((0.0 + 4 + 0 + 0) / 4), accuracy: 1e-15)       // errors 0, 2, 0, 0
        // Dimension a: 0, 2, 4, 6 (mean 3, squares 9 + 1 + 1 + 9 = 20, n - 1 = 3); b is constant.
        XCTAssertEqual(Statistics.perDimensionStd(data), [sqrt(20.0 / 3), 0])
        let short = try ActionChunk(steps: 1, dims: 2, values: [0, 1])
        XCTAssertThrowsError(try Statistics.perDimensionRMSE(data, decoded: [short, decoded[1]]))
        XCTAssertThrowsError(try Reconstruction.compare(data, decoded: decoded, tokens: [[0]]))
    }

    /// The mean absolute error accumulates batch by batch and equals the mean over all values.
    func testMeanAbsoluteErrorAccumulates() {
        var e = MeanAbsoluteError()
        XCTAssertEqual(e.value, 0)
        e.add([1, 2, 3], [1, 0, 4])           // 0 + 2 + 1
        e.add([-1, 5, 99], [1, 5])            // 2 + 0 (only the true values' length)
        XCTAssertEqual(e.count, 5)
        XCTAssertEqual(e.value, 5.0 / 5)
    }
}
