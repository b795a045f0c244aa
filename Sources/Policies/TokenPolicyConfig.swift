import Support

/// The model shape and training settings of a ``TokenPolicy``; validates itself and names the bad field.
///
/// Every default lives on the property declaration below, once, with its one-line reason, and every
/// key and range in ``fields``; start from ``defaults`` and change what an experiment needs, or read
/// a table with ``init(_:)``:
///
/// ```swift
/// var config = TokenPolicyConfig.defaults
/// config.trainingSteps = 500
/// try config.validate()
/// ```
public struct TokenPolicyConfig: Sendable, Equatable, Codable, FieldListedConfig {
    // Model.

    /// Model width (small enough to train in minutes on two cores).
    public var dModel = 64
    /// Attention heads per block (head width 16 at the default width).
    public var heads = 4
    /// Transformer blocks.
    public var layers = 2
    /// MLP hidden width as a multiple of `dModel` (the GPT-2 ratio).
    public var mlpRatio = 4

    // Optimisation.

    /// Optimiser steps of one ``TokenPolicy/train(_:progress:)`` call.
    public var trainingSteps = 2_000
    /// Sequences per minibatch (the whole set when it holds fewer).
    public var batchSize = 32
    /// Peak AdamW learning rate, reached at the end of the warm-up.
    public var learningRate: Float = 1e-3
    /// Steps of linear warm-up from 0 to `learningRate`; a cosine decay follows.
    public var warmupSteps = 100
    /// Learning rate at the end of the cosine decay, as a fraction of `learningRate`.
    public var finalLearningRateFraction: Float = 0.1
    /// AdamW decoupled weight decay, applied to matrices and embeddings only (not biases or norms).
    public var weightDecay: Float = 0.01
    /// Largest global L2 norm of the gradient; larger gradients are scaled down to it.
    public var gradientClip: Float = 1.0

    // Evaluation and reporting.

    /// Sequences per forward pass in loss evaluation and generation (bounds the KV-cache memory).
    public var evaluationBatchSize = 64
    /// Training sequences (evenly spaced through the set) in the exact final-loss pass.
    public var finalLossSequences = 256
    /// Steps between two progress reports (the last step is always reported).
    public var progressEvery = 50
    /// Steps averaged into one point of the training loss curve.
    public var lossCurveEvery = 10

    /// Every field: its key and allowed values (the reader and ``validate(location:)`` use this list).
    public static let fields: [ConfigField<Self>] = [
        .int("d_model", \.dModel, in: 1...4_096),
        .int("heads", \.heads, in: 1...64),
        .int("layers", \.layers, in: 1...64),
        .int("mlp_ratio", \.mlpRatio, in: 1...64),
        .int("train_steps", \.trainingSteps, in: 1...10_000_000),
        .int("batch_size", \.batchSize, in: 1...65_536),
        .float("learning_rate", \.learningRate, in: 1e-8...10),
        .int("warmup_steps", \.warmupSteps, in: 0...10_000_000),
        .float("final_learning_rate_fraction", \.finalLearningRateFraction, in: 0...1),
        .float("weight_decay", \.weightDecay, in: 0...1_000),
        .float("gradient_clip", \.gradientClip, in: 1e-8...1e6),
        .int("evaluation_batch_size", \.evaluationBatchSize, in: 1...65_536),
        .int("final_loss_sequences", \.finalLossSequences, in: 1...10_000_000),
        .int("progress_every", \.progressEvery, in: 1...10_000_000),
        .int("loss_curve_every", \.lossCurveEvery, in: 1...10_000_000),
    ]

    /// A configuration holding every default.
    public init() {}

    /// Every default value, in one place (the property declarations above).
    public static let defaults = TokenPolicyConfig()

    /// Throws a ``ConfigError`` naming the first field outside its allowed values, or the first inconsistent one.
    public func validate(location: String = "token policy") throws {
        try Self.fields.validate(self, location: location)
        guard dModel % heads == 0 else {
            throw ConfigError(location: location, key: "heads", problem: "d_model \(dModel) is not divisible by \(heads) heads")
        }
        guard warmupSteps <= trainingSteps else {
            throw ConfigError(location: location, key: "warmup_steps", problem: "expected at most train_steps (\(trainingSteps)), found \(warmupSteps)")
        }
    }
}
