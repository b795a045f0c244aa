import Engine
import Support

extension ContinuousChunkModel {
    /// Fits the action scaling on `chunks`, then trains the network on the objective's MSE for
    /// ``TokenPolicyConfig/trainingSteps`` steps, exactly as ``TokenPolicy/train(_:progress:)``
    /// trains the token model: seeded shuffled minibatches, AdamW with warm-up and cosine decay,
    /// global-norm clipping. The objective's noise and times come from a stream derived from ``seed``.
    ///
    /// - Parameters:
    ///   - conditions: `prefixLength × conditionDim` values per example.
    ///   - chunks: `chunkLength × actionDim` values per example, in action units.
    ///   - progress: called every ``TokenPolicyConfig/progressEvery`` steps and after the last one,
    ///     phase = the objective's name, with the mean minibatch loss since the previous report.
    /// - Returns: the loss curve and a final loss: the objective's MSE on up to
    ///   ``TokenPolicyConfig/finalLossSequences`` training examples, evenly spaced, with noise from a
    ///   fixed stream (so two runs' final losses are comparable).
    @discardableResult
    public func train(conditions: [[Float]], chunks: [[Double]], progress: (TrainingProgress) -> Void = { _ in }) throws -> TrainingSummary {
        try check(conditions: conditions, chunks: chunks)
        fitScaling(chunks)
        let scaled = chunks.map { scaling!.scaled($0) }
        let c = config, steps = c.trainingSteps
        let t0 = monotonicSeconds()
        let (optimiser, schedule) = c.optimiser(network.namedParameters())
        let root = SeededGenerator(seed: seed)
        var batches = MinibatchStream(count: chunks.count, batchSize: c.batchSize, rng: root.derived("minibatches"))
        var noise = root.derived("noise")
        var log = TrainingLog(steps: steps, curveEvery: c.lossCurveEvery, progressEvery: c.progressEvery, phase: objective.name)
        for step in 0..<steps {
            let rows = batches.draw()
            let loss = self.loss(conditions: rows.map { conditions[$0] }, scaled: rows.flatMap { scaled[$0] }, rng: &noise)
            log.record(c.step(loss, optimiser, schedule, at: step), done: step + 1, progress: progress)
        }

        let n = min(c.finalLossSequences, chunks.count)
        let evenlySpaced = (0..<n).map { $0 * chunks.count / n }
        var finalNoise = root.derived("final loss")
        var total = 0.0
        for start in stride(from: 0, to: n, by: c.evaluationBatchSize) {
            let rows = Array(evenlySpaced[start..<min(start + c.evaluationBatchSize, n)])
            let mean = Tape.noGrad { loss(conditions: rows.map { conditions[$0] }, scaled: rows.flatMap { scaled[$0] }, rng: &finalNoise).item }
            total += Double(mean) * Double(rows.count)
        }
        return TrainingSummary(finalLoss: total / Double(n), finalLossSequences: n, lossCurve: log.curve, steps: steps,
                               seconds: monotonicSeconds() - t0, threads: Parallel.threads)
    }
}
