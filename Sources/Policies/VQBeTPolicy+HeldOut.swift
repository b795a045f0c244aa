import Metrics
import Support

/// How well a trained VQ-BeT policy predicts held-out demonstrations, from its most likely codes.
public struct VQBeTHeldOut: Equatable, Sendable {
    /// Mean absolute error per action value of the windows acted out from the most likely codes
    /// (offsets included when on) against the demonstrated windows, in action units.
    public var actionError: Double
    /// Per residual layer, the share of held-out windows whose most likely code is the code the
    /// tokenizer gives the demonstrated window (layer 0 is the primary code).
    public var codeAccuracy: [Double]
    /// Windows measured (every step of the demonstrations).
    public var windows: Int
}

extension VQBeTPolicy {
    /// Mean absolute error per action value of the most likely codes' windows (offsets included
    /// when on) against the demonstrated windows, over every step of `demos`, in action units.
    public func actionError(_ demos: Demonstrations) throws -> Double {
        try heldOut(demos).actionError
    }

    /// Action error and code accuracy per layer over every step of `demos`, acting at
    /// temperature 0 (each layer's most likely code) from the observations up to that step.
    public func heldOut(_ demos: Demonstrations) throws -> VQBeTHeldOut {
        guard demos.observationDim == observationDim, demos.actionDim == actionDim else {
            throw PolicyError.mismatch("demonstrations are \(demos.observationDim) -> \(demos.actionDim), the policy \(observationDim) -> \(actionDim)")
        }
        let samples = demos.samples
        let truthCodes = try windowTargets(demos, samples).codes      // the tokenizer's codes, [layer][sample]
        var error = MeanAbsoluteError()
        var hits = [Int](repeating: 0, count: layers)
        var rng = SeededGenerator(seed: 0)
        for start in stride(from: 0, to: samples.count, by: 512) {
            let range = start..<min(start + 512, samples.count)
            let part = samples[range]
            let hist = part.map { Array(demos.episodes[$0.episode].observations[0...$0.step]) }
            let (chosen, windows) = try act(hist, temperature: 0, rng: &rng)
            for (i, (w, s)) in zip(windows, part).enumerated() {
                let truth = demos.actionWindow(episode: s.episode, step: s.step, window: window)
                error.add(w, truth)
                for l in 0..<layers where chosen[l][i] == truthCodes[l][range.lowerBound + i] { hits[l] += 1 }
            }
        }
        return VQBeTHeldOut(actionError: error.value,
                            codeAccuracy: hits.map { Statistics.proportion($0, of: samples.count) }, windows: samples.count)
    }
}
