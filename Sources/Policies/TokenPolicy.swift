import Engine
import Support

/// An autoregressive policy over token sequences: the engine's ``GPT`` conditioned on a continuous prefix.
///
/// The model sees `[condition (prefixLength vectors), BOS, t₁, …, tₙ]` and is trained with teacher
/// forcing to predict `[t₁, …, tₙ, EOS]`: input row `[BOS] + sequence`, target row
/// `sequence + [EOS]`. Its vocabulary is the tokenizer's `0..<vocabulary` plus two special ids,
/// ``bos`` `= vocabulary` and ``eos`` `= vocabulary + 1`; its context holds the prefix,
/// ``maxLength`` tokens and the BOS. Rows of a batch are padded to the batch's longest row and
/// the padded positions are masked out of the loss, so the loss of a batch is the token-weighted
/// mean over its real targets (EOS included).
///
/// Training (``train(_:progress:)``, in `TokenPolicy+Training.swift`) and greedy decoding
/// (``generate(conditions:length:)``, in `TokenPolicy+Generate.swift`) are deterministic: the
/// weights come from `seed`, the minibatches from a stream derived from it, and the engine's
/// parallel splits do not depend on `Parallel.threads`.
public final class TokenPolicy {
    /// Model shape and training settings.
    public let config: TokenPolicyConfig
    /// Token ids the tokenizer uses (`0..<vocabulary`).
    public let vocabulary: Int
    /// Conditioning vectors per sequence, and their width.
    public let prefixLength: Int, conditionDim: Int
    /// Longest token sequence the policy trains on or generates.
    public let maxLength: Int
    /// The seed the weights and minibatch order derive from.
    public let seed: UInt64
    /// The underlying transformer (vocabulary `vocabulary + 2`).
    public let gpt: GPT

    /// Begin-of-sequence id: the first input of every row; never generated.
    public var bos: Int { vocabulary }
    /// End-of-sequence id: the last target of every row; never part of a returned sequence.
    public var eos: Int { vocabulary + 1 }
    /// Whether the model takes a conditioning prefix (`prefixLength > 0` and `conditionDim > 0`).
    public var isConditioned: Bool { prefixLength > 0 && conditionDim > 0 }

    /// Builds an untrained policy; throws a ``ConfigError`` for a bad config field and a
    /// ``PolicyError`` for a bad shape.
    public init(config: TokenPolicyConfig = .defaults, vocabulary: Int, prefixLength: Int, conditionDim: Int,
                maxLength: Int, seed: UInt64) throws {
        try config.validate()
        guard vocabulary >= 1 else { throw PolicyError.invalidArgument("vocabulary must be ≥ 1, found \(vocabulary)") }
        guard prefixLength >= 0, conditionDim >= 0 else {
            throw PolicyError.invalidArgument("prefixLength (\(prefixLength)) and conditionDim (\(conditionDim)) must be ≥ 0")
        }
        guard maxLength >= 1 else { throw PolicyError.invalidArgument("maxLength must be ≥ 1, found \(maxLength)") }
        self.config = config; self.vocabulary = vocabulary
        self.prefixLength = prefixLength; self.conditionDim = conditionDim
        self.maxLength = maxLength; self.seed = seed
        let conditioned = prefixLength > 0 && conditionDim > 0
        let gptConfig = GPTConfig(vocabSize: vocabulary + 2, contextLength: (conditioned ? prefixLength : 0) + maxLength + 1,
                                  dModel: config.dModel, heads: config.heads, layers: config.layers,
                                  mlpRatio: config.mlpRatio, conditionDim: conditioned ? conditionDim : 0)
        gpt = GPT(gptConfig, seed: SeededGenerator(seed: seed).derived("model").seed)
    }

    /// Builds an untrained policy shaped for `set` (its vocabulary, prefix and, unless given,
    /// its longest sequence as ``maxLength``).
    public convenience init(config: TokenPolicyConfig = .defaults, for set: TokenSequenceSet, maxLength: Int? = nil,
                            seed: UInt64) throws {
        try self.init(config: config, vocabulary: set.vocabulary, prefixLength: set.prefixLength,
                      conditionDim: set.conditionDim, maxLength: maxLength ?? max(set.maxLength, 1), seed: seed)
    }

    /// Throws ``PolicyError`` when `set` does not fit this policy.
    func check(_ set: TokenSequenceSet) throws {
        guard set.vocabulary == vocabulary else {
            throw PolicyError.mismatch("the set's vocabulary is \(set.vocabulary), the policy's \(vocabulary)")
        }
        guard set.prefixLength == prefixLength, set.conditionDim == conditionDim else {
            throw PolicyError.mismatch("the set's conditions are \(set.prefixLength) × \(set.conditionDim), the policy's \(prefixLength) × \(conditionDim)")
        }
        if let i = set.sequences.firstIndex(where: { $0.count > maxLength }) {
            throw PolicyError.badSequence(index: i, problem: "has \(set.sequences[i].count) tokens, more than the policy's maxLength \(maxLength)")
        }
    }

    /// The conditioning tensor `[B, prefixLength, conditionDim]` for `rows` (nil when unconditioned).
    func conditionTensor(_ rows: [[Float]]) -> Tensor? {
        guard isConditioned else { return nil }
        return Tensor(shape: [rows.count, prefixLength, conditionDim], scalars: rows.flatMap { $0 })
    }

    /// Teacher-forcing rows for some sequences of a set, padded to the longest row.
    struct PaddedBatch {
        /// Row-major `[batch, length]` inputs (`[BOS] + sequence`, then padding).
        var inputs: [Int] = []
        /// Row-major `[batch, length]` targets (`sequence + [EOS]`, then padding).
        var targets: [Int] = []
        /// Whether each target counts in the loss (false on padding).
        var mask: [Bool] = []
        /// Rows, and positions per row.
        var batch = 0, length = 0
        /// Targets that count (real tokens plus one EOS per row).
        var targetCount = 0
        /// The conditioning prefix, when the policy has one.
        var condition: Tensor?
    }

    /// Builds the padded teacher-forcing batch for `set`'s sequences at `indices`.
    func paddedBatch(_ set: TokenSequenceSet, _ indices: [Int]) -> PaddedBatch {
        var b = PaddedBatch()
        b.batch = indices.count
        b.length = (indices.map { set.sequences[$0].count }.max() ?? 0) + 1
        let n = b.batch * b.length
        b.inputs.reserveCapacity(n); b.targets.reserveCapacity(n); b.mask.reserveCapacity(n)
        for i in indices {
            let s = set.sequences[i], pad = b.length - s.count - 1
            b.inputs.append(bos); b.inputs.append(contentsOf: s)
            b.inputs.append(contentsOf: repeatElement(eos, count: pad))
            b.targets.append(contentsOf: s); b.targets.append(eos)
            b.targets.append(contentsOf: repeatElement(0, count: pad))
            b.mask.append(contentsOf: repeatElement(true, count: s.count + 1))
            b.mask.append(contentsOf: repeatElement(false, count: pad))
            b.targetCount += s.count + 1
        }
        b.condition = conditionTensor(indices.map { set.conditions[$0] })
        return b
    }

    /// Mean cross-entropy over the batch's unmasked targets (recorded on the tape unless in no-grad mode).
    func loss(_ b: PaddedBatch) throws -> Tensor {
        try gpt.loss(tokens: b.inputs, targets: b.targets, batch: b.batch, condition: b.condition, mask: b.mask)
    }

    /// The exact teacher-forced loss of `set`: the mean cross-entropy (nats) over every target
    /// token, each sequence's EOS included, so longer sequences weigh more.
    ///
    /// Computed in no-grad mode, in batches of ``TokenPolicyConfig/evaluationBatchSize`` rows
    /// grouped by length (to limit padding); padding never enters the loss.
    public func teacherForcedLoss(_ set: TokenSequenceSet) throws -> Double {
        try check(set)
        let wasTraining = gpt.training
        gpt.training = false
        defer { gpt.training = wasTraining }
        let order = set.sequences.indices.sorted { (set.sequences[$0].count, $0) < (set.sequences[$1].count, $1) }
        var total: Double = 0, count = 0
        for start in stride(from: 0, to: order.count, by: config.evaluationBatchSize) {
            let b = paddedBatch(set, Array(order[start..<min(start + config.evaluationBatchSize, order.count)]))
            let mean = try Tape.noGrad { try loss(b).item }
            total += Double(mean) * Double(b.targetCount)
            count += b.targetCount
        }
        return total / Double(count)
    }
}
