import Foundation
import Support

/// The settings of ``FlowMatching`` (pi0's recipe, `../shared/REFERENCES.md`); validates itself and names the bad field.
public struct FlowMatchingConfig: Sendable, Equatable, FieldListedConfig {
    /// Forward Euler steps from noise to actions, i.e. network evaluations per chunk (pi0: 10).
    public var inferenceSteps = 10
    /// Training times are `timeScale · Beta(timeAlpha, timeBeta) + timeOffset` (pi0: 0.999 · Beta(1.5, 1) + 0.001,
    /// more weight on the noisy end).
    public var timeAlpha = 1.5, timeBeta = 1.0
    public var timeScale = 0.999, timeOffset = 0.001

    /// Every field: its key and allowed values.
    public static let fields: [ConfigField<Self>] = [
        .int("inference_steps", \.inferenceSteps, in: 1...100_000),
        .double("time_alpha", \.timeAlpha, in: 0.01...100),
        .double("time_beta", \.timeBeta, in: 0.01...100),
        .double("time_scale", \.timeScale, in: 0.001...1),
        .double("time_offset", \.timeOffset, in: 0...0.999),
    ]

    /// Every default value, in one place (the property declarations above).
    public static let defaults = FlowMatchingConfig()

    public init() {}

    /// Throws a ``ConfigError`` naming the first bad field; times must stay within [0, 1].
    public func validate(location: String = "flow matching") throws {
        try Self.fields.validate(self, location: location)
        guard timeScale + timeOffset <= 1 else {
            throw ConfigError(location: location, key: "time_scale", problem: "time_scale + time_offset must be at most 1 (times lie in [0, 1]), found \(timeScale) + \(timeOffset)")
        }
    }
}

/// Flow matching with pi0's conventions: `x_t = t·noise + (1 − t)·actions`, target velocity
/// `u = noise − actions`, MSE on the velocity; sampling integrates `dx/dt = v(x, t)` with forward
/// Euler from `t = 1` (noise) to `t = 0` (actions) in ``FlowMatchingConfig/inferenceSteps`` steps.
public struct FlowMatching: ChunkObjective {
    public let config: FlowMatchingConfig

    /// Validates `config` (a ``ConfigError`` names the bad field).
    public init(_ config: FlowMatchingConfig = .defaults) throws {
        try config.validate()
        self.config = config
    }

    public var name: String { "flow" }
    public var functionEvaluations: Int { config.inferenceSteps }
    public var scaling: ActionScaling { .standard }
    public var settings: ParameterValue { FlowMatchingConfig.fields.parameters(of: config) }

    /// One training time: `timeScale · Beta(timeAlpha, timeBeta) + timeOffset`.
    public func trainingTime(_ rng: inout SeededGenerator) -> Float {
        Float(config.timeScale * rng.nextBeta(config.timeAlpha, config.timeBeta) + config.timeOffset)
    }

    public func trainingBatch(_ x0: [Float], width: Int, rng: inout SeededGenerator) -> ObjectiveBatch {
        let rows = x0.count / width
        var inputs = [Float](repeating: 0, count: x0.count), targets = inputs, times = [Float](repeating: 0, count: rows)
        for r in 0..<rows {
            let t = trainingTime(&rng)
            times[r] = t
            for j in (r * width)..<((r + 1) * width) {
                let noise = Float(rng.nextGaussian())
                inputs[j] = t * noise + (1 - t) * x0[j]
                targets[j] = noise - x0[j]
            }
        }
        return ObjectiveBatch(inputs: inputs, times: times, targets: targets)
    }

    public func sample(rows: Int, width: Int, rng: inout SeededGenerator,
                       network: ([Float], [Float]) throws -> [Float]) rethrows -> [Float] {
        let start = (0..<(rows * width)).map { _ in Float(rng.nextGaussian()) }
        return try Self.integrate(start, rows: rows, steps: config.inferenceSteps, velocity: network)
    }

    /// Forward Euler for `dx/dt = velocity(x, t)` from `t = 1` to `t = 0` in `steps` equal steps:
    /// `x ← x − v(x, t)/steps` at `t = 1, 1 − 1/steps, …, 1/steps`. `velocity` gets every row's
    /// values and one time per row (all rows share the time).
    public static func integrate(_ start: [Float], rows: Int, steps: Int,
                                 velocity: ([Float], [Float]) throws -> [Float]) rethrows -> [Float] {
        precondition(steps >= 1, "Euler integration needs at least one step, got \(steps)")
        var x = start
        let dt = -1 / Float(steps)
        for k in 0..<steps {
            let t = 1 - Float(k) / Float(steps)
            let v = try velocity(x, [Float](repeating: t, count: rows))
            for j in x.indices { x[j] += dt * v[j] }
        }
        return x
    }
}

/// An objective that can sample a chunk whose first actions are already decided (real-time chunking).
public protocol InpaintingObjective: ChunkObjective {
    /// Like ``ChunkObjective/sample(rows:width:rng:network:)``, with every value pulled towards
    /// `targets` (scaled, `rows × width`) by `weights` (`rows × width`, each in [0, 1]).
    func inpaint(rows: Int, width: Int, rng: inout SeededGenerator, targets: [Float], weights: [Float],
                 network: (_ inputs: [Float], _ times: [Float]) throws -> [Float]) rethrows -> [Float]
}

extension FlowMatching: InpaintingObjective {
    /// Real-time chunking's inpainting in its simpler, "hard" form: after every Euler step to time
    /// `t`, each value moves to `(1 - a) x + a (t ε + (1 - t) target)`, the point at `t` of its
    /// target's own noise-to-action path (ε: the value's starting noise), by the share
    /// `a = 1 - (1 - w)^(1/K)` of its weight `w` over the `K` steps. A value of weight 1 thus ends
    /// exactly on its target, one of weight 0 is left to the model, and the pulls of a weight in
    /// between compound to `w` over the steps rather than to nearly 1 (pulling by `w` at every
    /// step would freeze every value of the soft mask's decaying tail). The reference instead
    /// guides the velocity with a vector-Jacobian product (REFERENCES.md, Real-Time Chunking);
    /// this variant needs no gradient through the network.
    public func inpaint(rows: Int, width: Int, rng: inout SeededGenerator, targets: [Float], weights: [Float],
                        network: ([Float], [Float]) throws -> [Float]) rethrows -> [Float] {
        precondition(targets.count == rows * width && weights.count == rows * width, "targets and weights need rows × width values")
        let start = (0..<(rows * width)).map { _ in Float(rng.nextGaussian()) }
        var x = start
        let steps = config.inferenceSteps, dt = -1 / Float(steps)
        // Each step's share of the pull: weight 1 stays 1 (frozen), weight 0 stays 0 (free).
        let share = weights.map { w -> Float in w >= 1 ? 1 : w <= 0 ? 0 : Float(1 - pow(1 - Double(w), 1 / Double(steps))) }
        for k in 0..<steps {
            let t = 1 - Float(k) / Float(steps)
            let v = try network(x, [Float](repeating: t, count: rows))
            let next = 1 - Float(k + 1) / Float(steps)
            for j in x.indices {
                x[j] += dt * v[j]
                let a = share[j]
                if a > 0 { x[j] = (1 - a) * x[j] + a * (next * start[j] + (1 - next) * targets[j]) }
            }
        }
        return x
    }
}

extension FlowMatching {
    /// Real-time chunking's guided inpainting, as the reference does it: at every Euler step the
    /// velocity is corrected so that the step's one-step estimate of the actions, `â = x - t v`,
    /// moves towards the targets where the weights ask for it:
    /// `v ← v - c Jᵀ (w ⊙ (target - â))`, with `J = ∂â/∂x = I - t ∂v/∂x` and the guidance weight
    /// `c = min(β, (1 - τ) / (τ r²))`, `τ = 1 - t`, `r² = (1 - τ)² / (τ² + (1 - τ)²)` (the paper's
    /// schedule, written in this file's time, where `t = 1` is noise). `network` returns the
    /// velocity and its pullback, `e ↦ (∂v/∂x)ᵀ e` (one vector-Jacobian product per step).
    /// Nothing is frozen exactly: a caller that needs the frozen actions as they are sets them.
    public func guidedInpaint(rows: Int, width: Int, rng: inout SeededGenerator, targets: [Float], weights: [Float], maxGuidance: Float,
                              network: (_ inputs: [Float], _ times: [Float]) throws -> (velocity: [Float], pullback: ([Float]) -> [Float])) rethrows -> [Float] {
        precondition(targets.count == rows * width && weights.count == rows * width, "targets and weights need rows × width values")
        var x = (0..<(rows * width)).map { _ in Float(rng.nextGaussian()) }
        let steps = config.inferenceSteps, dt = -1 / Float(steps)
        for k in 0..<steps {
            let t = 1 - Float(k) / Float(steps)
            let (v, pullback) = try network(x, [Float](repeating: t, count: rows))
            let e = x.indices.map { j in weights[j] * (targets[j] - (x[j] - t * v[j])) }
            let jvp = pullback(e)
            let tau = 1 - t
            let r2 = (1 - tau) * (1 - tau) / (tau * tau + (1 - tau) * (1 - tau))
            let c = tau > 0 ? min(maxGuidance, (1 - tau) / (tau * r2)) : maxGuidance
            for j in x.indices { x[j] += dt * (v[j] - c * (e[j] - t * jvp[j])) }
        }
        return x
    }
}
