import Engine
import Support

/// Minibatches drawn without replacement from a shuffled pass over a set, reshuffling after each
/// pass; every trainer of this module draws its batches here.
struct MinibatchStream {
    /// Rows per batch (the whole set when it holds fewer).
    let size: Int
    private var rng: SeededGenerator
    private var order: [Int], next: Int

    /// A stream over `count` rows in batches of `batchSize`, shuffled with `rng`.
    init(count: Int, batchSize: Int, rng: SeededGenerator) {
        size = min(batchSize, count)
        self.rng = rng
        order = Array(0..<count); next = count
    }

    /// The next batch's row indices.
    mutating func draw() -> [Int] {
        var indices: [Int] = []
        indices.reserveCapacity(size)
        while indices.count < size {
            if next == order.count { rng.shuffle(&order); next = 0 }
            indices.append(order[next]); next += 1
        }
        return indices
    }
}

/// The loss curve and the progress reports of a training run, step by step.
struct TrainingLog {
    let steps: Int, curveEvery: Int, progressEvery: Int, phase: String
    let start = monotonicSeconds()
    private(set) var curve: [LossSample] = []
    private var curveSum = 0.0, curveSteps = 0, reportSum = 0.0, reportSteps = 0

    init(steps: Int, curveEvery: Int, progressEvery: Int, phase: String) {
        self.steps = steps; self.curveEvery = curveEvery; self.progressEvery = progressEvery; self.phase = phase
    }

    /// Records step `done`'s minibatch loss: a curve point every `curveEvery` steps and a report
    /// (mean loss since the last one) every `progressEvery` steps, both also after the last step.
    mutating func record(_ value: Double, done: Int, progress: (TrainingProgress) -> Void) {
        curveSum += value; curveSteps += 1
        reportSum += value; reportSteps += 1
        if done % curveEvery == 0 || done == steps {
            curve.append(LossSample(step: done, loss: curveSum / Double(curveSteps)))
            curveSum = 0; curveSteps = 0
        }
        if done % progressEvery == 0 || done == steps {
            progress(TrainingProgress(phase: phase, step: done, totalSteps: steps, loss: reportSum / Double(reportSteps),
                                      elapsed: monotonicSeconds() - start))
            reportSum = 0; reportSteps = 0
        }
    }
}

extension TokenPolicyConfig {
    /// AdamW over `named` (decay on matrices and embeddings only) and the warm-up + cosine schedule
    /// of these settings: the optimiser every trainer built on this configuration uses.
    func optimiser(_ named: [(String, Tensor)]) -> (AdamW, LearningRateSchedule) {
        let optimiser = AdamW(named.map(\.1), learningRate: learningRate, weightDecay: weightDecay)
        optimiser.decays = named.map { $0.1.shape.count >= 2 }
        let schedule = LearningRateSchedule.warmupCosine(peak: learningRate, warmup: warmupSteps, total: trainingSteps,
                                                         floor: learningRate * finalLearningRateFraction)
        return (optimiser, schedule)
    }

    /// One optimiser step on `loss`: backward (releasing the tape), global-norm clipping, AdamW at
    /// `step`'s rate; returns the loss value.
    func step(_ loss: Tensor, _ optimiser: AdamW, _ schedule: LearningRateSchedule, at step: Int) -> Double {
        optimiser.learningRate = schedule.rate(at: step)
        let value = Double(loss.item)
        loss.backward()
        GradientClipping.clipGlobalNorm(optimiser.parameters, maxNorm: gradientClip)
        optimiser.step()
        optimiser.zeroGrad()
        return value
    }
}
