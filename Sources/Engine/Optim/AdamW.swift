import Foundation

/// Adam with decoupled weight decay (Loshchilov & Hutter), step for step as PyTorch's `AdamW`.
///
/// Per parameter: `p ← p·(1 − lr·λ)`, `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`,
/// `p ← p − lr · (m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε)`. Parameters without a gradient are skipped.
public final class AdamW {
    /// Parameters being optimised.
    public let parameters: [Tensor]
    /// Learning rate used by the next ``step()`` (set it from a ``LearningRateSchedule``).
    public var learningRate: Float
    /// Moment decays, denominator epsilon and decoupled weight decay.
    public let beta1: Float, beta2: Float, eps: Float, weightDecay: Float
    /// Steps taken.
    public private(set) var stepCount = 0
    /// Whether each parameter is decayed (default: all).
    public var decays: [Bool]
    private var m: [Storage], v: [Storage]

    /// Creates the optimiser.
    public init(_ parameters: [Tensor], learningRate: Float = Defaults.learningRate, beta1: Float = Defaults.beta1,
                beta2: Float = Defaults.beta2, eps: Float = Defaults.adamEpsilon, weightDecay: Float = Defaults.weightDecay) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1; self.beta2 = beta2; self.eps = eps; self.weightDecay = weightDecay
        decays = Array(repeating: true, count: parameters.count)
        m = parameters.map { Storage(count: $0.count, value: 0) }
        v = parameters.map { Storage(count: $0.count, value: 0) }
    }

    /// Applies one update from the accumulated gradients.
    public func step() {
        stepCount += 1
        let t = Float(stepCount)
        let bc1 = 1 - powf(beta1, t), bc2 = 1 - powf(beta2, t)
        let stepSize = learningRate / bc1, bc2Root = bc2.squareRoot()
        for (i, p) in parameters.enumerated() {
            guard let gs = p.gradStorage else { continue }
            let x = p.ptr, g = gs.base, mi = m[i].base, vi = v[i].base
            let decay: Float = decays[i] ? 1 - learningRate * weightDecay : 1
            let b1 = beta1, b2 = beta2, e = eps
            Parallel.forRanges(p.count, work: 4 * p.count) { range in
                // Eight lanes at a time (the compiler keeps the scalar loop scalar); the same
                // operations in the same order as the tail, so the lanes round alike.
                var j = range.lowerBound
                while j + 8 <= range.upperBound {
                    let gj = Row.load(g + j)
                    let mj = b1 * Row.load(mi + j) + (1 - b1) * gj, vj = b2 * Row.load(vi + j) + (1 - b2) * gj * gj
                    Row.store(mj, mi + j)
                    Row.store(vj, vi + j)
                    Row.store(Row.load(x + j) * decay - stepSize * mj / (vj.squareRoot() / bc2Root + e), x + j)
                    j += 8
                }
                while j < range.upperBound {
                    let gj = g[j]
                    let mj = b1 * mi[j] + (1 - b1) * gj, vj = b2 * vi[j] + (1 - b2) * gj * gj
                    mi[j] = mj
                    vi[j] = vj
                    x[j] = x[j] * decay - stepSize * mj / (vj.squareRoot() / bc2Root + e)
                    j += 1
                }
            }
        }
    }

    /// Drops every parameter's gradient.
    public func zeroGrad() { for p in parameters { p.zeroGrad() } }
}

/// Gradient utilities.
public enum GradientClipping {
    /// Scales all gradients so their global L2 norm is at most `maxNorm`; returns the norm before clipping.
    @discardableResult
    public static func clipGlobalNorm(_ parameters: [Tensor], maxNorm: Float) -> Float {
        var s: Double = 0
        for p in parameters {
            guard let g = p.gradStorage?.base else { continue }
            for j in 0..<p.count { s += Double(g[j]) * Double(g[j]) }
        }
        let norm = Float(s.squareRoot())
        if norm > maxNorm {
            let f = maxNorm / (norm + 1e-6)
            for p in parameters {
                guard let g = p.gradStorage?.base else { continue }
                for j in 0..<p.count { g[j] *= f }
            }
        }
        return norm
    }
}
