import Engine
import Foundation
import Support

/// A model that writes a whole chunk of continuous actions from a condition: the engine's
/// ``ChunkTransformer`` trained and sampled by a ``ChunkObjective`` (flow matching, diffusion or regression).
///
/// The continuous counterpart of ``TokenPolicy``: the same condition prefix, the same width, depth,
/// heads, optimiser, schedule, steps and batch (``TokenPolicyConfig``'s keys, so an experiment's
/// `[parameters.policy]` table configures both alike); only the output differs, every action of
/// the chunk at once instead of tokens one by one. Actions are scaled per dimension as the
/// objective expects (``FittedScaling``, fitted on the training chunks) and unscaled on the way out.
///
/// Training (``train(conditions:chunks:progress:)``) and sampling (``sample(conditions:rng:)``) are
/// deterministic: the weights come from `seed`, the minibatches and the training noise from streams
/// derived from it, the sampling noise from the caller's generator.
public final class ContinuousChunkModel {
    /// The objective, the shared model and training settings, and the shapes.
    public let objective: any ChunkObjective
    public let config: TokenPolicyConfig
    public let prefixLength: Int, conditionDim: Int, chunkLength: Int, actionDim: Int
    /// The seed the weights, minibatch order and training noise derive from.
    public let seed: UInt64
    /// The network.
    public let network: ChunkTransformer
    /// The action scaling, fitted by training (or loaded with a checkpoint).
    public private(set) var scaling: FittedScaling?

    /// Values per chunk (`chunkLength × actionDim`).
    public var width: Int { chunkLength * actionDim }

    /// Builds an untrained model; throws a ``ConfigError`` for a bad config field and a ``PolicyError`` for a bad shape.
    public init(objective: any ChunkObjective, config: TokenPolicyConfig = .defaults, prefixLength: Int, conditionDim: Int,
                chunkLength: Int, actionDim: Int, seed: UInt64) throws {
        try config.validate()
        guard prefixLength >= 1, conditionDim >= 1, chunkLength >= 1, actionDim >= 1 else {
            throw PolicyError.invalidArgument("prefix length, condition width, chunk length and action width must be ≥ 1, found \(prefixLength), \(conditionDim), \(chunkLength), \(actionDim)")
        }
        guard config.dModel % 2 == 0, config.dModel >= 4 else {
            throw ConfigError(location: "continuous chunk model", key: "d_model", problem: "expected an even width of at least 4 (the time embedding's sines and cosines), found \(config.dModel)")
        }
        self.objective = objective; self.config = config
        self.prefixLength = prefixLength; self.conditionDim = conditionDim
        self.chunkLength = chunkLength; self.actionDim = actionDim; self.seed = seed
        network = ChunkTransformer(ChunkTransformerConfig(prefixLength: prefixLength, conditionDim: conditionDim, chunkLength: chunkLength,
                                                          actionDim: actionDim, dModel: config.dModel, heads: config.heads,
                                                          layers: config.layers, mlpRatio: config.mlpRatio),
                                   seed: SeededGenerator(seed: seed).derived("model").seed)
    }

    /// Throws ``PolicyError`` unless every condition has `prefixLength × conditionDim` finite values
    /// and every chunk `width` (when given).
    func check(conditions: [[Float]], chunks: [[Double]]?) throws {
        if let i = conditions.firstIndex(where: { $0.count != prefixLength * conditionDim || !$0.allSatisfy(\.isFinite) }) {
            throw PolicyError.invalidArgument("condition \(i) has \(conditions[i].count) values (expected \(prefixLength * conditionDim), all finite)")
        }
        guard let chunks else { return }
        guard chunks.count == conditions.count, !chunks.isEmpty else {
            throw PolicyError.mismatch("\(chunks.count) chunks for \(conditions.count) conditions (expected as many, at least one)")
        }
        if let i = chunks.firstIndex(where: { $0.count != width || !$0.allSatisfy(\.isFinite) }) {
            throw PolicyError.invalidArgument("chunk \(i) has \(chunks[i].count) values (expected \(width), all finite)")
        }
    }

    /// One evaluation of the network on `rows` rows: conditions, scaled inputs and times in, outputs out.
    func evaluate(_ condition: Tensor, _ inputs: [Float], _ times: [Float]) -> Tensor {
        network(condition: condition, actions: Tensor(shape: [times.count, chunkLength, actionDim], scalars: inputs), times: times)
    }

    /// One evaluation with its pullback: the outputs, and `e ↦ (∂output/∂inputs)ᵀ e` (one backward
    /// pass through the network; call it once). Gradients also land on the weights, unused here.
    func pullbackEvaluation(_ condition: Tensor, _ inputs: [Float], _ times: [Float]) -> (velocity: [Float], pullback: ([Float]) -> [Float]) {
        let x = Tensor(shape: [times.count, chunkLength, actionDim], scalars: inputs, requiresGrad: true)
        let output = network(condition: condition, actions: x, times: times)
        precondition(output.requiresGrad, "guided inpainting needs the tape: it cannot run inside Tape.noGrad")
        return (output.scalars, { e in
            (output * Tensor(shape: output.shape, scalars: e)).sum().backward()
            return x.grad ?? [Float](repeating: 0, count: inputs.count)
        })
    }

    /// The objective's MSE on one batch of scaled chunks (recorded on the tape unless in no-grad mode).
    func loss(conditions: [[Float]], scaled: [Float], rng: inout SeededGenerator) -> Tensor {
        let batch = objective.trainingBatch(scaled, width: width, rng: &rng)
        let condition = Tensor(shape: [conditions.count, prefixLength, conditionDim], scalars: conditions.flatMap { $0 })
        let output = evaluate(condition, batch.inputs, batch.times)
        return Loss.mse(output, Tensor(shape: output.shape, scalars: batch.targets))
    }

    /// `conditions.count` chunks in action units (`width` values each), sampled in batches of
    /// ``TokenPolicyConfig/evaluationBatchSize`` rows with noise from `rng`.
    public func sample(conditions: [[Float]], rng: inout SeededGenerator) throws -> [[Double]] {
        guard let scaling else { throw PolicyError.invalidArgument("the continuous chunk model samples before it was trained or loaded") }
        try check(conditions: conditions, chunks: nil)
        var out: [[Double]] = []
        out.reserveCapacity(conditions.count)
        for start in stride(from: 0, to: conditions.count, by: config.evaluationBatchSize) {
            let rows = Array(conditions[start..<min(start + config.evaluationBatchSize, conditions.count)])
            let condition = Tensor(shape: [rows.count, prefixLength, conditionDim], scalars: rows.flatMap { $0 })
            let values = Tape.noGrad {
                objective.sample(rows: rows.count, width: width, rng: &rng) { evaluate(condition, $0, $1).scalars }
            }
            let actions = scaling.unscaled(values)
            for r in 0..<rows.count { out.append(Array(actions[(r * width)..<((r + 1) * width)])) }
        }
        return out
    }

    /// `conditions.count` chunks, each inpainted around actions already decided (real-time
    /// chunking): `targets` gives each chunk's actions in action units (`width` values; only those
    /// with a weight count) and `weights` one weight in [0, 1] per action step, shared by every
    /// chunk (RTC's soft mask, e.g. the Simulation module's `DelayedExecution.softMask`). Steps of weight
    /// 1 are frozen: they come back as the targets themselves. Only an objective that can inpaint
    /// (flow matching) can; the others throw.
    ///
    /// With `guidance` (the largest guidance weight β; the reference uses 5), the reference's
    /// guided inpainting (``FlowMatching/guidedInpaint(rows:width:rng:targets:weights:maxGuidance:network:)``,
    /// a vector-Jacobian product through the network per step); without it, the hard variant.
    public func sample(conditions: [[Float]], rng: inout SeededGenerator, targets: [[Double]], weights: [Double], guidance: Double? = nil) throws -> [[Double]] {
        if let guidance, !(objective is FlowMatching) || !(guidance > 0) {
            throw PolicyError.invalidArgument("guided inpainting needs flow matching and a guidance weight above 0, found \(objective.name) and \(guidance)")
        }
        guard let inpainting = objective as? any InpaintingObjective else {
            throw PolicyError.invalidArgument("\(objective.name) cannot inpaint a chunk (real-time chunking needs flow matching)")
        }
        guard let scaling else { throw PolicyError.invalidArgument("the continuous chunk model samples before it was trained or loaded") }
        try check(conditions: conditions, chunks: targets)
        guard weights.count == chunkLength, weights.allSatisfy({ (0...1).contains($0) }) else {
            throw PolicyError.invalidArgument("weights: expected \(chunkLength) values in [0, 1] (one per action step), found \(weights.count)")
        }
        let perValue = weights.flatMap { repeatElement(Float($0), count: actionDim) }
        var out: [[Double]] = []
        out.reserveCapacity(conditions.count)
        for start in stride(from: 0, to: conditions.count, by: config.evaluationBatchSize) {
            let range = start..<min(start + config.evaluationBatchSize, conditions.count)
            let rows = Array(conditions[range])
            let condition = Tensor(shape: [rows.count, prefixLength, conditionDim], scalars: rows.flatMap { $0 })
            let scaledTargets = range.flatMap { scaling.scaled(targets[$0]) }
            let rowWeights = Array(repeating: perValue, count: rows.count).flatMap { $0 }
            let values: [Float]
            if let guidance, let flow = objective as? FlowMatching {
                values = flow.guidedInpaint(rows: rows.count, width: width, rng: &rng, targets: scaledTargets, weights: rowWeights,
                                            maxGuidance: Float(guidance)) { pullbackEvaluation(condition, $0, $1) }
            } else {
                values = Tape.noGrad {
                    inpainting.inpaint(rows: rows.count, width: width, rng: &rng, targets: scaledTargets, weights: rowWeights) { evaluate(condition, $0, $1).scalars }
                }
            }
            let actions = scaling.unscaled(values)
            for (r, i) in range.enumerated() {
                var chunk = Array(actions[(r * width)..<((r + 1) * width)])
                for j in chunk.indices where weights[j / actionDim] == 1 { chunk[j] = targets[i][j] }  // frozen: exactly what runs
                out.append(chunk)
            }
        }
        return out
    }

    /// Writes the weights as safetensors, with the objective's name and settings and the action
    /// scaling (JSON, so its doubles round-trip exactly) in the metadata.
    public func save(to url: URL) throws {
        guard let scaling else { throw PolicyError.invalidArgument("the continuous chunk model is saved before it was trained") }
        let tensors = Dictionary(uniqueKeysWithValues: network.namedParameters())
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try SafeTensors.write(tensors, to: url, metadata: ["objective": objective.name, "settings": objective.settings.canonicalJSON,
                                                           "scaling": String(decoding: try encoder.encode(scaling), as: UTF8.self)])
    }

    /// Loads weights and scaling written by ``save(to:)``; throws when the checkpoint's objective,
    /// its settings or a tensor's shape differ from this model's.
    public func load(from url: URL) throws {
        let (tensors, metadata) = try SafeTensors.read(url)
        guard metadata["objective"] == objective.name, metadata["settings"] == objective.settings.canonicalJSON else {
            throw PolicyError.mismatch("\(url.path) holds objective \(metadata["objective"] ?? "?") with settings \(metadata["settings"] ?? "?"), the model is \(objective.name) with \(objective.settings.canonicalJSON)")
        }
        guard let text = metadata["scaling"], let fitted = try? JSONDecoder().decode(FittedScaling.self, from: Data(text.utf8)),
              fitted.center.count == actionDim, fitted.spread.count == actionDim else {
            throw EngineError.badFormat("\(url.path): metadata 'scaling' must hold the action scaling of \(actionDim) dimensions")
        }
        try network.load(tensors)
        scaling = fitted
    }

    /// Takes the trained weights and scaling of `other`, a model of the same shapes (e.g. to sample
    /// the same network with another number of steps).
    public func adopt(_ other: ContinuousChunkModel) throws {
        try network.load(Dictionary(uniqueKeysWithValues: other.network.namedParameters()))
        scaling = other.scaling
    }

    /// Sets the scaling (training does this from its chunks).
    func fitScaling(_ chunks: [[Double]]) {
        scaling = FittedScaling(objective.scaling, values: chunks.flatMap { $0 }, dims: actionDim)
    }
}
