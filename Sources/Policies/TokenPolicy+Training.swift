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
        let named = gpt.namedParameters()
        let optimiser = AdamW(named.map(\.1), learningRate: c.learningRate, weightDecay: c.weightDecay)
        optimiser.decays = named.map { $0.1.shape.count >= 2 }
        let schedule = LearningRateSchedule.warmupCosine(peak: c.learningRate, warmup: c.warmupSteps, total: steps,
                                                         floor: c.learningRate * c.finalLearningRateFraction)
        var rng = SeededGenerator(seed: seed).derived("minibatches")
        let batchSize = min(c.batchSize, set.count)
        var order = Array(0..<set.count), next = order.count
        gpt.training = true
        defer { gpt.training = false }

        var curve: [LossSample] = []
        var curveSum: Double = 0, curveSteps = 0, reportSum: Double = 0, reportSteps = 0
        for step in 0..<steps {
            var indices: [Int] = []
            indices.reserveCapacity(batchSize)
            while indices.count < batchSize {
                if next == order.count { rng.shuffle(&order); next = 0 }
                indices.append(order[next]); next += 1
            }
            let batch = paddedBatch(set, indices)
            optimiser.learningRate = schedule.rate(at: step)
            let loss = try self.loss(batch)
            let value = Double(loss.item)
            loss.backward()
            GradientClipping.clipGlobalNorm(optimiser.parameters, maxNorm: c.gradientClip)
            optimiser.step()
            optimiser.zeroGrad()

            let done = step + 1
            curveSum += value; curveSteps += 1
            reportSum += value; reportSteps += 1
            if done % c.lossCurveEvery == 0 || done == steps {
                curve.append(LossSample(step: done, loss: curveSum / Double(curveSteps)))
                curveSum = 0; curveSteps = 0
            }
            if done % c.progressEvery == 0 || done == steps {
                let elapsed = monotonicSeconds() - t0
                progress(TrainingProgress(phase: "policy", step: done, totalSteps: steps, loss: reportSum / Double(reportSteps),
                                          elapsed: elapsed))
                reportSum = 0; reportSteps = 0
            }
        }

        let n = min(c.finalLossSequences, set.count)
        let evenlySpaced = (0..<n).map { $0 * set.count / n }
        let finalLoss = try teacherForcedLoss(set.subset(evenlySpaced))
        return TrainingSummary(finalLoss: finalLoss, finalLossSequences: n, lossCurve: curve, steps: steps,
                               seconds: monotonicSeconds() - t0, threads: Parallel.threads)
    }
}
