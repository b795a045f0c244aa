import ActionData
import Engine
import Support

/// The settings of a ``ContinuousPolicy``; validates itself and names the bad field.
public struct ContinuousPolicyConfig: Sendable, Equatable {
    /// Observations in the model's prefix, the current one last.
    public var history = 1
    /// Actions per chunk.
    public var window = 8
    /// The network's shape and training (the token policy's keys and defaults, so both compare alike).
    public var model = TokenPolicyConfig.defaults
    /// Seed of the weights, minibatch order and training noise.
    public var seed: UInt64 = 1

    public init() {}

    /// Throws a ``ConfigError`` naming the first bad field.
    public func validate(location: String = "continuous policy") throws {
        try ObservationHistory.validate(history: history, window: window, location: location)
        try model.validate()
    }
}

/// A ``ContinuousChunkModel`` as an ``ActionPolicy``: flow matching, diffusion or regression over
/// observation histories.
///
/// The prefix is the last ``ContinuousPolicyConfig/history`` observations (standardised,
/// ``ObservationHistory``), the chunk the next ``ContinuousPolicyConfig/window`` actions (zeros past
/// an episode's end, as ``Demonstrations/actionWindow(episode:step:window:)`` gives them), exactly
/// as ``TokenizedPolicy`` pairs them. Acting samples one chunk with noise from the caller's stream.
public final class ContinuousPolicy: ActionPolicy {
    public let config: ContinuousPolicyConfig
    public let objective: any ChunkObjective
    public let observationDim: Int, actionDim: Int
    /// The observation histories the model sees.
    public private(set) var observationHistory: ObservationHistory
    /// The model (trained by ``train(_:progress:)``).
    public let model: ContinuousChunkModel
    /// Whether ``train(_:progress:)`` has run.
    public private(set) var isTrained = false

    /// An untrained policy for `observationDim`-wide observations and `actionDim`-wide actions.
    public init(_ config: ContinuousPolicyConfig, objective: any ChunkObjective, observationDim: Int, actionDim: Int) throws {
        try config.validate()
        try ObservationHistory.checkWidths(observation: observationDim, action: actionDim)
        self.config = config; self.objective = objective
        self.observationDim = observationDim; self.actionDim = actionDim
        observationHistory = ObservationHistory(length: config.history, dims: observationDim)
        model = try ContinuousChunkModel(objective: objective, config: config.model, prefixLength: config.history, conditionDim: observationDim,
                                         chunkLength: config.window, actionDim: actionDim,
                                         seed: SeededGenerator(seed: config.seed).derived("\(objective.name) policy").seed)
    }

    public var chunkLength: Int { config.window }

    /// The objective's network evaluations per chunk (regression: one forward pass).
    public var costPerChunk: ChunkCost {
        objective is Regression ? .forwardPasses(1) : .functionEvaluations(objective.functionEvaluations)
    }

    /// Fits the observation statistics, then trains the model on every (history, window) pair.
    public func train(_ demos: Demonstrations, progress: ((TrainingProgress) -> Void)? = nil) throws {
        try ObservationHistory.check(demos, observation: observationDim, action: actionDim)
        observationHistory.fit(demos)
        let conditions = observationHistory.conditions(demos)
        let chunks = demos.samples.map { demos.actionWindow(episode: $0.episode, step: $0.step, window: config.window) }
        try model.train(conditions: conditions, chunks: chunks) { progress?($0) }
        isTrained = true
    }

    public func act(history: [[Double]], rng: inout SeededGenerator) throws -> ActionChunk {
        guard isTrained else { throw PolicyError.invalidArgument("the \(objective.name) policy acts before it was trained") }
        let condition = try observationHistory.condition(acting: history)
        return try ActionChunk(steps: config.window, dims: actionDim, values: model.sample(conditions: [condition], rng: &rng)[0])
    }
}
