import Support

/// The VQ-BeT policy's configuration; validates itself and names the bad field.
///
/// Defaults follow the reference (`../shared/REFERENCES.md`, "VQ-BeT"): focal loss with gamma 2,
/// primary code weight 5 and secondary 0.5, an offset head with an L1 loss, codes sampled at
/// temperature 1. The transformer is small enough to train in seconds on two cores.
public struct VQBeTConfig: Equatable, Sendable {
    /// Observations the transformer sees (the current one last; earlier ones padded at the start).
    public var history = 5
    /// Model width, attention heads and transformer blocks.
    public var dModel = 64, heads = 4, blocks = 2
    /// Focal-loss weight of the primary (first) code and of every later code.
    public var primaryWeight = 5.0, secondaryWeight = 0.5
    /// Focal-loss focusing parameter.
    public var focalGamma = 2.0
    /// Whether the offset head is used (trained and added to the decoded actions).
    public var offsets = true
    /// Weight of the L1 offset loss.
    public var offsetWeight = 1.0
    /// Temperature of the code distributions at inference (0: the most likely code).
    public var temperature = 1.0
    /// Training steps, sequences per batch, AdamW learning rate and linear warm-up steps.
    public var trainSteps = 3_000, batchSize = 64
    public var learningRate = 1e-3
    public var warmupSteps = 100
    /// Seed of the weights and the batch draws.
    public var seed: UInt64 = 1

    public init() {}

    /// Reads the keys named like the properties in snake case, rejecting unknown keys.
    public init(_ p: ParameterReader) throws {
        history = try p.int("history", default: 5, in: 1...1_000)
        dModel = try p.int("d_model", default: 64, in: 1...4_096)
        heads = try p.int("heads", default: 4, in: 1...64)
        blocks = try p.int("blocks", default: 2, in: 1...64)
        primaryWeight = try p.double("primary_weight", default: 5, in: 0...1_000)
        secondaryWeight = try p.double("secondary_weight", default: 0.5, in: 0...1_000)
        focalGamma = try p.double("focal_gamma", default: 2, in: 0...10)
        offsets = try p.bool("offsets", default: true)
        offsetWeight = try p.double("offset_weight", default: 1, in: 0...1_000_000)
        temperature = try p.double("temperature", default: 1, in: 0...100)
        trainSteps = try p.int("train_steps", default: 3_000, in: 0...10_000_000)
        batchSize = try p.int("batch_size", default: 64, in: 1...1_000_000)
        learningRate = try p.double("learning_rate", default: 1e-3, in: 1e-8...10)
        warmupSteps = try p.int("warmup_steps", default: 100, in: 0...10_000_000)
        seed = UInt64(try p.int("seed", default: 1, in: 0...Int.max))
        try p.finish()
        try validate(location: p.location)
    }

    /// Throws a ``ConfigError`` naming the first inconsistent field.
    public func validate(location: String = "vq-bet") throws {
        guard dModel % heads == 0 else {
            throw ConfigError(location: location, key: "heads", problem: "d_model \(dModel) is not divisible by \(heads) heads")
        }
        guard history >= 1 else { throw ConfigError(location: location, key: "history", problem: "expected at least 1 observation, found \(history)") }
    }
}
