import Foundation

/// Learning rate as a function of the step index (0-based): the one schedule of every training loop.
///
/// Two warm-up + cosine variants exist because two trainers computed them in different precision
/// before they shared this type, and changing either would change trained weights in the last
/// bits: ``warmupCosine(peak:warmup:total:floor:)`` in `Float` (the token policy, the engine's
/// tests), ``warmupCosineDouble(peak:warmup:total:floorFraction:)`` in `Double` as a factor of the
/// peak (VQ-BeT).
public enum LearningRateSchedule: Sendable, Equatable {
    /// Always `peak`.
    case constant(Float)
    /// Linear rise from 0 to `peak` over `warmup` steps, then cosine decay to `floor` at `total`.
    case warmupCosine(peak: Float, warmup: Int, total: Int, floor: Float)
    /// The same shape in double precision: a factor rising linearly to 1 over `warmup` steps, then
    /// decaying along a cosine to `floorFraction` at `total`, times `peak`, rounded to `Float`.
    case warmupCosineDouble(peak: Double, warmup: Int, total: Int, floorFraction: Double)

    /// The rate for `step`.
    public func rate(at step: Int) -> Float {
        switch self {
        case let .constant(lr): return lr
        case let .warmupCosine(peak, warmup, total, floor):
            if step < warmup { return peak * Float(step + 1) / Float(warmup) }
            if step >= total { return floor }
            let progress = Float(step - warmup) / Float(max(total - warmup, 1))
            return floor + 0.5 * (peak - floor) * (1 + cosf(Float.pi * progress))
        case let .warmupCosineDouble(peak, warmup, total, floorFraction):
            return Float(peak * Self.factor(step, warmup: warmup, total: total, floorFraction: floorFraction))
        }
    }

    /// The double-precision factor of ``warmupCosineDouble(peak:warmup:total:floorFraction:)``.
    static func factor(_ step: Int, warmup: Int, total: Int, floorFraction: Double) -> Double {
        if step < warmup { return Double(step + 1) / Double(warmup) }
        if step >= total { return floorFraction }
        let p = Double(step - warmup) / Double(max(total - warmup, 1))
        return floorFraction + (1 - floorFraction) * 0.5 * (1 + cos(Double.pi * p))
    }
}
