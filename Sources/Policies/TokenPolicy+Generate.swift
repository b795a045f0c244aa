import Engine
import Tokenizers

/// How many tokens ``TokenPolicy/generate(conditions:length:)`` produces per condition.
public enum GenerationLength: Sendable, Equatable {
    /// Exactly `n` tokens: EOS and BOS are forbidden, so every output has length `n`
    /// (fixed-length tokenizers: per-step binning, BEAST, Verlet).
    case fixed(Int)
    /// Tokens until the model emits EOS (not included in the output) or `max` tokens have been
    /// produced, whichever comes first (variable-length tokenizers: FAST). BOS is forbidden.
    case untilEnd(max: Int)

    /// The largest number of tokens this length can produce.
    public var limit: Int {
        switch self {
        case let .fixed(n): return n
        case let .untilEnd(n): return n
        }
    }
}

extension TokenPolicy {
    /// Greedy (or sampled) decoding from each condition (flattened, `prefixLength * conditionDim` values).
    ///
    /// Conditions are decoded in batches of ``TokenPolicyConfig/evaluationBatchSize`` with the
    /// engine's KV cache (`GPT.makeCaches` and `GPT.step`, no gradients): the prefix and BOS go in
    /// first, then one token per step. At each step `sampler` (the engine's greedy `Sampler` unless
    /// given) picks an id among those allowed (special ids as `length` says), row by row; a row that
    /// has ended keeps feeding EOS until every row of the batch has ended. Throws ``PolicyError``
    /// for a bad condition or a length outside `0...maxLength`.
    ///
    /// With a `constraint` (constrained decoding), each row picks only ids the constraint allows
    /// after that row's tokens so far, and EOS only where it allows the end (`.untilEnd`); a row
    /// that has no allowed id and may end, ends. The constraint must speak about the policy's
    /// whole vocabulary.
    public func generate(conditions: [[Float]], length: GenerationLength, sampler: Sampler = Sampler(.greedy),
                         constraint: (any TokenConstraint)? = nil) throws -> [[Int]] {
        let n = length.limit
        guard (0...maxLength).contains(n) else {
            throw PolicyError.invalidArgument("cannot generate \(n) tokens: the policy's maxLength is \(maxLength)")
        }
        try TokenSequenceSet.check(conditions, prefixLength: prefixLength, conditionDim: conditionDim)
        guard n > 0 else { return conditions.map { _ in [] } }
        if let constraint, constraint.vocabularySize != vocabulary {
            throw PolicyError.invalidArgument("the constraint covers \(constraint.vocabularySize) ids, the policy's vocabulary is \(vocabulary)")
        }
        let v = gpt.config.vocabSize
        var allowed = [Bool](repeating: true, count: v)
        allowed[bos] = false
        if case .fixed = length { allowed[eos] = false }
        let stopsAtEnd = allowed[eos]
        var sampler = sampler
        let wasTraining = gpt.training
        gpt.training = false
        defer { gpt.training = wasTraining }

        var out: [[Int]] = []
        out.reserveCapacity(conditions.count)
        for start in stride(from: 0, to: conditions.count, by: config.evaluationBatchSize) {
            let rows = Array(conditions[start..<min(start + config.evaluationBatchSize, conditions.count)])
            let b = rows.count
            let caches = gpt.makeCaches(batch: b)
            var logits = try gpt.step(tokens: Array(repeating: bos, count: b), batch: b,
                                      condition: conditionTensor(rows), caches: caches)
            var generated = Array(repeating: [Int](), count: b)
            var ended = Array(repeating: false, count: b)
            var last = Array(repeating: eos, count: b)
            for s in 0..<n {
                for r in 0..<b where !ended[r] {
                    var rowAllowed = allowed
                    if let constraint {
                        let mayEnd = constraint.next(after: generated[r], allowed: &rowAllowed)
                        rowAllowed[eos] = stopsAtEnd && mayEnd
                        if !rowAllowed.contains(true) {
                            guard mayEnd else {
                                throw PolicyError.invalidArgument("the constraint allows no token and no end after \(generated[r].count) tokens")
                            }
                            ended[r] = true; continue
                        }
                    }
                    let id = sampler.pick(logits.ptr + r * v, count: v, allowed: rowAllowed)
                    if stopsAtEnd && id == eos { ended[r] = true; continue }
                    generated[r].append(id)
                    last[r] = id
                }
                guard s + 1 < n, ended.contains(false) else { break }
                for r in 0..<b where ended[r] { last[r] = eos }
                logits = try gpt.step(tokens: last, batch: b, caches: caches)
            }
            out.append(contentsOf: generated)
        }
        return out
    }
}
