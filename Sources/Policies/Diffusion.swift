import Foundation
import Support

/// The settings of ``Diffusion`` (Diffusion Policy's recipe, `../shared/REFERENCES.md`); validates itself and names the bad field.
public struct DiffusionConfig: Sendable, Equatable, FieldListedConfig {
    /// How the noise levels `β_k` rise over the training timesteps.
    public enum BetaSchedule: String, Sendable, CaseIterable {
        /// `ᾱ(s) = cos²((s + 0.008)/1.008 · π/2)`, `β_k = min(1 − ᾱ((k+1)/T)/ᾱ(k/T), 0.999)` (diffusers' `squaredcos_cap_v2`).
        case squaredCosine = "squaredcos_cap_v2"
        /// `β` evenly spaced from `betaStart` to `betaEnd`.
        case linear
    }
    /// How a chunk is sampled.
    public enum Sampler: String, Sendable, CaseIterable {
        /// Ancestral DDPM over every training timestep, fixed-small variance.
        case ddpm
        /// Deterministic DDIM (η = 0) over `inferenceSteps` evenly spaced timesteps.
        case ddim
    }

    /// Training timesteps (Diffusion Policy: 100).
    public var trainTimesteps = 100
    /// The noise schedule (Diffusion Policy: `squaredcos_cap_v2`).
    public var betaSchedule = BetaSchedule.squaredCosine
    /// First and last `β` of the linear schedule (Diffusion Policy's values; unused by the cosine one).
    public var betaStart = 1e-4, betaEnd = 0.02
    /// The sampler (DDIM: the reference's choice for fast inference).
    public var sampler = Sampler.ddim
    /// Network evaluations per chunk (DDIM: 10, as on the reference's real robots; DDPM: every timestep).
    public var inferenceSteps = 10
    /// Whether the predicted clean chunk is clipped to ±`clipRange` at every step (the reference: yes, ±1).
    public var clipSample = true
    public var clipRange = 1.0

    /// Every field: its key and allowed values.
    public static let fields: [ConfigField<Self>] = [
        .int("train_timesteps", \.trainTimesteps, in: 2...100_000),
        .choice("beta_schedule", \.betaSchedule),
        .double("beta_start", \.betaStart, in: 1e-8...0.5),
        .double("beta_end", \.betaEnd, in: 1e-8...0.999),
        .choice("sampler", \.sampler),
        .int("inference_steps", \.inferenceSteps, in: 1...100_000),
        .bool("clip_sample", \.clipSample),
        .double("clip_range", \.clipRange, in: 1e-6...1e6),
    ]

    /// Every default value, in one place (the property declarations above).
    public static let defaults = DiffusionConfig()

    public init() {}

    /// Throws a ``ConfigError`` naming the first bad field, or the first inconsistent one.
    public func validate(location: String = "diffusion") throws {
        try Self.fields.validate(self, location: location)
        guard betaStart < betaEnd else {
            throw ConfigError(location: location, key: "beta_end", problem: "expected more than beta_start (\(betaStart)), found \(betaEnd)")
        }
        guard inferenceSteps <= trainTimesteps else {
            throw ConfigError(location: location, key: "inference_steps", problem: "expected at most train_timesteps (\(trainTimesteps)), found \(inferenceSteps)")
        }
        if sampler == .ddpm, inferenceSteps != trainTimesteps {
            throw ConfigError(location: location, key: "inference_steps", problem: "the ddpm sampler runs every training timestep: expected \(trainTimesteps), found \(inferenceSteps)")
        }
    }
}

/// Denoising diffusion with epsilon prediction: the network sees `x_k = √ᾱ_k·x₀ + √(1 − ᾱ_k)·ε` at
/// time `k/T` and predicts `ε` (MSE); sampling runs DDPM or DDIM from pure noise, clipping the
/// predicted clean chunk. Actions are scaled to [-1, 1] (``ActionScaling/minMax``).
public struct Diffusion: ChunkObjective {
    public let config: DiffusionConfig
    /// `β_k`, `α_k = 1 − β_k` and `ᾱ_k = ∏_{i ≤ k} α_i` for `k` in `0..<T` (Double).
    public let betas: [Double], alphas: [Double], alphasCumprod: [Double]

    /// Validates `config` (a ``ConfigError`` names the bad field) and builds the schedule.
    public init(_ config: DiffusionConfig = .defaults) throws {
        try config.validate()
        self.config = config
        let T = config.trainTimesteps
        switch config.betaSchedule {
        case .squaredCosine:
            let alphaBar = { (s: Double) -> Double in pow(cos((s + 0.008) / 1.008 * Double.pi / 2), 2) }
            betas = (0..<T).map { k in min(1 - alphaBar(Double(k + 1) / Double(T)) / alphaBar(Double(k) / Double(T)), 0.999) }
        case .linear:
            betas = (0..<T).map { config.betaStart + (config.betaEnd - config.betaStart) * Double($0) / Double(T - 1) }
        }
        alphas = betas.map { 1 - $0 }
        var product = 1.0
        alphasCumprod = alphas.map { product *= $0; return product }
    }

    public var name: String { "diffusion" }
    public var functionEvaluations: Int { config.sampler == .ddpm ? config.trainTimesteps : config.inferenceSteps }
    public var scaling: ActionScaling { .minMax }
    public var settings: ParameterValue { DiffusionConfig.fields.parameters(of: config) }

    /// The network's time input for timestep `k`: `k / T`, in [0, 1) like flow matching's times.
    public func time(_ k: Int) -> Float { Float(k) / Float(config.trainTimesteps) }

    /// The timesteps a sample visits, highest first: all of them for DDPM; for DDIM every
    /// `T / inferenceSteps`-th from 0 (diffusers' "leading" spacing: 90, 80, …, 0 for 10 of 100).
    public var samplingTimesteps: [Int] {
        let n = config.sampler == .ddpm ? config.trainTimesteps : config.inferenceSteps
        let ratio = config.trainTimesteps / n
        return (0..<n).map { $0 * ratio }.reversed()
    }

    public func trainingBatch(_ x0: [Float], width: Int, rng: inout SeededGenerator) -> ObjectiveBatch {
        let rows = x0.count / width
        var inputs = [Float](repeating: 0, count: x0.count), targets = inputs, times = [Float](repeating: 0, count: rows)
        for r in 0..<rows {
            let k = rng.nextInt(below: config.trainTimesteps)
            times[r] = time(k)
            let a = Float(alphasCumprod[k].squareRoot()), s = Float((1 - alphasCumprod[k]).squareRoot())
            for j in (r * width)..<((r + 1) * width) {
                let noise = Float(rng.nextGaussian())
                inputs[j] = a * x0[j] + s * noise
                targets[j] = noise
            }
        }
        return ObjectiveBatch(inputs: inputs, times: times, targets: targets)
    }

    /// The clean chunk implied by `x` and the predicted noise at timestep `k`, clipped when configured.
    func predictedClean(_ x: Double, _ eps: Double, _ k: Int) -> Double {
        let x0 = (x - (1 - alphasCumprod[k]).squareRoot() * eps) / alphasCumprod[k].squareRoot()
        return config.clipSample ? min(max(x0, -config.clipRange), config.clipRange) : x0
    }

    /// One DDIM step (η = 0) from timestep `k` to `previous` (`nil`: to the clean chunk, `ᾱ = 1`).
    public func ddimStep(_ x: [Float], eps: [Float], from k: Int, to previous: Int?) -> [Float] {
        let abarPrev = previous.map { alphasCumprod[$0] } ?? 1
        return x.indices.map { j in
            let x0 = predictedClean(Double(x[j]), Double(eps[j]), k)
            return Float(abarPrev.squareRoot() * x0 + (1 - abarPrev).squareRoot() * Double(eps[j]))
        }
    }

    /// One ancestral DDPM step from timestep `k` to `k − 1`: the posterior mean of `q(x_{k−1} | x_k, x̂₀)`
    /// plus, for `k > 0`, noise (from `rng`) with the fixed-small variance `β_k (1 − ᾱ_{k−1}) / (1 − ᾱ_k)`.
    public func ddpmStep(_ x: [Float], eps: [Float], at k: Int, rng: inout SeededGenerator) -> [Float] {
        let abar = alphasCumprod[k], abarPrev = k > 0 ? alphasCumprod[k - 1] : 1
        let c0 = abarPrev.squareRoot() * betas[k] / (1 - abar), ck = alphas[k].squareRoot() * (1 - abarPrev) / (1 - abar)
        let sd = max(betas[k] * (1 - abarPrev) / (1 - abar), 1e-20).squareRoot()
        return x.indices.map { j in
            let mean = c0 * predictedClean(Double(x[j]), Double(eps[j]), k) + ck * Double(x[j])
            return Float(k > 0 ? mean + sd * rng.nextGaussian() : mean)
        }
    }

    public func sample(rows: Int, width: Int, rng: inout SeededGenerator,
                       network: ([Float], [Float]) throws -> [Float]) rethrows -> [Float] {
        var x = (0..<(rows * width)).map { _ in Float(rng.nextGaussian()) }
        let steps = samplingTimesteps
        for (i, k) in steps.enumerated() {
            let eps = try network(x, [Float](repeating: time(k), count: rows))
            switch config.sampler {
            case .ddim: x = ddimStep(x, eps: eps, from: k, to: i + 1 < steps.count ? steps[i + 1] : nil)
            case .ddpm: x = ddpmStep(x, eps: eps, at: k, rng: &rng)
            }
        }
        return x
    }
}
