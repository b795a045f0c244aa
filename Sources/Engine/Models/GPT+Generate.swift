import Foundation
import Support

/// How the next token is chosen from logits.
public enum SamplingStrategy: Sendable, Equatable {
    /// The most likely token.
    case greedy
    /// A draw from softmax(logits / temperature).
    case temperature(Float)
    /// A draw from the `k` most likely tokens, after dividing logits by `temperature`.
    case topK(Int, temperature: Float)
}

/// Picks tokens from logits with a strategy and a seeded generator.
public struct Sampler {
    /// The strategy.
    public var strategy: SamplingStrategy
    /// The random stream (unused for greedy).
    public var rng: SeededGenerator

    /// Creates a sampler.
    public init(_ strategy: SamplingStrategy = .greedy, seed: UInt64 = 0) {
        self.strategy = strategy
        rng = SeededGenerator(seed: seed)
    }

    /// Picks one id from `logits` (length V); ids whose `allowed` entry is false are never picked.
    public mutating func pick(_ logits: UnsafePointer<Float>, count v: Int, allowed: [Bool]? = nil) -> Int {
        var z = (0..<v).map { allowed == nil || allowed![$0] ? logits[$0] : -Float.infinity }
        guard let best = z.indices.max(by: { z[$0] < z[$1] }), z[best] > -.infinity else {
            preconditionFailure("no token is allowed")
        }
        var temp: Float = 1
        switch strategy {
        case .greedy: return best
        case let .temperature(t): temp = t
        case let .topK(k, t):
            temp = t
            if k < v {
                let kth = z.sorted(by: >)[max(k - 1, 0)]
                for i in 0..<v where z[i] < kth { z[i] = -.infinity }
            }
        }
        if temp <= 0 { return best }
        let m = z[best]
        var w = z.map { $0 == -.infinity ? 0 : Double(expf(($0 - m) / temp)) }
        let total = w.reduce(0, +)
        var u = rng.nextUniform() * total
        for i in 0..<v where w[i] > 0 {
            u -= w[i]
            if u < 0 { return i }
        }
        w.removeAll()
        return best
    }
}

extension GPT {
    /// Fresh per-layer caches for `batch` sequences.
    public func makeCaches(batch: Int) -> [KVCache] {
        blocks.map { _ in KVCache(batch: batch, heads: config.heads, capacity: config.contextLength, headDim: config.dModel / config.heads) }
    }

    /// Runs new tokens (and, on the first call, the prefix) through the model using `caches`;
    /// returns the logits `[B, V]` after the last new token. No gradients.
    public func step(tokens: [Int], batch: Int, condition: Tensor? = nil, caches: [KVCache]) throws -> Tensor {
        let offset = caches[0].length
        let (t, _) = try validate(tokens: tokens, batch: batch, condition: condition, offset: offset)
        return Tape.noGrad {
            let h = trunk(tokens: tokens, batch: batch, t: t, condition: condition, offset: offset, caches: caches)
            let last = h.slice(axis: 1, (h.shape[1] - 1)..<h.shape[1]).reshaped([batch, config.dModel])
            return head(lnF(last))
        }
    }

    /// Logits `[B, V]` after the last token, recomputing the whole sequence (no cache).
    public func lastLogits(tokens: [Int], batch: Int, condition: Tensor? = nil) throws -> Tensor {
        try Tape.noGrad {
            let logits = try self(tokens: tokens, batch: batch, condition: condition)
            let t = logits.shape[1]
            return logits.slice(axis: 1, (t - 1)..<t).reshaped([batch, config.vocabSize])
        }
    }

    /// Extends each prompt (`prompts`: equal lengths, at least one token, e.g. BOS) by `newTokens`
    /// tokens and returns only the generated ones.
    ///
    /// - Parameters:
    ///   - allowed: optional constraint: given the step index and one sequence so far (prompt
    ///     included), the ids that may come next (`true` = allowed).
    ///   - useCache: decode incrementally with a KV cache (default) or recompute every step.
    public func generate(prompts: [[Int]], condition: Tensor? = nil, newTokens: Int, sampler: inout Sampler,
                         allowed: ((_ step: Int, _ sequence: [Int]) -> [Bool])? = nil, useCache: Bool = true) throws -> [[Int]] {
        let batch = prompts.count
        guard batch > 0, let t0 = prompts.first?.count, t0 > 0, prompts.allSatisfy({ $0.count == t0 }) else {
            throw EngineError.invalidArgument("generate needs a non-empty batch of equal-length, non-empty prompts")
        }
        var seqs = prompts
        var generated = Array(repeating: [Int](), count: batch)
        let caches = useCache ? makeCaches(batch: batch) : []
        let v = config.vocabSize
        for s in 0..<newTokens {
            let logits: Tensor
            if useCache {
                logits = s == 0 ? try step(tokens: seqs.flatMap { $0 }, batch: batch, condition: condition, caches: caches)
                    : try step(tokens: seqs.map { $0.last! }, batch: batch, caches: caches)
            } else {
                logits = try lastLogits(tokens: seqs.flatMap { $0 }, batch: batch, condition: condition)
            }
            for b in 0..<batch {
                let mask = allowed?(s, seqs[b])
                if let mask, mask.count != v { throw EngineError.shapeMismatch("allowed-token mask", expected: [v], got: [mask.count]) }
                let id = sampler.pick(logits.ptr + b * v, count: v, allowed: mask)
                seqs[b].append(id)
                generated[b].append(id)
            }
        }
        return generated
    }
}
