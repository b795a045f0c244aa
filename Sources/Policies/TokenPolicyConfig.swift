import Support

/// The model shape and training settings of a ``TokenPolicy``; validates itself and names the bad field.
///
/// Every default lives on the property declaration below, once, with its one-line reason; start
/// from ``defaults`` and change what an experiment needs:
///
/// ```swift
/// var config = TokenPolicyConfig.defaults
/// config.trainingSteps = 500
/// try config.validate()
/// ```
public struct TokenPolicyConfig: Sendable, Equatable, Codable {
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

    /// A configuration holding every default.
    public init() {}

    /// Every default value, in one place (the property declarations above).
    public static let defaults = TokenPolicyConfig()

    /// Throws a ``ConfigError`` naming the first field outside its allowed range.
    public func validate(location: String = "token policy") throws {
        func fail(_ key: String, _ problem: String) -> ConfigError {
            ConfigError(location: location, key: key, problem: problem)
        }
        func positive(_ key: String, _ value: Int) throws {
            guard value >= 1 else { throw fail(key, "expected an integer ≥ 1, found \(value)") }
        }
        try positive("dModel", dModel)
        try positive("heads", heads)
        guard dModel % heads == 0 else {
            throw fail("heads", "dModel \(dModel) is not divisible by \(heads) heads")
        }
        try positive("layers", layers)
        try positive("mlpRatio", mlpRatio)
        try positive("trainingSteps", trainingSteps)
        try positive("batchSize", batchSize)
        guard learningRate.isFinite, learningRate > 0 else {
            throw fail("learningRate", "expected a finite number > 0, found \(learningRate)")
        }
        guard warmupSteps >= 0, warmupSteps <= trainingSteps else {
            throw fail("warmupSteps", "expected an integer in 0...\(trainingSteps) (trainingSteps), found \(warmupSteps)")
        }
        guard finalLearningRateFraction.isFinite, (0...1).contains(finalLearningRateFraction) else {
            throw fail("finalLearningRateFraction", "expected a number in [0, 1], found \(finalLearningRateFraction)")
        }
        guard weightDecay.isFinite, weightDecay >= 0 else {
            throw fail("weightDecay", "expected a finite number ≥ 0, found \(weightDecay)")
        }
        guard gradientClip.isFinite, gradientClip > 0 else {
            throw fail("gradientClip", "expected a finite number > 0, found \(gradientClip)")
        }
        try positive("evaluationBatchSize", evaluationBatchSize)
        try positive("finalLossSequences", finalLossSequences)
        try positive("progressEvery", progressEvery)
        try positive("lossCurveEvery", lossCurveEvery)
    }
}
