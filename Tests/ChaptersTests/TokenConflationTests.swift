import ActionData
import Foundation
import Support
import Tokenizers
import XCTest
@testable import Chapters
@testable import Experiments

/// The token-conflation experiment: its side language against Zipf's law and its grammar, the
/// reading of written sequences (language tokens, malformed chunks, errors) by hand, and the
/// claims' statistics from made-up counts.
final class TokenConflationTests: XCTestCase {
    /// With no successors, the id frequencies follow 1 / (id + 1) within a binomial bound; with
    /// successors only, every id after the first is the previous id's fixed successor.
    func testSideLanguageFollowsZipfAndItsGrammar() {
        var rng = SeededGenerator(seed: 3)
        let zipf = TokenConflation.SideLanguage(size: 50, exponent: 1, successorShare: 0, lengths: 20...20, rng: &rng)
        let corpus = zipf.sequences(5000, rng: &rng)
        let usage = zipf.usage(corpus)
        let total = Double(usage.reduce(0, +))
        XCTAssertEqual(total, 100_000)
        let harmonic = (1...50).reduce(0.0) { $0 + 1 / Double($1) }
        for id in [0, 1, 9, 49] {
            let p = 1 / (Double(id + 1) * harmonic)
            // Five binomial standard deviations of the observed share.
            XCTAssertEqual(Double(usage[id]) / total, p, accuracy: 5 * (p * (1 - p) / total).squareRoot(), "id \(id)")
        }
        XCTAssertEqual(Set(zipf.successor).count, 50, "the successors are a permutation")

        let grammar = TokenConflation.SideLanguage(size: 50, exponent: 1, successorShare: 1, lengths: 3...7, rng: &rng)
        for s in grammar.sequences(200, rng: &rng) {
            XCTAssertTrue((3...7).contains(s.count))
            for i in 1..<s.count { XCTAssertEqual(s[i], grammar.successor[s[i - 1]]) }
        }
    }

    /// Three written chunks read back by hand: one decodes (its squared error is the round trip's),
    /// one holds a language id (a language failure, one language token), one is a token short
    /// (malformed).
    func testReadCountsLanguageTokensAndMalformedChunks() throws {
        let data = try ChunkSet(chunks: (0..<3).map { k in
            try ActionChunk(steps: 4, dims: 2, values: (0..<8).map { Double($0 + k) / 10 })
        })
        let tok = MinMaxBinning(BinningConfig(bins: 8))
        try tok.fit(data)
        // A 20-id language whose ids 12..19 are unused: the action tokens take them.
        let overlay = try VocabularyOverlay(usage: (0..<20).map { $0 < 12 ? 5 : 0 }, actionVocabulary: 8)
        XCTAssertEqual(overlay.languageIds, Array(12..<20))
        let good = overlay.languageIds(of: try tok.encode(data.chunks[0]))
        var withLanguage = overlay.languageIds(of: try tok.encode(data.chunks[1]))
        withLanguage[2] = 3
        let short = Array(overlay.languageIds(of: try tok.encode(data.chunks[2])).dropLast())
        let w = try TokenConflation.read([good, withLanguage, short], overlay: overlay, tokenizer: tok, truth: data)
        XCTAssertEqual(w.chunks, 3)
        XCTAssertEqual(w.tokens, 8 + 8 + 7)
        XCTAssertEqual(w.languageTokens, 1)
        XCTAssertEqual(w.languageFailures, 1)
        XCTAssertEqual(w.malformedFailures, 1)
        XCTAssertEqual(w.decoded, 1)
        XCTAssertEqual(w.failureShare, 2.0 / 3, accuracy: 1e-15)
        let decoded = try tok.roundTrip(data.chunks[0])
        for d in 0..<2 {
            let expected = (0..<4).reduce(0.0) { s, t in
                let e = decoded.values[t * 2 + d] - data.chunks[0].values[t * 2 + d]
                return s + e * e
            }
            XCTAssertEqual(w.squaredError[d], expected, accuracy: 1e-15)
        }
    }

    /// The statistics from made-up counts: language-token and failure shares per contender and
    /// family for the selected way of writing, and the error ratio constrained / unconstrained.
    func testStatisticsByHand() throws {
        let file = try ExperimentFile(root: ScratchWorkbench.repository, path: "experiments/deployment/token-conflation.toml")
        let reader = try ParameterReader(file.resolved(.smoke), location: "token-conflation.toml")
        _ = try reader.ints("seeds")
        let c = try TokenConflation().configure(reader)
        try reader.finish()
        XCTAssertEqual(c.families.map(\.rawValue), ["pick-and-place", "wipe"])
        // Every contender: 10 chunks of 4 steps, 1 dimension (scale 1); unconstrained writing fails
        // on 2 chunks (one with a language token) and has squared error 4 per decoded chunk
        // (relative RMSE 1), constrained writing fails on none with squared error 9 (RMSE 1.5).
        func written(constrained: Bool) -> TokenConflation.Written {
            constrained ? .init(chunks: 10, tokens: 100, languageTokens: 0, languageFailures: 0, malformedFailures: 0, decoded: 10, squaredError: [90])
                : .init(chunks: 10, tokens: 100, languageTokens: 1, languageFailures: 1, malformedFailures: 1, decoded: 8, squaredError: [32])
        }
        var cells: [String: TokenConflation.ContenderCells] = [:]
        XCTAssertEqual(c.rows, c.tokenizers + ["fast, 120 chunks, 60 steps"], "the ablation's row after the contenders")
        for t in c.rows {
            var w: [TokenConflation.Key: TokenConflation.Written] = [:]
            for f in c.families { for constrained in [false, true] { for d in c.decodings {
                w[.init(family: f.rawValue, constrained: constrained, decoding: d)] = written(constrained: constrained)
            } } }
            // The held-out loss is lowest at step 20 (and again at 30: the earlier one counts).
            let curve: [TokenConflation.ActionLoss] = [.init(step: 10, training: 3, heldOut: 3.5), .init(step: 20, training: 2, heldOut: 2.5),
                                                       .init(step: 30, training: 1, heldOut: 2.5), .init(step: 40, training: 0.5, heldOut: 2.75)]
            cells[t] = .init(written: w, actionLoss: curve, corpusShareOnActionIds: 0.01, actionIds: 8, finalLoss: 1, scale: [1], steps: 4, hash: t)
        }
        let outcome = try TokenConflation().outcome(c, perSeed: [cells], thresholds: .init(failures: 0.01, languageTokens: 0.001), inputHash: "h")
        func stat(_ name: String, _ select: [(String, ParameterValue)]) throws -> [[Double]] {
            try outcome.statistic(name, ParameterReader(.table(select.map { (key: $0.0, value: $0.1) }), location: "select"))
        }
        func metric(_ name: String, _ t: String) -> [Double]? {
            outcome.metrics.first { $0.metric == name && $0.condition.first?.value == t && $0.condition.count == 1 }?.perSeed
        }
        XCTAssertEqual(metric("action_loss_training_chunks", "fast"), [0.5], "the last check's training-chunk loss")
        XCTAssertEqual(metric("action_loss_held_out", "fast"), [2.75], "the last check's held-out loss")
        XCTAssertEqual(metric("lowest_held_out_loss_step", "minmax"), [20], "the earliest of two equal lowest held-out losses")
        let n = c.tokenizers.count * c.families.count   // the ablation's row is never judged
        XCTAssertEqual(try stat("conflated_share", [("constraint", .string("none")), ("decoding", .string("greedy"))]), [Array(repeating: 0.01, count: n)])
        XCTAssertEqual(try stat("decode_failure_share", [("constraint", .string("none")), ("decoding", .string("greedy")), ("family", .string("wipe"))]),
                       [Array(repeating: 0.2, count: c.tokenizers.count)])
        XCTAssertEqual(try stat("decode_failure_share", [("constraint", .string("constrained")), ("decoding", .string("greedy")), ("contender", .string("fast"))]), [[0, 0]])
        let ratio = try stat("error_ratio", [("decoding", .string("greedy"))])
        XCTAssertEqual(ratio[0].count, n)
        for r in ratio[0] { XCTAssertEqual(r, 1.5, accuracy: 1e-12) }
        XCTAssertThrowsError(try stat("conflated_share", [("constraint", .string("masked")), ("decoding", .string("greedy"))])) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "constraint")
        }
    }

    /// A loss-check interval that is not a multiple of the policy's progress interval (50 steps)
    /// is refused before any work, naming the key; a multiple is taken.
    func testLossIntervalValidated() throws {
        let file = try ExperimentFile(root: ScratchWorkbench.repository, path: "experiments/deployment/token-conflation.toml")
        for (every, accepted) in [(75, false), (0, false), (100, true)] {
            guard case .table(var entries) = file.resolved(.smoke) else { return XCTFail("expected a table") }
            entries.removeAll { $0.key == "loss_every" || $0.key == "seeds" }
            entries.append((key: "loss_every", value: .int(every)))
            let reader = try ParameterReader(.table(entries), location: "token-conflation.toml")
            if accepted {
                XCTAssertEqual(try TokenConflation().configure(reader).lossEvery, every)
            } else {
                XCTAssertThrowsError(try TokenConflation().configure(reader)) { XCTAssertEqual(($0 as? ConfigError)?.key, "loss_every", "\(every)") }
            }
        }
    }
}
