import Foundation
import Support
import XCTest
@testable import Tokenizers

/// Action tokens on a language vocabulary's least-used ids, read back, and constrained.
final class VocabularyOverlayTests: XCTestCase {
    /// By hand: usage [5, 0, 3, 0, 9, 1] and 3 action tokens take ids 1, 3 (unused) and 5 (once),
    /// in id order; with no counts, the last ids (OpenVLA's choice).
    func testTakesTheLeastUsedIdsInOrder() throws {
        let o = try VocabularyOverlay(usage: [5, 0, 3, 0, 9, 1], actionVocabulary: 3)
        XCTAssertEqual(o.languageIds, [1, 3, 5])
        XCTAssertEqual((0..<6).map { o.actionToken($0) }, [nil, 0, nil, 1, nil, 2])
        XCTAssertEqual(o.languageIds(of: [2, 0, 1]), [5, 1, 3])
        XCTAssertEqual(try VocabularyOverlay(usage: [Int](repeating: 0, count: 10), actionVocabulary: 4).languageIds, [6, 7, 8, 9])
        XCTAssertThrowsError(try VocabularyOverlay(usage: [1, 2], actionVocabulary: 3)) { XCTAssertTrue("\($0)".contains("action_vocabulary"), "\($0)") }
    }

    /// Reading back: language-only ids in action positions are counted as conflation and left out.
    func testReadingBackCountsConflation() throws {
        let o = try VocabularyOverlay(usage: [5, 0, 3, 0, 9, 1], actionVocabulary: 3)
        let (tokens, conflated) = o.actionTokens(of: [5, 0, 1, 4, 3, 99])
        XCTAssertEqual(tokens, [2, 0, 1])
        XCTAssertEqual(conflated, [1, 3, 5])
        // Property: any action tokens survive the trip through language ids unchanged, with no conflation.
        var rng = SeededGenerator(seed: 2)
        for _ in 0..<50 {
            let t = (0..<Int.random(in: 0...20, using: &rng)).map { _ in Int.random(in: 0..<3, using: &rng) }
            let back = o.actionTokens(of: o.languageIds(of: t))
            XCTAssertEqual(back.tokens, t); XCTAssertEqual(back.conflated, [])
        }
    }

    /// The overlay's constraint allows only action ids, and over an inner constraint exactly the
    /// ids of what it allows (here the residual VQ's layer mask), ending where it ends.
    func testConstraintAllowsOnlyActionIdsUnderTheInnerRule() throws {
        let o = try VocabularyOverlay(usage: [Int](repeating: 1, count: 20), actionVocabulary: 6)  // ids 14...19
        var allowed = [Bool](repeating: true, count: 20)
        XCTAssertTrue(o.constraint().next(after: [3], allowed: &allowed))
        XCTAssertEqual(allowed, (0..<20).map { $0 >= 14 })
        let layered = o.constraint(over: LayerConstraint(layers: 2, codebookSize: 3, length: 4))
        XCTAssertFalse(layered.next(after: [], allowed: &allowed))
        XCTAssertEqual(allowed, (0..<20).map { (14...16).contains($0) }, "layer 0: action tokens 0-2")
        XCTAssertFalse(layered.next(after: [15], allowed: &allowed))
        XCTAssertEqual(allowed, (0..<20).map { (17...19).contains($0) }, "layer 1: action tokens 3-5")
        XCTAssertTrue(layered.next(after: [15, 18, 14, 19], allowed: &allowed))
        XCTAssertEqual(allowed, [Bool](repeating: false, count: 20))
    }
}
