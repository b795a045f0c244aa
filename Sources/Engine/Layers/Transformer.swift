/// Which positions each position of a sequence attends to.
public enum AttentionMask: Equatable, Sendable {
    /// Each position sees itself and the positions before it (autoregressive models).
    case causal
    /// The first `n` positions see only each other; every later one sees the whole sequence
    /// (pi0's layout: a condition prefix, then action tokens that attend to everything).
    case prefix(Int)
}

/// Multi-head self-attention with packed query/key/value projection, causal or prefix-bidirectional.
public final class SelfAttention: Module {
    /// `[C] → [3C]` projection and `[C] → [C]` output projection.
    public let qkv: Linear, proj: Linear
    /// Number of heads.
    public let heads: Int

    /// Creates attention of width `dModel` split into `heads` heads.
    public init(dModel: Int, heads: Int, std: Float? = Defaults.initStd, rng: SeededGeneratorBox) {
        precondition(dModel % heads == 0, "d_model \(dModel) is not divisible by \(heads) heads")
        qkv = Linear(dModel, 3 * dModel, std: std, rng: rng)
        proj = Linear(dModel, dModel, std: std, rng: rng)
        self.heads = heads
    }

    /// Attends over `[B, T, C]` with `mask`; with a cache (causal only), appends to it and
    /// attends over it (inference only).
    public func callAsFunction(_ x: Tensor, mask: AttentionMask = .causal, cache: KVCache? = nil) -> Tensor {
        let packed = qkv(x)
        let mixed: Tensor
        switch mask {
        case .causal: mixed = cache.map { $0.attend(packed) } ?? Tensor.causalSelfAttention(packed, heads: heads)
        case .prefix(let n):
            precondition(cache == nil, "a KV cache serves causal attention only")
            mixed = Tensor.prefixSelfAttention(packed, heads: heads, prefix: n)
        }
        return proj(mixed)
    }

    public func namedParameters() -> [(String, Tensor)] {
        scoped("qkv", qkv.namedParameters()) + scoped("proj", proj.namedParameters())
    }
}

/// Pre-norm transformer block: `x + attn(ln1(x))`, then `x + mlp(ln2(x))`.
public final class TransformerBlock: Module {
    /// Sub-layers.
    public let ln1: LayerNorm, attn: SelfAttention, ln2: LayerNorm, mlp: MLP
    /// Residual dropout.
    public let drop: Dropout

    /// Creates a block of width `dModel` with an MLP of width `mlpRatio · dModel`.
    public init(dModel: Int, heads: Int, mlpRatio: Int = Defaults.mlpRatio, dropout: Float = Defaults.dropout,
                std: Float? = Defaults.initStd, rng: SeededGeneratorBox) {
        ln1 = LayerNorm(dModel)
        attn = SelfAttention(dModel: dModel, heads: heads, std: std, rng: rng)
        ln2 = LayerNorm(dModel)
        mlp = MLP([dModel, mlpRatio * dModel, dModel], activation: .gelu, std: std, rng: rng)
        drop = Dropout(dropout, rng: SeededGeneratorBox(rng.gen.derived("dropout")))
    }

    /// Applies the block to `[B, T, C]` with the attention `mask`.
    public func callAsFunction(_ x: Tensor, mask: AttentionMask = .causal, cache: KVCache? = nil) -> Tensor {
        let h = x + drop(attn(ln1(x), mask: mask, cache: cache))
        return h + drop(mlp(ln2(h)))
    }

    public func namedParameters() -> [(String, Tensor)] {
        scoped("ln1", ln1.namedParameters()) + scoped("attn", attn.namedParameters())
            + scoped("ln2", ln2.namedParameters()) + scoped("mlp", mlp.namedParameters())
    }
}
