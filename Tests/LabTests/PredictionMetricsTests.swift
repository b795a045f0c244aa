import XCTest
@testable import Lab

/// The prediction measures on hand-made token sequences.
final class PredictionMetricsTests: XCTestCase {
    func testCopyRateCountsRepeatsOverAllSequences() {
        // [1,1,1,2]: 3 pairs, 2 repeats; [3,3]: 1 pair, 1 repeat; [7]: no pair.
        XCTAssertEqual(PredictionMetrics.copyRate([[1, 1, 1, 2], [3, 3], [7]]), 0.75)
        XCTAssertEqual(PredictionMetrics.copyRate([[1, 2, 3, 4]]), 0)
        XCTAssertTrue(PredictionMetrics.copyRate([[5], []]).isNaN)
    }

    func testConstantShareCountsFlatPredictions() {
        // [5] is too short to be flat or not; of the other three, two are one repeated token.
        XCTAssertEqual(PredictionMetrics.constantShare([[1, 1, 1], [1, 2], [4, 4], [5]]), 2.0 / 3.0, accuracy: 1e-15)
        XCTAssertEqual(PredictionMetrics.constantShare([[1, 2]]), 0)
    }

    func testSpearmanAgainstHandComputedRanks() {
        XCTAssertEqual(PredictionMetrics.spearman([1, 2, 3, 4], [0.1, 0.5, 0.7, 9]), 1, accuracy: 1e-12)
        XCTAssertEqual(PredictionMetrics.spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1, accuracy: 1e-12)
        // One swap of neighbours among four: ranks (1,2,4,3): 1 - 6*2/(4*15) = 0.8.
        XCTAssertEqual(PredictionMetrics.spearman([1, 2, 3, 4], [1, 2, 4, 3]), 0.8, accuracy: 1e-12)
        // Ties share their average rank: y ranks (1.5,1.5,3,4); Pearson on ranks.
        XCTAssertEqual(PredictionMetrics.spearman([1, 2, 3, 4], [1, 1, 2, 3]), 0.9486832980505138, accuracy: 1e-12)
    }
}
