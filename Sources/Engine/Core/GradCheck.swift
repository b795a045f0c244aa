import Foundation
import Support

/// Finite-difference verification of backward passes.
///
/// The function's output is reduced to a scalar `L = Σᵢ wᵢ·outᵢ` with fixed random weights `w`
/// (accumulated in Double). The analytic gradient of `L` comes from the tape; the numeric one from
/// central differences `(L(x+h) − L(x−h)) / 2h` for every input element, in Float32 with step
/// ``Defaults/gradCheckStep``. The reported error is `max|analytic − numeric| / max(max|numeric|, 1e-3)`
/// over all elements of all inputs; a check passes when it is at most ``Defaults/gradCheckTolerance``.
public enum GradCheck {
    /// Returns the relative error of `f`'s gradients with respect to `inputs` (which must require grad).
    public static func relativeError(_ inputs: [Tensor], step h: Float = Defaults.gradCheckStep, seed: UInt64 = 7,
                                     _ f: () -> Tensor) -> Double {
        let probe = Tape.noGrad { f() }
        var rng = SeededGenerator(seed: seed)
        let w = (0..<probe.count).map { _ in Float(rng.nextUniform(-1, 1)) }
        let wt = Tensor(shape: probe.shape, scalars: w)
        func scalar() -> Double {
            let out = Tape.noGrad { f() }
            var s: Double = 0
            for i in 0..<out.count { s += Double(out.ptr[i]) * Double(w[i]) }
            return s
        }
        for x in inputs { x.zeroGrad() }
        (f() * wt).sum().backward()
        var maxDiff = 0.0, maxNum = 0.0
        for x in inputs {
            let analytic = x.grad ?? Array(repeating: 0, count: x.count)
            for i in 0..<x.count {
                let old = x.ptr[i]
                x.ptr[i] = old + h
                let up = scalar()
                x.ptr[i] = old - h
                let down = scalar()
                x.ptr[i] = old
                let numeric = (up - down) / (2 * Double(h))
                maxDiff = max(maxDiff, abs(numeric - Double(analytic[i])))
                maxNum = max(maxNum, abs(numeric))
            }
            x.zeroGrad()
        }
        return maxDiff / max(maxNum, 1e-3)
    }
}
