import ActionData
import Tokenizers
import XCTest
@testable import Lab

/// How a predicted sequence is decoded for scoring.
final class SplinePredictionTests: XCTestCase {
    func testFASTFailuresAreCountedAndScoredRelaxed() throws {
        let splines = try DidacticSplines.sample(count: 50, steps: 25, seed: 7)
        let tok = FASTTokenizer(FASTConfig(gamma: 10, vocabulary: 300))
        try tok.fit(splines.chunks)
        // An id outside the vocabulary fails strict decoding but still gets a chunk to score.
        let (chunk, clean) = SplinePrediction.decodeForEvaluation(tok, [tok.vocabularySize + 3], steps: 25)
        XCTAssertFalse(clean)
        XCTAssertEqual(chunk.steps, 25)
        // A sequence cut short is a failure too (strict decoding wants all 25 coefficients).
        let good = try tok.encode(splines.chunks.chunks[0])
        XCTAssertTrue(SplinePrediction.decodeForEvaluation(tok, good, steps: 25).clean)
        XCTAssertGreaterThan(good.count, 1)
        XCTAssertFalse(SplinePrediction.decodeForEvaluation(tok, Array(good.prefix(1)), steps: 25).clean)
    }

    func testStrictTokenizersScoreAFailureAsZerosAndACleanSequenceAsItsDecoding() throws {
        let splines = try DidacticSplines.sample(count: 20, steps: 10, seed: 3)
        let tok = MinMaxBinning(BinningConfig(bins: 16))
        try tok.fit(splines.chunks)
        let tokens = try tok.encode(splines.chunks.chunks[0])
        let scored = SplinePrediction.decodeForEvaluation(tok, tokens, steps: 10)
        XCTAssertTrue(scored.clean)
        XCTAssertEqual(scored.chunk, try tok.decode(tokens, steps: 10, dims: 1))
        // One token short: binning has no relaxed mode, so the sequence scores as a flat zero line.
        let failed = SplinePrediction.decodeForEvaluation(tok, Array(tokens.dropLast()), steps: 10)
        XCTAssertFalse(failed.clean)
        XCTAssertEqual(failed.chunk.values, [Double](repeating: 0, count: 10))
    }
}
