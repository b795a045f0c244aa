import XCTest
import Engine
import Policies
import Support
import Tokenizers

/// Behaviour of the token policy: memorising, stopping at EOS, constrained decoding, determinism.
final class TokenPolicyTests: XCTestCase {
    /// A tiny, fast configuration that memorises a handful of sequences in a few hundred steps.
    static var tiny: TokenPolicyConfig {
        var c = TokenPolicyConfig.defaults
        c.dModel = 32; c.heads = 2; c.layers = 1; c.mlpRatio = 2
        c.trainingSteps = 300; c.batchSize = 8; c.learningRate = 1e-2; c.warmupSteps = 20
        c.weightDecay = 0; c.progressEvery = 100
        return c
    }

    /// Distinct conditions of four (x, y) points.
    static func conditions(_ n: Int) -> [[Float]] {
        (0..<n).map { i in (0..<8).map { j in Float(((i * 7 + j * 3) % 11)) / 5 - 1 } }
    }

    func testOverfitsFixedLengthSequencesAndReproducesThemGreedily() throws {
        let sequences = [[1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1], [0, 0, 9, 9, 0, 0], [15, 3, 15, 3, 15, 3], [7, 8, 7, 8, 1, 2]]
        let set = try TokenSequenceSet(sequences: sequences, conditions: Self.conditions(5), prefixLength: 4, conditionDim: 2, vocabulary: 16)
        let policy = try TokenPolicy(config: Self.tiny, for: set, seed: 3)
        var reports: [TrainingProgress] = []
        let summary = try policy.train(set) { reports.append($0) }
        XCTAssertEqual(reports.map(\.step), [100, 200, 300])
        XCTAssertEqual(reports.last?.eta, 0)
        XCTAssertEqual(summary.steps, 300)
        XCTAssertEqual(summary.lossCurve.count, 30)
        XCTAssertEqual(summary.finalLossSequences, 5)
        XCTAssertLessThan(summary.finalLoss, 0.05, "a tiny policy should memorise five sequences")
        XCTAssertEqual(summary.finalLoss, try policy.teacherForcedLoss(set), accuracy: 1e-12)
        XCTAssertLessThan(summary.lossCurve.last!.loss, summary.lossCurve.first!.loss)
        XCTAssertEqual(try policy.generate(conditions: set.conditions, length: .fixed(6)), sequences)
        XCTAssertEqual(try policy.generate(conditions: set.conditions, length: .untilEnd(max: 6)), sequences)
    }

    func testLearnsEndOfSequenceForVariableLengths() throws {
        let sequences = [[4, 1], [2, 9, 9, 3, 1], [7], [3, 3, 3, 8, 8, 8, 5], []]
        let set = try TokenSequenceSet(sequences: sequences, conditions: Self.conditions(5), prefixLength: 4, conditionDim: 2, vocabulary: 10)
        let policy = try TokenPolicy(config: Self.tiny, for: set, seed: 5)
        XCTAssertEqual(policy.maxLength, 7)
        XCTAssertEqual(policy.bos, 10)
        XCTAssertEqual(policy.eos, 11)
        try policy.train(set)
        XCTAssertEqual(try policy.generate(conditions: set.conditions, length: .untilEnd(max: 7)), sequences)
        // A cap shorter than a sequence cuts it.
        let capped = try policy.generate(conditions: set.conditions, length: .untilEnd(max: 3))
        XCTAssertEqual(capped, sequences.map { Array($0.prefix(3)) })
    }

    func testFixedLengthNeverEmitsSpecialIds() throws {
        // Untrained: any logits.
        let fresh = try TokenPolicy(config: Self.tiny, vocabulary: 5, prefixLength: 4, conditionDim: 2, maxLength: 12, seed: 1)
        let out = try fresh.generate(conditions: Self.conditions(70), length: .fixed(12))
        XCTAssertEqual(out.count, 70, "more conditions than one evaluation batch")
        for row in out {
            XCTAssertEqual(row.count, 12)
            XCTAssertTrue(row.allSatisfy { (0..<5).contains($0) }, "\(row)")
        }
        // Batching and the KV cache change nothing: the engine's own constrained decoder, one
        // condition at a time, agrees token for token.
        for (row, c) in zip(out, Self.conditions(70)).prefix(5) {
            var sampler = Sampler(.greedy)
            let engine = try fresh.gpt.generate(prompts: [[fresh.bos]], condition: Tensor(shape: [1, 4, 2], scalars: c),
                                                newTokens: 12, sampler: &sampler) { _, _ in (0..<7).map { $0 < 5 } }
            XCTAssertEqual(row, engine[0])
        }
        // Trained to end at once: EOS is by far the most likely first token, yet never emitted.
        var config = Self.tiny
        config.trainingSteps = 60
        let empty = try TokenSequenceSet(sequences: [[], []], conditions: Self.conditions(2), prefixLength: 4, conditionDim: 2, vocabulary: 5)
        let stopper = try TokenPolicy(config: config, for: empty, maxLength: 6, seed: 2)
        try stopper.train(empty)
        XCTAssertEqual(try stopper.generate(conditions: empty.conditions, length: .untilEnd(max: 6)), [[], []])
        let forced = try stopper.generate(conditions: empty.conditions, length: .fixed(6))
        XCTAssertEqual(forced.map(\.count), [6, 6])
        XCTAssertTrue(forced.joined().allSatisfy { (0..<5).contains($0) }, "\(forced)")
        XCTAssertEqual(try stopper.generate(conditions: empty.conditions, length: .fixed(0)), [[], []])
        XCTAssertEqual(Tape.current.count, 0, "decoding records nothing")
    }

    func testSameSeedGivesBitIdenticalTrainingAndAnotherSeedDiffers() throws {
        var config = Self.tiny
        config.trainingSteps = 40
        config.batchSize = 3
        let sequences = [[1, 2, 3], [4, 5], [6, 7, 8, 9], [2, 2], [3]]
        let set = try TokenSequenceSet(sequences: sequences, conditions: Self.conditions(5), prefixLength: 4, conditionDim: 2, vocabulary: 10)
        func run(_ seed: UInt64) throws -> (TokenPolicy, TrainingSummary) {
            let p = try TokenPolicy(config: config, for: set, seed: seed)
            return (p, try p.train(set))
        }
        let (a, sa) = try run(7), (b, sb) = try run(7), (c, sc) = try run(8)
        XCTAssertEqual(Tape.current.count, 0, "every step releases its tape")
        XCTAssertEqual(sa.untimed, sb.untimed)
        for ((name, p), (_, q)) in zip(a.gpt.namedParameters(), b.gpt.namedParameters()) {
            XCTAssertEqual(p.scalars, q.scalars, "\(name) differs between runs with the same seed")
        }
        let differing = zip(a.gpt.namedParameters(), c.gpt.namedParameters()).filter { $0.0.1.scalars != $0.1.1.scalars }
        XCTAssertFalse(differing.isEmpty, "another seed should give other weights")
        XCTAssertNotEqual(sa.lossCurve, sc.lossCurve)
    }

    func testPaddingDoesNotLeakIntoTheLoss() throws {
        let sequences = [[3], [1, 4, 1, 5], [9, 2, 6, 5, 3, 5, 8, 9, 7], [], [2, 7]]
        let set = try TokenSequenceSet(sequences: sequences, conditions: Self.conditions(5), prefixLength: 4, conditionDim: 2, vocabulary: 10)
        let policy = try TokenPolicy(config: Self.tiny, for: set, seed: 4)
        // Each row alone, unpadded, straight through the engine.
        var total: Double = 0, tokens = 0
        for (s, c) in zip(set.sequences, set.conditions) {
            let loss = try Tape.noGrad {
                try policy.gpt.loss(tokens: [policy.bos] + s, targets: s + [policy.eos], batch: 1,
                                    condition: Tensor(shape: [1, 4, 2], scalars: c))
            }
            total += Double(loss.item) * Double(s.count + 1)
            tokens += s.count + 1
        }
        let expected = total / Double(tokens)
        // All five rows in one padded batch (rows padded to 10 positions), then in batches of two.
        XCTAssertEqual(try policy.teacherForcedLoss(set), expected, accuracy: 1e-5 * expected)
        var small = Self.tiny
        small.evaluationBatchSize = 2
        let twin = try TokenPolicy(config: small, for: set, seed: 4)
        XCTAssertEqual(try twin.teacherForcedLoss(set), expected, accuracy: 1e-5 * expected)
        XCTAssertEqual(Tape.current.count, 0)
    }

    /// Under a constraint, an untrained policy (near-uniform logits) produces only what the
    /// constraint allows: each position's id of its layer and exactly the constraint's length,
    /// ending (EOS) only where allowed; a constraint over another vocabulary is refused.
    func testGenerationFollowsAConstraint() throws {
        let layers = 3, codes = 4, windows = 2
        let constraint = LayerConstraint(layers: layers, codebookSize: codes, length: layers * windows)
        let policy = try TokenPolicy(config: Self.tiny, vocabulary: layers * codes, prefixLength: 4, conditionDim: 2, maxLength: 12, seed: 2)
        for length in [GenerationLength.untilEnd(max: 12), .fixed(layers * windows)] {
            let out = try policy.generate(conditions: Self.conditions(9), length: length, constraint: constraint)
            for seq in out {
                XCTAssertEqual(seq.count, layers * windows, "\(length)")
                XCTAssertEqual(seq.enumerated().map { $0.element / codes }, seq.indices.map { $0 % layers }, "\(seq)")
            }
        }
        // FAST-like: ids 0...2 expand to one coefficient, id 3 to two; five coefficients in all.
        let fast = FASTConstraint(expansionLengths: [1, 1, 1, 2], coefficients: 5)
        let small = try TokenPolicy(config: Self.tiny, vocabulary: 4, prefixLength: 4, conditionDim: 2, maxLength: 8, seed: 4)
        for seq in try small.generate(conditions: Self.conditions(12), length: .untilEnd(max: 8), constraint: fast) {
            XCTAssertEqual(fast.missing(after: seq), 0, "\(seq)")
        }
        XCTAssertThrowsError(try small.generate(conditions: Self.conditions(1), length: .untilEnd(max: 8), constraint: constraint))
    }
}
