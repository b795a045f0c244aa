import Support

/// Which codes the offset head is trained at.
public enum VQBeTOffsetCodes: String, Sendable, CaseIterable {
    /// The codes the policy draws from its own distributions at ``VQBeTConfig/temperature``, as
    /// LeRobot trains them: the offsets learn to correct the policy's own choices.
    case sampled
    /// The tokenizer's codes of the demonstrated window (BeT's cluster-centre offsets).
    case demonstrated
}

/// The VQ-BeT policy's configuration; validates itself and names the bad field.
///
/// Defaults follow the reference (`../shared/REFERENCES.md`, "VQ-BeT", LeRobot's
/// `configuration_vqbet.py`): focal loss with gamma 2, primary code weight 5 and secondary 0.5, an
/// offset head with an L1 loss weighted 10,000 and trained at the codes the policy samples, codes
/// sampled at temperature 0.1, each layer's code drawn independently. The transformer is small enough to train in seconds on two cores.
public struct VQBeTConfig: Equatable, Sendable, FieldListedConfig {
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
    /// Weight of the L1 offset loss (LeRobot's `offset_loss_weight`).
    public var offsetWeight = 10_000.0
    /// Temperature of the code distributions at inference, 0: the most likely code (LeRobot's `bet_softmax_temperature`).
    public var temperature = 0.1
    /// Draw each layer's code conditioned on the earlier layers' codes (LeRobot's `sequentially_select`).
    public var sequentialSelect = false
    /// The codes the offset loss is computed at (LeRobot: the sampled ones).
    public var offsetCodes: VQBeTOffsetCodes = .sampled
    /// Training steps, sequences per batch, AdamW learning rate and linear warm-up steps.
    public var trainSteps = 3_000, batchSize = 64
    public var learningRate = 1e-3
    public var warmupSteps = 100
    /// Seed of the weights and the batch draws.
    public var seed: UInt64 = 1

    /// Every field: its key and allowed values (the reader and ``validate(location:)`` use this list).
    public static let fields: [ConfigField<Self>] = [
        .int("history", \.history, in: 1...1_000),
        .int("d_model", \.dModel, in: 1...4_096),
        .int("heads", \.heads, in: 1...64),
        .int("blocks", \.blocks, in: 1...64),
        .double("primary_weight", \.primaryWeight, in: 0...1_000),
        .double("secondary_weight", \.secondaryWeight, in: 0...1_000),
        .double("focal_gamma", \.focalGamma, in: 0...10),
        .bool("offsets", \.offsets),
        .double("offset_weight", \.offsetWeight, in: 0...1_000_000),
        .double("temperature", \.temperature, in: 0...100),
        .bool("sequential_select", \.sequentialSelect),
        .choice("offset_codes", \.offsetCodes),
        .int("train_steps", \.trainSteps, in: 0...10_000_000),
        .int("batch_size", \.batchSize, in: 1...1_000_000),
        .double("learning_rate", \.learningRate, in: 1e-8...10),
        .int("warmup_steps", \.warmupSteps, in: 0...10_000_000),
        .seed("seed", \.seed),
    ]

    /// Every default value, in one place (the property declarations above).
    public static let defaults = VQBeTConfig()

    /// A configuration holding every default.
    public init() {}

    /// Throws a ``ConfigError`` naming the first field outside its allowed values, or the first inconsistent one.
    public func validate(location: String = "vq-bet") throws {
        try Self.fields.validate(self, location: location)
        guard dModel % heads == 0 else {
            throw ConfigError(location: location, key: "heads", problem: "d_model \(dModel) is not divisible by \(heads) heads")
        }
    }
}
