import Foundation
import Metrics
import Policies
import Support
import Tokenizers

/// Seconds to produce one action chunk at batch 1, per contender: the deployment chapter's latency.
///
/// Each contender is a ``Probe``: one call produces one chunk and says how long the model took,
/// how long turning its output into actions took (a tokenizer's decode), and how many tokens or
/// network evaluations it needed. ``measure(_:repetitions:warmUp:)`` calls the probes in turn,
/// each repetition starting one contender later, so that a drift of the machine's speed touches
/// every contender alike; results are medians and quartiles over the repetitions.
public enum ChunkLatency {
    /// What one chunk cost.
    public struct Sample: Sendable, Equatable {
        public var modelSeconds: Double, decodeSeconds: Double
        /// Tokens generated for the chunk (nil for a continuous policy).
        public var tokens: Int?
        /// Network evaluations for the chunk (nil for a token policy: one per token).
        public var functionEvaluations: Int?

        public init(modelSeconds: Double, decodeSeconds: Double, tokens: Int? = nil, functionEvaluations: Int? = nil) {
            self.modelSeconds = modelSeconds; self.decodeSeconds = decodeSeconds; self.tokens = tokens; self.functionEvaluations = functionEvaluations
        }

        public var seconds: Double { modelSeconds + decodeSeconds }
    }

    /// A contender: its name and how to produce one chunk.
    public struct Probe {
        public let name: String
        public let produce: () throws -> Sample

        public init(name: String, produce: @escaping () throws -> Sample) { self.name = name; self.produce = produce }

        /// A token policy: generates one chunk's tokens from `condition` with the KV cache, then
        /// decodes them with `tokenizer` into `steps` x `dims` (relaxed decoding where the
        /// tokenizer has it, so a malformed sequence still costs its decode).
        public static func tokens(_ name: String, policy: TokenPolicy, tokenizer: any ActionTokenizer, condition: [Float],
                                  length: GenerationLength, steps: Int, dims: Int, constraint: (any TokenConstraint)? = nil) -> Probe {
            Probe(name: name) {
                var tokens: [Int] = []
                let model = try Stopwatch.seconds { tokens = try policy.generate(conditions: [condition], length: length, constraint: constraint)[0] }
                let decode = Stopwatch.seconds {
                    if let relaxed = tokenizer as? any RelaxedDecoding { _ = try? relaxed.decodeRelaxed(tokens, steps: steps, dims: dims) }
                    else { _ = try? tokenizer.decode(tokens, steps: steps, dims: dims) }
                }
                return Sample(modelSeconds: model, decodeSeconds: decode, tokens: tokens.count)
            }
        }

        /// A continuous policy: samples one chunk from `condition` (its objective's network
        /// evaluations), noise from a stream seeded by `seed` and the call's number.
        public static func continuous(_ name: String, model: ContinuousChunkModel, condition: [Float], seed: UInt64) -> Probe {
            var calls: UInt64 = 0
            return Probe(name: name) {
                var rng = SeededGenerator(seed: seed).derived("latency call \(calls)")
                calls += 1
                let seconds = try Stopwatch.seconds { _ = try model.sample(conditions: [condition], rng: &rng) }
                return Sample(modelSeconds: seconds, decodeSeconds: 0, functionEvaluations: model.objective.functionEvaluations)
            }
        }
    }

    /// One contender's latency over the repetitions.
    public struct Result: Sendable, Equatable, Codable {
        public var name: String
        /// Median, first and third quartile, and extremes of the seconds per chunk.
        public var median: Double, lowerQuartile: Double, upperQuartile: Double, fastest: Double, slowest: Double
        /// Median seconds in the model and in the decode.
        public var modelMedian: Double, decodeMedian: Double
        /// Mean tokens per chunk (token policies) and network evaluations per chunk (continuous ones).
        public var tokens: Double?, functionEvaluations: Double?
        public var repetitions: Int
    }

    /// Calls every probe `warmUp` times untimed, then `repetitions` times each, in turn (repetition
    /// `r` starts with probe `r mod count`); returns one result per probe, in the probes' order.
    public static func measure(_ probes: [Probe], repetitions: Int, warmUp: Int = 1) throws -> [Result] {
        precondition(repetitions >= 1 && warmUp >= 0, "at least one repetition")
        for p in probes { for _ in 0..<warmUp { _ = try p.produce() } }
        var samples = [[Sample]](repeating: [], count: probes.count)
        for r in 0..<repetitions {
            for k in 0..<probes.count {
                let i = (r + k) % probes.count
                samples[i].append(try probes[i].produce())
            }
        }
        return zip(probes, samples).map { p, s in
            let total = s.map(\.seconds).sorted()
            let q = { (x: Double) in Statistics.quantile(sorted: total, x) }
            let tokens = s.compactMap(\.tokens), nfe = s.compactMap(\.functionEvaluations)
            return Result(name: p.name, median: q(0.5), lowerQuartile: q(0.25), upperQuartile: q(0.75), fastest: total.first!, slowest: total.last!,
                          modelMedian: Statistics.quantile(sorted: s.map(\.modelSeconds).sorted(), 0.5),
                          decodeMedian: Statistics.quantile(sorted: s.map(\.decodeSeconds).sorted(), 0.5),
                          tokens: tokens.isEmpty ? nil : Statistics.mean(tokens.map(Double.init)),
                          functionEvaluations: nfe.isEmpty ? nil : Statistics.mean(nfe.map(Double.init)), repetitions: s.count)
        }
    }
}
