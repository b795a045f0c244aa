import ActionData
import Foundation
import Support
import XCTest
@testable import Tokenizers

/// Constrained decoding: followed token by token, a constraint yields only sequences that decode
/// strictly into the shape it was made for.
final class TokenConstraintTests: XCTestCase {
    /// Decodes greedily from random scores (a stand-in for an untrained policy's logits): at each
    /// step the best-scoring id among those allowed, or the end when it scores best and is allowed;
    /// without a constraint every id and the end are allowed. Stops after `limit` ids.
    static func decode(_ scores: inout SeededGenerator, vocabulary: Int, limit: Int, constraint: (any TokenConstraint)?) -> [Int] {
        var out: [Int] = [], allowed = [Bool](repeating: true, count: vocabulary)
        while out.count < limit {
            let mayEnd = constraint?.next(after: out, allowed: &allowed) ?? true
            var best = -1, bestScore = -1.0
            for id in 0..<vocabulary {
                let score = scores.nextUniform()
                if allowed[id], score > bestScore { best = id; bestScore = score }
            }
            let endScore = scores.nextUniform()
            if mayEnd, best < 0 || endScore > bestScore { break }  // the end wins, or nothing else is allowed
            guard best >= 0 else { break }
            out.append(best)
        }
        return out
    }

    /// Property: under FAST's constraint, 300 random decodings all decode strictly into the shape
    /// (every coefficient present, no unknown id); the same scores without it almost never do.
    func testConstrainedFASTAlwaysDecodesStrictly() throws {
        let tok = FASTTokenizer(FASTConfig(vocabulary: 256))  // a small vocabulary keeps the 600 decodings quick
        try tok.fit(FASTTests.data)
        let (steps, dims) = (FASTTests.data.steps, FASTTests.data.dims)
        let constraint = try tok.tokenConstraint(steps: steps, dims: dims)
        XCTAssertEqual(constraint.vocabularySize, tok.vocabularySize)
        var scores = SeededGenerator(seed: 11)
        var unconstrainedStrict = 0
        for trial in 0..<300 {
            let constrained = Self.decode(&scores, vocabulary: tok.vocabularySize, limit: steps * dims + 1, constraint: constraint)
            XCTAssertNoThrow(try tok.decode(constrained, steps: steps, dims: dims, mode: .strict), "trial \(trial): \(constrained)")
            let free = Self.decode(&scores, vocabulary: tok.vocabularySize, limit: steps * dims + 1, constraint: nil)
            if (try? tok.decode(free, steps: steps, dims: dims, mode: .strict)) != nil { unconstrainedStrict += 1 }
        }
        XCTAssertLessThan(unconstrainedStrict, 15, "random sequences should rarely have exactly \(steps * dims) coefficients")
    }

    /// FAST's mask by hand: base symbols 0, 1, 2 and one merge (0, 1) as id 3, three coefficients.
    func testFASTMaskCountsCoefficients() {
        let c = FASTConstraint(expansionLengths: [1, 1, 1, 2], coefficients: 3)
        var allowed = [Bool](repeating: false, count: 4)
        XCTAssertFalse(c.next(after: [], allowed: &allowed)); XCTAssertEqual(allowed, [true, true, true, true])
        XCTAssertFalse(c.next(after: [3], allowed: &allowed)); XCTAssertEqual(allowed, [true, true, true, false])
        XCTAssertTrue(c.next(after: [3, 2], allowed: &allowed)); XCTAssertEqual(allowed, [false, false, false, false])
        XCTAssertEqual(c.missing(after: [3, 3]), -1)
        XCTAssertFalse(c.next(after: [3, 3], allowed: &allowed), "too many coefficients: no end, nothing allowed")
        XCTAssertEqual(allowed, [false, false, false, false])
    }

    /// The residual VQ's layer mask by hand: 3 layers of 4 codes, 2 windows.
    func testLayerMaskAllowsOnlyTheCurrentLayersCodes() {
        let c = LayerConstraint(layers: 3, codebookSize: 4, length: 6)
        XCTAssertEqual(c.vocabularySize, 12)
        var allowed = [Bool](repeating: false, count: 12)
        for (prefix, layer) in [([Int](), 0), ([1], 1), ([1, 5], 2), ([1, 5, 9], 0), ([1, 5, 9, 2, 6], 2)] {
            XCTAssertFalse(c.next(after: prefix, allowed: &allowed))
            XCTAssertEqual(allowed, (0..<12).map { $0 / 4 == layer }, "after \(prefix)")
        }
        XCTAssertTrue(c.next(after: [1, 5, 9, 2, 6, 10], allowed: &allowed))
        XCTAssertEqual(allowed, [Bool](repeating: false, count: 12))
    }

    /// The residual VQ tokenizer's constraint: its encodings satisfy it at every position, and it
    /// refuses a shape the tokenizer cannot decode.
    func testResidualVQEncodingsSatisfyItsConstraint() throws {
        var config = ResidualVQConfig()
        config.trainSteps = 20; config.batchSize = 16; config.layers = 2; config.codebookSize = 8; config.window = 5; config.latentDim = 4; config.hidden = [8]
        let tok = try ResidualVQTokenizer(config)
        let data = try RobotArmGenerator(frequency: 10).chunks(count: 64, seed: 3)
        try tok.fit(data)
        let constraint = try tok.tokenConstraint(steps: data.steps, dims: data.dims)
        var allowed = [Bool](repeating: false, count: tok.vocabularySize)
        for chunk in data.chunks.prefix(8) {
            let tokens = try tok.encode(chunk)
            for p in tokens.indices {
                XCTAssertFalse(constraint.next(after: Array(tokens[..<p]), allowed: &allowed))
                XCTAssertTrue(allowed[tokens[p]], "position \(p)")
            }
            XCTAssertTrue(constraint.next(after: tokens, allowed: &allowed))
        }
        XCTAssertThrowsError(try tok.tokenConstraint(steps: data.steps, dims: data.dims + 1))
        XCTAssertThrowsError(try ResidualVQTokenizer(config).tokenConstraint(steps: 10, dims: 2))
    }
}
