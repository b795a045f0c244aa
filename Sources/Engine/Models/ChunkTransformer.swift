/// Shape of a ``ChunkTransformer``.
public struct ChunkTransformerConfig: Sendable, Equatable, Codable {
    /// Condition vectors per sequence (the prefix) and their width.
    public var prefixLength: Int, conditionDim: Int
    /// Actions per chunk and the width of one action.
    public var chunkLength: Int, actionDim: Int
    /// Model width, attention heads per block, blocks, and MLP width as a multiple of the model width.
    public var dModel: Int, heads: Int, layers: Int, mlpRatio: Int

    /// Creates a configuration; the MLP ratio defaults to ``Defaults/mlpRatio``.
    public init(prefixLength: Int, conditionDim: Int, chunkLength: Int, actionDim: Int, dModel: Int, heads: Int, layers: Int,
                mlpRatio: Int = Defaults.mlpRatio) {
        self.prefixLength = prefixLength; self.conditionDim = conditionDim
        self.chunkLength = chunkLength; self.actionDim = actionDim
        self.dModel = dModel; self.heads = heads; self.layers = layers; self.mlpRatio = mlpRatio
    }
}

/// A transformer from a condition and a noisy action chunk at a time `t` to one vector per action
/// step: the network under the flow-matching, diffusion and regression chunk policies.
///
/// pi0's action expert, small: the sequence is `[condition (P positions), actions (H positions)]`.
/// Condition vectors enter through a linear layer; each action through a linear layer, is
/// concatenated with the sinusoidal embedding of its chunk's time
/// (``SinusoidalEmbedding/geometricPeriods(_:dim:minPeriod:maxPeriod:)``, periods 4e-3 to 4) and
/// mixed by an MLP (2w → w, swish, w → w). Learned position embeddings are added to all positions;
/// the blocks attend with ``AttentionMask/prefix(_:)``: the condition only to itself, the actions
/// to everything. The final norm and a linear head map each action position back to `actionDim`
/// values (a velocity, a noise estimate or the action itself, as the objective decides).
///
/// Parameter names: `cond.*`, `action_in.*`, `time_mlp.layers.{0,1}.*`, `wpe.weight`,
/// `blocks.{i}.*` (as ``GPT``'s), `ln_f.*`, `action_out.*`. Each call reruns the whole sequence;
/// the prefix is short next to the chunk here, so pi0's cached prefix is not worth its complexity.
public final class ChunkTransformer: Module {
    public let config: ChunkTransformerConfig
    /// Input projections, the action–time mixer and the position embeddings.
    public let cond: Linear, actionIn: Linear, timeMLP: MLP, wpe: Embedding
    /// The transformer blocks.
    public let blocks: [TransformerBlock]
    /// Final normalisation and the output head.
    public let lnF: LayerNorm, actionOut: Linear

    /// Builds a network with weights drawn from `seed` (blocks normal with ``Defaults/initStd``
    /// like ``GPT``'s; the projections as PyTorch's `nn.Linear`, as in pi0).
    public init(_ config: ChunkTransformerConfig, seed: UInt64) {
        precondition(config.prefixLength >= 1 && config.conditionDim >= 1 && config.chunkLength >= 1 && config.actionDim >= 1,
                     "chunk transformer needs a prefix, a condition width, a chunk length and an action width ≥ 1, got \(config)")
        precondition(config.dModel % config.heads == 0 && config.dModel % 2 == 0 && config.dModel >= 4,
                     "chunk transformer width \(config.dModel) must be even, ≥ 4 and divisible by \(config.heads) heads")
        self.config = config
        let rng = SeededGeneratorBox(seed: seed), w = config.dModel
        cond = Linear(config.conditionDim, w, rng: rng)
        actionIn = Linear(config.actionDim, w, rng: rng)
        timeMLP = MLP([2 * w, w, w], activation: .silu, rng: rng)
        wpe = Embedding(config.prefixLength + config.chunkLength, w, rng: rng)
        blocks = (0..<config.layers).map { i in
            TransformerBlock(dModel: w, heads: config.heads, mlpRatio: config.mlpRatio, dropout: 0,
                             rng: SeededGeneratorBox(rng.gen.derived("block\(i)")))
        }
        lnF = LayerNorm(w)
        actionOut = Linear(w, config.actionDim, rng: rng)
    }

    public func namedParameters() -> [(String, Tensor)] {
        var p = scoped("cond", cond.namedParameters()) + scoped("action_in", actionIn.namedParameters())
            + scoped("time_mlp", timeMLP.namedParameters()) + scoped("wpe", wpe.namedParameters())
        for (i, b) in blocks.enumerated() { p += scoped("blocks.\(i)", b.namedParameters()) }
        return p + scoped("ln_f", lnF.namedParameters()) + scoped("action_out", actionOut.namedParameters())
    }

    /// One output per action step, `[B, H, actionDim]`, for `condition` `[B, P, conditionDim]`,
    /// `actions` `[B, H, actionDim]` and one time per batch row.
    public func callAsFunction(condition: Tensor, actions: Tensor, times: [Float]) -> Tensor {
        let c = config, bsz = times.count, w = c.dModel
        precondition(condition.shape == [bsz, c.prefixLength, c.conditionDim],
                     "chunk transformer: condition \(condition.shape), expected \([bsz, c.prefixLength, c.conditionDim])")
        precondition(actions.shape == [bsz, c.chunkLength, c.actionDim],
                     "chunk transformer: actions \(actions.shape), expected \([bsz, c.chunkLength, c.actionDim])")
        // Every action step of a row shares the row's time.
        let perStep = SinusoidalEmbedding.geometricPeriods(times.flatMap { repeatElement($0, count: c.chunkLength) }, dim: w)
        let mixed = timeMLP(Tensor.concat([actionIn(actions), perStep.reshaped([bsz, c.chunkLength, w])], axis: 2))
        let n = c.prefixLength + c.chunkLength
        var x = Tensor.concat([cond(condition), mixed], axis: 1) + wpe(Array(0..<n), shape: [n])
        for b in blocks { x = b(x, mask: .prefix(c.prefixLength)) }
        return actionOut(lnF(x.slice(axis: 1, c.prefixLength..<n)))
    }
}
