import Engine
import Foundation
import Support

/// One point of the training loss curve.
public struct LossSample: Sendable, Equatable, Codable {
    /// Steps completed at this point.
    public var step: Int
    /// Mean minibatch loss over the steps since the previous point.
    public var loss: Double
}

/// What one training run did.
public struct TrainingSummary: Sendable, Equatable, Codable {
    /// Exact teacher-forced loss after training (nats per target token, EOS included), computed
    /// in no-grad mode over ``finalLossSequences`` training sequences evenly spaced through the set.
    public var finalLoss: Double
    /// How many training sequences the final loss covers.
    public var finalLossSequences: Int
    /// Minibatch losses averaged over every ``TokenPolicyConfig/lossCurveEvery`` steps (and the tail).
    public var lossCurve: [LossSample]
    /// Optimiser steps taken.
    public var steps: Int
    /// Wall-clock seconds of the run (training and the final-loss pass).
    public var seconds: Double
    /// Engine threads used (parameters are bit-identical for a given seed and thread count).
    public var threads: Int

    /// The summary without its timing, for comparing runs.
    public var untimed: TrainingSummary { var s = self; s.seconds = 0; return s }
}

extension TokenPolicy {
    /// Trains the model with teacher forcing for ``TokenPolicyConfig/trainingSteps`` steps.
    ///
    /// Each step draws a minibatch of ``TokenPolicyConfig/batchSize`` sequences (the whole set
    /// when smaller) without replacement from a shuffled pass over the set, reshuffling after
    /// each pass, with a generator derived from ``seed``; runs forward and backward (which
    /// releases the tape), clips the global gradient norm to ``TokenPolicyConfig/gradientClip``
    /// and takes an AdamW step whose rate follows a linear warm-up then a cosine decay. The
    /// optimiser is fresh at every call, and so is the minibatch order (the same for each call).
    ///
    /// - Parameter progress: called every ``TokenPolicyConfig/progressEvery`` steps and after the
    ///   last one, phase `policy`, with the mean minibatch loss since the previous report (nats
    ///   per target token).
    /// - Returns: the loss curve, the exact final loss (see ``TrainingSummary/finalLoss``) and timing.
    @discardableResult
    public func train(_ set: TokenSequenceSet, progress: (TrainingProgress) -> Void = { _ in }) throws -> TrainingSummary {
        try check(set)
        let c = config, steps = c.trainingSteps
        let t0 = monotonicSeconds()
        let (optimiser, schedule) = c.optimiser(gpt.namedParameters())
        var batches = MinibatchStream(count: set.count, batchSize: c.batchSize, rng: SeededGenerator(seed: seed).derived("minibatches"))
        var log = TrainingLog(steps: steps, curveEvery: c.lossCurveEvery, progressEvery: c.progressEvery, phase: "policy")
        gpt.training = true
        defer { gpt.training = false }
        for step in 0..<steps {
            let batch = paddedBatch(set, batches.draw())
            let value = c.step(try self.loss(batch), optimiser, schedule, at: step)
            log.record(value, done: step + 1, progress: progress)
        }

        let n = min(c.finalLossSequences, set.count)
        let evenlySpaced = (0..<n).map { $0 * set.count / n }
        let finalLoss = try teacherForcedLoss(set.subset(evenlySpaced))
        return TrainingSummary(finalLoss: finalLoss, finalLossSequences: n, lossCurve: log.curve, steps: steps,
                               seconds: monotonicSeconds() - t0, threads: Parallel.threads)
    }
}
