import ActionData
import Foundation
import Policies
import Support
import Tokenizers
import Experiments
import Metrics

/// The FAST paper's didactic prediction task, one cell at a time: tokenize splines, train, decode.
///
/// A cell is one tokenizer at one sampling rate with one seed. Its training splines fit the
/// tokenizer and train a ``TokenPolicy`` (the engine's GPT with the spline's 4 control points as a
/// prefix of 4 continuous vectors `(t, y)`) with teacher forcing; its held-out splines are
/// predicted by greedy decoding and compared with the true spline. Both the frequency sweep and
/// the scorecard run cells through here, so a cell they share is trained once (``CellCache``).
public struct SplinePrediction {
    /// Everything a cell's result depends on; its JSON is the cell's cache description.
    public struct Spec: Codable, Equatable {
        public var tokenizer: String
        /// The tokenizer's settings table as canonical JSON.
        public var settings: String
        /// Steps per sequence (the sampling rate: one spline is one second).
        public var steps: Int
        public var seed: UInt64
        public var trainExamples: Int
        public var testExamples: Int
        public var policy: TokenPolicyConfig
    }

    /// What one cell measured. Everything here is deterministic for a fixed thread count, except
    /// `trainSeconds`, which is shown on the terminal and never written to results.
    public struct Cell: Codable, Equatable {
        /// Mean squared error of the decoded prediction against the true spline (held-out splines).
        public var mse: Double
        /// `mse` divided by the variance of the true held-out values.
        public var relativeMSE: Double
        /// Mean squared error of the tokenizer's own round trip of the true splines: the floor the
        /// model cannot go below.
        public var reconstructionMSE: Double
        /// Share of predicted tokens equal to the token before them, and the same for the true tokens.
        public var copyRate: Double, trueCopyRate: Double
        /// Share of predicted sequences made of one repeated token (a flat line for per-step tokens).
        public var constantShare: Double
        /// Share of predicted sequences that do not decode cleanly (strict decoding would reject them).
        public var decodeFailures: Double
        /// Mean tokens per true held-out sequence, and per predicted sequence.
        public var tokensPerSequence: Double, predictedTokens: Double
        /// Exact teacher-forced training loss at the end of training (nats per token).
        public var finalLoss: Double
        /// Seconds spent training (machine-dependent; not written to results).
        public var trainSeconds: Double
        /// Seconds to generate one chunk alone, greedy with the KV cache (machine-dependent; a timing).
        public var chunkSeconds: Double
        /// The first held-out spline and its prediction, for the overlay figure.
        public var exampleTruth: [Double], examplePrediction: [Double]
        /// A learned tokenizer's unquantised floor: the mean squared error of the true held-out
        /// splines through its encoder and decoder trained with no quantiser (nil: not learned).
        public var floorMSE: Double? = nil
        /// ``floorMSE``, or NaN when the tokenizer has no floor.
        public var floorMSEOrNaN: Double { floorMSE ?? .nan }
    }

    /// Held-out chunks produced one at a time to time a chunk's latency.
    static let latencyChunks = 10

    /// The splines of one cell: training and held-out sets with their conditions.
    public static func data(_ spec: Spec) throws -> (train: ChunkSet, trainConditions: [[Double]], test: ChunkSet, testConditions: [[Double]]) {
        try data(seed: spec.seed, steps: spec.steps, train: spec.trainExamples, test: spec.testExamples)
    }

    /// The training and held-out splines of a cell with `seed` at `steps` steps (every contender's, token or continuous).
    static func data(seed: UInt64, steps: Int, train trainCount: Int, test testCount: Int) throws
        -> (train: ChunkSet, trainConditions: [[Double]], test: ChunkSet, testConditions: [[Double]]) {
        let root = SeededGenerator(seed: seed)
        let train = try DidacticSplines.sample(count: trainCount, steps: steps, seed: root.derived("train").seed)
        let test = try DidacticSplines.sample(count: testCount, steps: steps, seed: root.derived("test").seed)
        return (train.chunks, train.conditions, test.chunks, test.conditions)
    }

    /// Squared error summed over `predictions` against `truth`, and the MSE and relative MSE it gives.
    static func scores(_ predictions: [[Double]], truth test: ChunkSet) -> (mse: Double, relativeMSE: Double) {
        var sq = 0.0
        for (p, t) in zip(predictions, test.chunks) { sq += zip(p, t.values).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }
        let mse = sq / Double(test.count * test.steps)
        let allTruth = test.chunks.flatMap(\.values)
        let variance = Statistics.mean(allTruth.map { $0 * $0 }) - pow(Statistics.mean(allTruth), 2)
        return (mse, variance > 0 ? mse / variance : .nan)
    }

    /// Mean wall-clock seconds to produce one chunk alone (batch of one), over the first `count`
    /// held-out conditions: what a robot waits per chunk. Machine-dependent; never judged.
    static func secondsPerChunk(_ count: Int, _ produce: (Int) throws -> Void) rethrows -> Double {
        let t0 = monotonicSeconds()
        for i in 0..<count { try produce(i) }
        return (monotonicSeconds() - t0) / Double(max(count, 1))
    }

    /// The prefix for one spline: its 4 control points as `(t, y)` pairs, flattened.
    public static func condition(_ controls: [Double]) -> [Float] {
        zip(DidacticSplines.knots, controls).flatMap { [Float($0), Float($1)] }
    }

    /// Computes one cell (without the cache).
    public static func compute(_ spec: Spec, progress: @escaping (TrainingProgress) -> Void) throws -> Cell {
        let (train, trainConditions, test, testConditions) = try data(spec)
        let tok = try TokenizerRegistry.make(spec.tokenizer, parameters: ParameterReader(
            try ParameterValue.parseJSON(Data(spec.settings.utf8), source: "settings of \(spec.tokenizer)"), location: "tokenizer \(spec.tokenizer)"))
        (tok as? any ReportsProgress)?.progress = progress
        try tok.fit(train)
        let trainTokens = try train.chunks.map { try tok.encode($0) }
        let testTokens = try test.chunks.map { try tok.encode($0) }
        let longest = trainTokens.map(\.count).max() ?? 1
        let fixed = tok.tokensPerChunk(steps: spec.steps, dims: 1)
        let length: GenerationLength = fixed.map { .fixed($0) } ?? .untilEnd(max: longest + longest / 4 + 4)

        let set = try TokenSequenceSet(sequences: trainTokens, conditions: trainConditions.map(condition),
                                       prefixLength: 4, conditionDim: 2, vocabulary: tok.vocabularySize)
        let policy = try TokenPolicy(config: spec.policy, vocabulary: tok.vocabularySize, prefixLength: 4, conditionDim: 2,
                                     maxLength: length.limit, seed: SeededGenerator(seed: spec.seed).derived("policy-\(spec.tokenizer)-\(spec.steps)").seed)
        let summary = try policy.train(set, progress: progress)
        let predicted = try policy.generate(conditions: testConditions.map(condition), length: length)
        let chunkSeconds = try secondsPerChunk(min(latencyChunks, test.count)) { i in
            _ = try policy.generate(conditions: [condition(testConditions[i])], length: length)
        }

        var decoded: [[Double]] = [], reconstructed: [[Double]] = [], failures = 0
        for (i, tokens) in predicted.enumerated() {
            let (chunk, clean) = decodeForEvaluation(tok, tokens, steps: spec.steps)
            if !clean { failures += 1 }
            decoded.append(chunk.values)
            reconstructed.append(decodeForEvaluation(tok, testTokens[i], steps: spec.steps).chunk.values)
        }
        let (mse, relativeMSE) = scores(decoded, truth: test)
        let floorMSE = try (tok as? any MeasuresUnquantisedFloor).map { try $0.unquantisedFloor(fitting: train, measuring: [test]).meanSquaredError }
        return Cell(mse: mse, relativeMSE: relativeMSE, reconstructionMSE: scores(reconstructed, truth: test).mse,
                    copyRate: PredictionMetrics.copyRate(predicted), trueCopyRate: PredictionMetrics.copyRate(testTokens),
                    constantShare: PredictionMetrics.constantShare(predicted), decodeFailures: Double(failures) / Double(test.count),
                    tokensPerSequence: Statistics.mean(testTokens.map { Double($0.count) }),
                    predictedTokens: Statistics.mean(predicted.map { Double($0.count) }),
                    finalLoss: summary.finalLoss, trainSeconds: summary.seconds, chunkSeconds: chunkSeconds,
                    exampleTruth: test.chunks[0].values, examplePrediction: decoded[0], floorMSE: floorMSE)
    }

    /// Decodes a predicted sequence for scoring: whether it decodes cleanly, and the chunk scored.
    ///
    /// A tokenizer with ``RelaxedDecoding`` (FAST: unknown ids dropped, coefficients truncated or
    /// zero-padded, values clamped) decodes with repairs, and a sequence strict decoding would
    /// reject counts as a failure. Any other tokenizer's failure scores as an all-zero chunk.
    public static func decodeForEvaluation(_ tok: any ActionTokenizer, _ tokens: [Int], steps: Int, dims: Int = 1) -> (chunk: ActionChunk, clean: Bool) {
        if let relaxed = tok as? any RelaxedDecoding, let r = try? relaxed.decodeRelaxed(tokens, steps: steps, dims: dims) {
            return r
        }
        if let chunk = try? tok.decode(tokens, steps: steps, dims: dims) { return (chunk, true) }
        return (try! ActionChunk(steps: steps, dims: dims, values: [Double](repeating: 0, count: steps * dims)), false)
    }
}
