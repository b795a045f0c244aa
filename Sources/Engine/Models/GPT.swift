/// Shape of a ``GPT``.
public struct GPTConfig: Sendable, Equatable, Codable {
    /// Number of token ids.
    public var vocabSize: Int
    /// Maximum sequence length, prefix positions included.
    public var contextLength: Int
    /// Model width.
    public var dModel: Int
    /// Attention heads per block.
    public var heads: Int
    /// Number of transformer blocks.
    public var layers: Int
    /// MLP hidden width as a multiple of `dModel`.
    public var mlpRatio: Int
    /// Residual dropout probability.
    public var dropout: Float
    /// Width of each continuous conditioning vector (0: no conditioning prefix).
    public var conditionDim: Int

    /// Creates a configuration; unspecified fields take their ``Defaults``.
    public init(vocabSize: Int, contextLength: Int, dModel: Int, heads: Int, layers: Int,
                mlpRatio: Int = Defaults.mlpRatio, dropout: Float = Defaults.dropout, conditionDim: Int = 0) {
        self.vocabSize = vocabSize; self.contextLength = contextLength; self.dModel = dModel
        self.heads = heads; self.layers = layers; self.mlpRatio = mlpRatio; self.dropout = dropout
        self.conditionDim = conditionDim
    }
}

/// A decoder-only transformer over token ids with an optional continuous conditioning prefix.
///
/// The sequence seen by the blocks is `[prefix (P positions), tokens (T positions)]`; prefix
/// vectors (e.g. 4 (x, y) points, `conditionDim = 2`) are mapped into the model width by a linear
/// layer, tokens by an embedding, and learned position embeddings are added to both. The logits
/// returned are those at the token positions: `logits[:, t]` predicts the token after `tokens[:, t]`.
/// To predict a sequence's first token from the prefix alone, start the input with a BOS id.
///
/// Parameter names: `wte.weight`, `wpe.weight`, `cond.weight`/`cond.bias` (with conditioning),
/// `blocks.{i}.{ln1,attn.qkv,attn.proj,ln2,mlp.layers.{0,1}}.{weight,bias}`, `ln_f.*`, `head.weight`.
public final class GPT: Module {
    /// The configuration.
    public let config: GPTConfig
    /// Token and position embeddings.
    public let wte: Embedding, wpe: Embedding
    /// Conditioning projection (present when `conditionDim > 0`).
    public let cond: Linear?
    /// The transformer blocks.
    public let blocks: [TransformerBlock]
    /// Final normalisation and the (untied) output head.
    public let lnF: LayerNorm, head: Linear

    /// Builds a model with weights drawn from `seed` (normal, std ``Defaults/initStd``).
    public init(_ config: GPTConfig, seed: UInt64) {
        self.config = config
        let rng = SeededGeneratorBox(seed: seed)
        wte = Embedding(config.vocabSize, config.dModel, rng: rng)
        wpe = Embedding(config.contextLength, config.dModel, rng: rng)
        cond = config.conditionDim > 0 ? Linear(config.conditionDim, config.dModel, std: Defaults.initStd, rng: rng) : nil
        blocks = (0..<config.layers).map { i in
            TransformerBlock(dModel: config.dModel, heads: config.heads, mlpRatio: config.mlpRatio, dropout: config.dropout,
                             rng: SeededGeneratorBox(rng.gen.derived("block\(i)")))
        }
        lnF = LayerNorm(config.dModel)
        head = Linear(config.dModel, config.vocabSize, bias: false, std: Defaults.initStd, rng: rng)
    }

    /// Switches dropout on (training) or off (evaluation).
    public var training: Bool {
        get { blocks.first?.drop.training ?? true }
        set { for b in blocks { b.drop.training = newValue } }
    }

    public func namedParameters() -> [(String, Tensor)] {
        var p = scoped("wte", wte.namedParameters()) + scoped("wpe", wpe.namedParameters())
        if let cond { p += scoped("cond", cond.namedParameters()) }
        for (i, b) in blocks.enumerated() { p += scoped("blocks.\(i)", b.namedParameters()) }
        return p + scoped("ln_f", lnF.namedParameters()) + scoped("head", head.namedParameters())
    }

    /// Checks token ids and conditioning against the configuration.
    func validate(tokens: [Int], batch: Int, condition: Tensor?, offset: Int = 0) throws -> (t: Int, p: Int) {
        guard batch > 0, tokens.count % batch == 0 else {
            throw EngineError.invalidArgument("\(tokens.count) token ids do not split into batch \(batch)")
        }
        let t = tokens.count / batch
        var p = 0
        if let condition {
            guard config.conditionDim > 0 else { throw EngineError.invalidArgument("model has no conditioning input (conditionDim = 0)") }
            guard condition.shape.count == 3, condition.shape[0] == batch, condition.shape[2] == config.conditionDim else {
                throw EngineError.shapeMismatch("condition", expected: [batch, -1, config.conditionDim], got: condition.shape)
            }
            p = condition.shape[1]
        }
        guard offset + p + t <= config.contextLength else {
            throw EngineError.invalidArgument("sequence of \(offset + p + t) positions exceeds context \(config.contextLength)")
        }
        if let bad = tokens.first(where: { $0 < 0 || $0 >= config.vocabSize }) {
            throw EngineError.invalidArgument("token id \(bad) outside 0..<\(config.vocabSize)")
        }
        return (t, p)
    }

    /// Hidden states `[B, P+T, C]` before the final norm; `offset` is the first position index.
    func trunk(tokens: [Int], batch: Int, t: Int, condition: Tensor?, offset: Int, caches: [KVCache]?) -> Tensor {
        var x = wte(tokens, shape: [batch, t])
        if let condition, let cond { x = Tensor.concat([cond(condition), x], axis: 1) }
        let n = x.shape[1]
        x = x + wpe(Array(offset..<(offset + n)), shape: [n])
        for (i, b) in blocks.enumerated() { x = b(x, cache: caches?[i]) }
        return x
    }

    /// Final-norm hidden states `[B, T, C]` at the token positions (for heads other than `head`,
    /// e.g. VQ-BeT code heads); arguments as ``callAsFunction(tokens:batch:condition:)``.
    public func features(tokens: [Int], batch: Int, condition: Tensor? = nil) throws -> Tensor {
        let (t, p) = try validate(tokens: tokens, batch: batch, condition: condition)
        var h = trunk(tokens: tokens, batch: batch, t: t, condition: condition, offset: 0, caches: nil)
        if p > 0 { h = h.slice(axis: 1, p..<(p + t)) }
        return lnF(h)
    }

    /// Logits `[B, T, V]` at the token positions; `tokens` is `[B, T]` row-major, `condition` `[B, P, conditionDim]`.
    public func callAsFunction(tokens: [Int], batch: Int, condition: Tensor? = nil) throws -> Tensor {
        head(try features(tokens: tokens, batch: batch, condition: condition))
    }

    /// Mean teacher-forced cross-entropy: inputs `tokens[:, t]` predict `targets[:, t]`, entries
    /// with `mask == false` ignored.
    public func loss(tokens: [Int], targets: [Int], batch: Int, condition: Tensor? = nil, mask: [Bool]? = nil) throws -> Tensor {
        guard targets.count == tokens.count else {
            throw EngineError.shapeMismatch("targets", expected: [tokens.count], got: [targets.count])
        }
        let logits = try self(tokens: tokens, batch: batch, condition: condition)
        return Loss.crossEntropy(logits, targets: targets, mask: mask)
    }
}
