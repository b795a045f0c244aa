import Support
import XCTest
@testable import Tokenizers

final class BPETests: XCTestCase {
    /// A skewed random corpus over `base` symbols (runs of zeros, as FAST's high frequencies give).
    func corpus(seed: UInt64, count: Int, length: Int, base: Int) -> [[Int]] {
        var g = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            (0..<length).map { _ in g.nextUniform() < 0.6 ? base / 2 : Int(g.next() % UInt64(base)) }
        }
    }

    /// Same data, same merges; the order of the sequences does not matter either.
    func testTrainingIsDeterministic() throws {
        let data = corpus(seed: 3, count: 200, length: 40, base: 12)
        let a = try BPEModel.train(data, baseSize: 12, vocabularySize: 120)
        let b = try BPEModel.train(data, baseSize: 12, vocabularySize: 120)
        let c = try BPEModel.train(data.reversed(), baseSize: 12, vocabularySize: 120)
        XCTAssertEqual(a.merges.count, 108)
        XCTAssertEqual(a.merges, b.merges)
        XCTAssertEqual(a.merges, c.merges)
    }

    /// Encoding then decoding gives back the symbols; ids stay in the vocabulary.
    func testEncodeDecodeIdentity() throws {
        let model = try BPEModel.train(corpus(seed: 5, count: 300, length: 30, base: 9), baseSize: 9, vocabularySize: 80)
        XCTAssertLessThanOrEqual(model.vocabularySize, 80)
        var g = SeededGenerator(seed: 11)
        for s in corpus(seed: 6, count: 200, length: 50, base: 9) + (1..<20).map({ n in (0..<n).map { _ in Int(g.next() % 9) } }) {
            let ids = model.encode(s)
            XCTAssertTrue(ids.allSatisfy { (0..<model.vocabularySize).contains($0) })
            XCTAssertEqual(try model.decode(ids), s)
            XCTAssertEqual(model.encode(s), ids)
        }
        // Sequences of the training corpus compress.
        let train = corpus(seed: 5, count: 10, length: 30, base: 9)
        XCTAssertLessThan(train.map { model.encode($0).count }.reduce(0, +), 10 * 30 / 2)
    }

    /// Ties go to the smallest (left, right); training stops at the target or when no pair repeats.
    func testTieBreakingAndStopping() throws {
        // (3,1) and (0,2) both occur twice: (0,2) is smaller, so it is merged first.
        let data = [[3, 1, 3, 1], [0, 2, 0, 2]]
        let m = try BPEModel.train(data, baseSize: 4, vocabularySize: 100)
        XCTAssertEqual(m.merges, [BPEMerge(0, 2), BPEMerge(3, 1)])   // then (5,5) and (4,4) occur once each: stop
        XCTAssertEqual(try BPEModel.train(data, baseSize: 4, vocabularySize: 5).merges, [BPEMerge(0, 2)])
        XCTAssertEqual(m.encode([3, 1, 0, 2, 2]), [5, 4, 2])
    }

    /// Overlapping pairs are counted but merged left to right, in training and in encoding alike.
    func testOverlappingRunsMergeLeftToRight() throws {
        let m = try BPEModel.train([[0, 0, 0], [0, 0, 0]], baseSize: 2, vocabularySize: 10)
        XCTAssertEqual(m.merges, [BPEMerge(0, 0), BPEMerge(2, 0)])
        XCTAssertEqual(m.encode([0, 0, 0]), [3])
        XCTAssertEqual(m.encode([0, 0, 0, 0]), [2, 2])
        XCTAssertEqual(m.encode([0, 0, 0, 0, 0]), [2, 3])
        XCTAssertEqual(m.encode([1, 0, 0, 0, 1]), [1, 3, 1])
    }

    /// Models that refer to ids not yet defined, or repeat a merge, are rejected; so are unknown ids.
    func testInvalidModelsAndIds() throws {
        XCTAssertThrowsError(try BPEModel(baseSize: 3, merges: [BPEMerge(0, 3)])) {
            XCTAssertEqual("\($0)", "invalid BPE model: merge 0 is [0, 3], but only ids 0..<3 exist before it")
        }
        XCTAssertThrowsError(try BPEModel(baseSize: 3, merges: [BPEMerge(0, 1), BPEMerge(0, 1)]))
        let m = try BPEModel(baseSize: 3, merges: [BPEMerge(0, 1)])
        XCTAssertThrowsError(try m.decode([0, 4])) { XCTAssertEqual($0 as? BPEError, .unknownId(4, position: 1, vocabularySize: 4)) }
        XCTAssertEqual(try m.decode([3, 2, 3]), [0, 1, 2, 0, 1])
    }
}
