import XCTest
import ActionData
import Engine
@testable import Policies
import Support

/// The continuous chunk policies: samplers against closed forms and numpy, training on toys.
final class ContinuousPolicyTests: XCTestCase {
    // MARK: Flow matching's sampler

    /// Euler on `dx/dt = x` from t = 1 to 0 gives exactly `x·(1 − 1/N)^N` (the scheme's closed
    /// form) and approaches the exact solution `x·e^{-1}` with first-order error (≤ x/N here).
    func testEulerOnALinearFieldMatchesItsClosedForms() {
        for n in [1, 2, 10, 100] {
            let x = FlowMatching.integrate([2, -0.5], rows: 1, steps: n) { values, _ in values }
            for (start, end) in zip([2.0, -0.5], x) {
                XCTAssertEqual(Double(end), start * pow(1 - 1 / Double(n), Double(n)), accuracy: 1e-5 * abs(start))
                XCTAssertLessThanOrEqual(abs(Double(end) - start * exp(-1)), abs(start) / Double(n))
            }
        }
    }

    /// The straight path from noise to one action has a velocity field Euler integrates exactly,
    /// whatever the number of steps: `v(x, t) = (x − a)/t` carries any start to `a` at t = 0.
    func testEulerFollowsAStraightPathExactly() {
        let a: [Float] = [0.3, -1.2, 2.0]
        for n in [1, 3, 10] {
            let x = FlowMatching.integrate([1, 0.5, -2], rows: 1, steps: n) { values, t in values.indices.map { (values[$0] - a[$0]) / t[0] } }
            for (got, want) in zip(x, a) { XCTAssertEqual(got, want, accuracy: 1e-5) }
        }
    }

    /// With the exact optimal velocity of a 1-D Gaussian mixture (written here from the path
    /// `x_t = t·ε + (1 − t)·a`), flow matching's sampler reproduces the mixture: its mean, variance
    /// and the share of each component, within five standard errors of 4,000 draws plus the
    /// Euler error of 200 steps.
    func testFlowSamplerWithTheAnalyticVelocityReproducesAMixture() throws {
        let weights = [0.3, 0.7], means = [-2.0, 1.5], sds = [0.3, 0.5]
        func velocity(_ x: Double, _ t: Double) -> Double {
            var num = 0.0, den = 0.0
            for k in 0..<2 {
                let m = (1 - t) * means[k], s2 = (1 - t) * (1 - t) * sds[k] * sds[k] + t * t
                let w = weights[k] * exp(-(x - m) * (x - m) / (2 * s2)) / s2.squareRoot()
                let eA = means[k] + (1 - t) * sds[k] * sds[k] / s2 * (x - m), eNoise = t / s2 * (x - m)
                num += w * (eNoise - eA); den += w
            }
            return num / den
        }
        let objective = try FlowMatching(with(FlowMatchingConfig()) { $0.inferenceSteps = 200 })
        var rng = SeededGenerator(seed: 11)
        let n = 4_000
        let draws = objective.sample(rows: n, width: 1, rng: &rng) { x, t in x.map { Float(velocity(Double($0), Double(t[0]))) } }.map(Double.init)
        let mean = weights[0] * means[0] + weights[1] * means[1]
        let variance = zip(weights, zip(means, sds)).reduce(0.0) { $0 + $1.0 * ($1.1.1 * $1.1.1 + $1.1.0 * $1.1.0) } - mean * mean
        let sampleMean = draws.reduce(0, +) / Double(n)
        let sampleVariance = draws.map { ($0 - sampleMean) * ($0 - sampleMean) }.reduce(0, +) / Double(n - 1)
        XCTAssertEqual(sampleMean, mean, accuracy: 5 * (variance / Double(n)).squareRoot() + 0.02)
        XCTAssertEqual(sampleVariance, variance, accuracy: 5 * variance * (2 / Double(n)).squareRoot() + 0.05)
        let left = Double(draws.filter { $0 < 0 }.count) / Double(n)
        XCTAssertEqual(left, weights[0], accuracy: 5 * (0.3 * 0.7 / Double(n)).squareRoot())
    }

    // MARK: Diffusion's schedules and steps against numpy

    struct Golden: Decodable {
        struct Schedule: Decodable { let betas: [Double]; let alphas_cumprod: [Double] }
        struct DDIMStep: Decodable { let t: Int; let prev: Int; let result: [Double] }
        struct DDIM: Decodable { let timesteps: [Int]; let x: [Double]; let eps: [Double]; let steps: [DDIMStep] }
        struct DDPMStep: Decodable { let t: Int; let mean: [Double]; let variance: Double; let sample: [Double] }
        struct DDPM: Decodable { let x: [Double]; let eps: [Double]; let noise: [Double]; let steps: [DDPMStep] }
        struct Embedding: Decodable { let times: [Float]; let dim: Int; let values: [[Double]] }
        let schedules: [String: Schedule]
        let ddim: DDIM
        let ddpm: DDPM
        let time_embedding: Embedding
    }

    func golden() throws -> Golden {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/continuous_golden.json")
        return try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url))
    }

    /// Both noise schedules' betas and cumulative alphas equal numpy's (relative 1e-9: both in Double).
    func testDiffusionSchedulesMatchNumpy() throws {
        let g = try golden()
        for schedule in DiffusionConfig.BetaSchedule.allCases {
            let d = try Diffusion(with(DiffusionConfig()) { $0.betaSchedule = schedule })
            let want = try XCTUnwrap(g.schedules[schedule.rawValue])
            XCTAssertEqual(d.betas.count, 100)
            for (a, b) in zip(d.betas, want.betas) { XCTAssertEqual(a, b, accuracy: 1e-9 * max(b, 1e-3)) }
            for (a, b) in zip(d.alphasCumprod, want.alphas_cumprod) { XCTAssertEqual(a, b, accuracy: 1e-9) }
        }
    }

    /// DDIM's timesteps and one step (η = 0, clipped x̂₀) equal numpy's; the inputs are Float, so
    /// the tolerance is Float's relative precision times the largest coefficient (≈ 1/√ᾱ ≤ 160).
    func testDDIMStepMatchesNumpy() throws {
        let g = try golden(), d = try Diffusion()
        XCTAssertEqual(d.samplingTimesteps, g.ddim.timesteps)
        let x = g.ddim.x.map(Float.init), eps = g.ddim.eps.map(Float.init)
        for step in g.ddim.steps {
            let got = d.ddimStep(x, eps: eps, from: step.t, to: step.prev >= 0 ? step.prev : nil)
            for (a, b) in zip(got, step.result) { XCTAssertEqual(Double(a), b, accuracy: 1e-4) }
        }
    }

    /// One ancestral DDPM step with a given noise equals numpy's posterior sample.
    func testDDPMStepMatchesNumpy() throws {
        let g = try golden()
        let d = try Diffusion(with(DiffusionConfig()) { $0.sampler = .ddpm; $0.inferenceSteps = 100 })
        let x = g.ddpm.x.map(Float.init), eps = g.ddpm.eps.map(Float.init)
        for step in g.ddpm.steps {
            var rng = SeededGenerator(seed: 1), replay = SeededGenerator(seed: 1)
            let got = d.ddpmStep(x, eps: eps, at: step.t, rng: &rng)
            // For t > 0 the step adds sd·z with z the generator's draws in order: replay them.
            let z = step.t > 0 ? x.indices.map { _ in replay.nextGaussian() } : Array(repeating: 0, count: x.count)
            for j in x.indices {
                XCTAssertEqual(Double(got[j]), step.mean[j] + step.variance.squareRoot() * z[j], accuracy: 1e-4)
            }
        }
    }

    /// pi0's time embedding equals numpy's.
    func testTimeEmbeddingMatchesNumpy() throws {
        let g = try golden().time_embedding
        let e = SinusoidalEmbedding.geometricPeriods(g.times, dim: g.dim)
        XCTAssertEqual(e.shape, [g.times.count, g.dim])
        for (r, row) in g.values.enumerated() {
            for (i, v) in row.enumerated() { XCTAssertEqual(Double(e[r, i]), v, accuracy: 2e-6) }
        }
    }

    // MARK: Training on toys

    /// 512 one-step, one-dimensional actions, half near +1 and half near −1 (deviation 0.05), under one constant condition.
    func bimodal() -> (conditions: [[Float]], chunks: [[Double]]) {
        var rng = SeededGenerator(seed: 5)
        let chunks = (0..<512).map { i in [(i % 2 == 0 ? 1.0 : -1.0) + 0.05 * rng.nextGaussian()] }
        return (Array(repeating: [0], count: chunks.count), chunks)
    }

    var toyConfig: TokenPolicyConfig {
        with(TokenPolicyConfig()) {
            $0.dModel = 16; $0.heads = 2; $0.layers = 1; $0.trainingSteps = 400; $0.batchSize = 64
            $0.learningRate = 3e-3; $0.warmupSteps = 20; $0.progressEvery = 100
        }
    }

    func toyModel(_ objective: any ChunkObjective, seed: UInt64 = 3) throws -> ContinuousChunkModel {
        try ContinuousChunkModel(objective: objective, config: toyConfig, prefixLength: 1, conditionDim: 1, chunkLength: 1, actionDim: 1, seed: seed)
    }

    /// Shares of samples near +1, near −1 and in between (|x| < 0.5).
    func shares(_ samples: [[Double]]) -> (plus: Double, minus: Double, between: Double) {
        let v = samples.map { $0[0] }, n = Double(v.count)
        return (Double(v.filter { $0 > 0.5 }.count) / n, Double(v.filter { $0 < -0.5 }.count) / n, Double(v.filter { abs($0) < 0.5 }.count) / n)
    }

    /// Trained on a bimodal toy, flow matching and diffusion sample both modes and rarely the
    /// mean; regression with an MSE loss predicts the mean (the mode averaging the chapter measures).
    func testTrainedPoliciesOnABimodalToy() throws {
        let (conditions, chunks) = bimodal()
        for objective in [try FlowMatching() as any ChunkObjective, try Diffusion()] {
            let model = try toyModel(objective)
            try model.train(conditions: conditions, chunks: chunks)
            var rng = SeededGenerator(seed: 9)
            let s = shares(try model.sample(conditions: Array(repeating: [0], count: 400), rng: &rng))
            XCTAssertGreaterThan(s.plus, 0.25, "\(objective.name): share near +1")
            XCTAssertGreaterThan(s.minus, 0.25, "\(objective.name): share near -1")
            XCTAssertLessThan(s.between, 0.15, "\(objective.name): share between the modes")
        }
        let regression = try toyModel(Regression())
        try regression.train(conditions: conditions, chunks: chunks)
        var rng = SeededGenerator(seed: 9)
        let mean = try regression.sample(conditions: [[0]], rng: &rng)[0][0]
        XCTAssertLessThan(abs(mean), 0.2, "regression predicts the mean of the two modes")
    }

    /// The same seed gives the same weights and samples, bit for bit (same machine, same threads);
    /// a checkpoint reloads into a fresh model that samples the same chunks.
    func testDeterminismAndCheckpoints() throws {
        let (conditions, chunks) = bimodal()
        var config = toyConfig
        config.trainingSteps = 30
        func trained() throws -> ContinuousChunkModel {
            let m = try ContinuousChunkModel(objective: try FlowMatching(), config: config, prefixLength: 1, conditionDim: 1, chunkLength: 1, actionDim: 1, seed: 4)
            try m.train(conditions: conditions, chunks: chunks)
            return m
        }
        let a = try trained(), b = try trained()
        for ((_, x), (_, y)) in zip(a.network.namedParameters(), b.network.namedParameters()) { XCTAssertEqual(x.scalars, y.scalars) }
        func draw(_ m: ContinuousChunkModel) throws -> [[Double]] {
            var rng = SeededGenerator(seed: 2)
            return try m.sample(conditions: Array(repeating: [0], count: 8), rng: &rng)
        }
        XCTAssertEqual(try draw(a), try draw(b))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("flow-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try a.save(to: url)
        let fresh = try ContinuousChunkModel(objective: try FlowMatching(), config: config, prefixLength: 1, conditionDim: 1, chunkLength: 1, actionDim: 1, seed: 99)
        try fresh.load(from: url)
        XCTAssertEqual(try draw(fresh), try draw(a))
        let other = try ContinuousChunkModel(objective: try Diffusion(), config: config, prefixLength: 1, conditionDim: 1, chunkLength: 1, actionDim: 1, seed: 99)
        XCTAssertThrowsError(try other.load(from: url), "a flow checkpoint does not load into a diffusion model")
    }

    /// A continuous policy behind the policy protocol: trains on demonstrations, returns chunks of its window.
    func testContinuousPolicyActsInChunks() throws {
        let demos = try Demonstrations((0..<4).map { e in
            Demonstrations.Episode(observations: (0..<12).map { [Double($0), Double(e)] }, actions: (0..<12).map { _ in [0.1, -0.1 * Double(e)] })
        })
        var config = ContinuousPolicyConfig()
        config.history = 2; config.window = 3; config.model = toyConfig; config.model.trainingSteps = 20
        let policy = try ContinuousPolicy(config, objective: try FlowMatching(), observationDim: 2, actionDim: 2)
        XCTAssertEqual(policy.costPerChunk, .functionEvaluations(10))
        var rng = SeededGenerator(seed: 1)
        XCTAssertThrowsError(try policy.act(history: [[0, 0]], rng: &rng), "acting before training is an error")
        var reports = 0
        try policy.train(demos) { _ in reports += 1 }
        XCTAssertGreaterThan(reports, 0)
        let chunk = try policy.act(history: [[0, 0], [1, 0]], rng: &rng)
        XCTAssertEqual(chunk.steps, 3); XCTAssertEqual(chunk.dims, 2)
        XCTAssertTrue(chunk.values.allSatisfy(\.isFinite))
        let regression = try ContinuousPolicy(config, objective: Regression(), observationDim: 2, actionDim: 2)
        XCTAssertEqual(regression.costPerChunk, .forwardPasses(1))
    }

    // MARK: Bad settings

    func testBadSettingsAreNamed() throws {
        func key(_ body: () throws -> Void) -> String? {
            do { try body(); return nil } catch let e as ConfigError { return e.key } catch { return "\(error)" }
        }
        XCTAssertEqual(key { _ = try FlowMatching(with(FlowMatchingConfig()) { $0.inferenceSteps = 0 }) }, "inference_steps")
        XCTAssertEqual(key { _ = try FlowMatching(with(FlowMatchingConfig()) { $0.timeScale = 0.9995; $0.timeOffset = 0.01 }) }, "time_scale")
        XCTAssertEqual(key { _ = try Diffusion(with(DiffusionConfig()) { $0.inferenceSteps = 200 }) }, "inference_steps")
        XCTAssertEqual(key { _ = try Diffusion(with(DiffusionConfig()) { $0.sampler = .ddpm }) }, "inference_steps")
        func table(_ entries: [(String, ParameterValue)]) throws -> ParameterReader {
            try ParameterReader(.table(entries.map { (key: $0.0, value: $0.1) }), location: "test")
        }
        XCTAssertEqual(key { _ = try PolicyRegistry.make("diffusion", parameters: try table([("beta_schedule", .string("cosine"))])) }, "beta_schedule")
        XCTAssertEqual(key { _ = try PolicyRegistry.make("flow", parameters: try table([("inference_steps", .int(0))])) }, "inference_steps")
        XCTAssertEqual(key { _ = try PolicyRegistry.make("flow", parameters: try table([("nfe", .int(3))])) }, "nfe")
        XCTAssertEqual(key { _ = try PolicyRegistry.make("pi0", parameters: try table([])) }, "policy")
        XCTAssertEqual(key { _ = try ContinuousChunkModel(objective: Regression(), config: with(TokenPolicyConfig()) { $0.dModel = 5; $0.heads = 5 },
                                                         prefixLength: 1, conditionDim: 1, chunkLength: 1, actionDim: 1, seed: 1) }, "d_model")
    }

    /// Real-time chunking's hard inpainting, against plain Euler on an elementwise field (each
    /// value's velocity depends on that value only): weight-0 values are plain Euler's, bit for
    /// bit; weight-1 values end exactly on their targets; a weight in between ends between them,
    /// far from the target (its per-step pulls compound to the weight, not to 1).
    func testInpaintingFreezesWeightedValuesAndLeavesFreeOnes() throws {
        var settings = FlowMatchingConfig(); settings.inferenceSteps = 7
        let flow = try FlowMatching(settings)
        let field = { (x: [Float], _: [Float]) in x.map { 0.8 * $0 - 0.3 } }
        let rows = 3, width = 4
        let targets = (0..<(rows * width)).map { Float($0) / 5 - 1 }
        let weights: [Float] = Array((0..<rows).map { _ in [1, 1, 0.5, 0] as [Float] }.joined())
        var a = SeededGenerator(seed: 5), b = SeededGenerator(seed: 5)
        let plain = flow.sample(rows: rows, width: width, rng: &a, network: field)
        let inpainted = flow.inpaint(rows: rows, width: width, rng: &b, targets: targets, weights: weights, network: field)
        for j in 0..<(rows * width) {
            switch weights[j] {
            case 1: XCTAssertEqual(inpainted[j], targets[j], "value \(j) is frozen")
            case 0: XCTAssertEqual(inpainted[j].bitPattern, plain[j].bitPattern, "value \(j) is free")
            default:
                let (lo, hi) = (min(plain[j], targets[j]), max(plain[j], targets[j]))
                XCTAssertTrue(inpainted[j] >= lo - 1e-5 && inpainted[j] <= hi + 1e-5, "value \(j): \(inpainted[j]) between \(plain[j]) and \(targets[j])")
                // The pulls compound to about the weight, not to nearly 1 (0.5^7 of the way left):
                // a weight of one half leaves the value well short of its target.
                XCTAssertGreaterThan(abs(inpainted[j] - targets[j]), 0.25 * abs(plain[j] - targets[j]), "value \(j) is pulled, not frozen")
            }
        }
    }

    /// Guided inpainting (the reference's RTC) on an elementwise linear field, whose pullback is
    /// known (`(∂v/∂x)ᵀ e = a e`): weight-0 values follow plain Euler (no guidance where nothing is
    /// asked), weighted values end nearer their targets than plain Euler leaves them.
    func testGuidedInpaintingPullsWeightedValuesOnly() throws {
        var settings = FlowMatchingConfig(); settings.inferenceSteps = 10
        let flow = try FlowMatching(settings)
        let a: Float = 0.8
        let field = { (x: [Float], _: [Float]) in x.map { a * $0 - 0.3 } }
        let rows = 3, width = 4
        let weights: [Float] = Array((0..<rows).map { _ in [1, 1, 0.5, 0] as [Float] }.joined())
        var p = SeededGenerator(seed: 5), g = SeededGenerator(seed: 5)
        let plain = flow.sample(rows: rows, width: width, rng: &p, network: field)
        let targets = plain.enumerated().map { $0.element + ($0.offset % 2 == 0 ? 1 : -1) }   // one unit from where plain Euler ends
        let guided = flow.guidedInpaint(rows: rows, width: width, rng: &g, targets: targets, weights: weights, maxGuidance: 5) { x, t in
            (field(x, t), { e in e.map { a * $0 } })
        }
        for j in 0..<(rows * width) {
            if weights[j] == 0 {
                XCTAssertEqual(guided[j], plain[j], accuracy: 1e-5, "value \(j) is free")
            } else {
                XCTAssertLessThan(abs(guided[j] - targets[j]), 0.5 * abs(plain[j] - targets[j]), "value \(j) is pulled towards \(targets[j])")
            }
        }
    }

    /// The model's pullback is the transpose of its Jacobian: `e · (v(x + hδ) - v(x - hδ)) / 2h`
    /// against `pullback(e) · δ`, on an untrained network (central differences in Float).
    func testPullbackMatchesFiniteDifferences() throws {
        let model = try ContinuousChunkModel(objective: try FlowMatching(), config: toyConfig, prefixLength: 2, conditionDim: 3, chunkLength: 4, actionDim: 2, seed: 9)
        var rng = SeededGenerator(seed: 1)
        let condition = Tensor(shape: [1, 2, 3], scalars: (0..<6).map { _ in Float(rng.nextGaussian()) })
        let x = (0..<8).map { _ in Float(rng.nextGaussian()) }, e = (0..<8).map { _ in Float(rng.nextGaussian()) }
        let delta = (0..<8).map { _ in Float(rng.nextGaussian()) }
        let (_, pullback) = model.pullbackEvaluation(condition, x, [0.6])
        let analytic = zip(pullback(e), delta).map { $0 * $1 }.reduce(0, +)
        let h: Float = 1e-2
        let plus = Tape.noGrad { model.evaluate(condition, zip(x, delta).map { $0 + h * $1 }, [0.6]).scalars }
        let minus = Tape.noGrad { model.evaluate(condition, zip(x, delta).map { $0 - h * $1 }, [0.6]).scalars }
        let numeric = zip(e, zip(plus, minus)).map { $0 * ($1.0 - $1.1) / (2 * h) }.reduce(0, +)
        XCTAssertEqual(analytic, numeric, accuracy: 2e-2 * max(1, abs(numeric)), "e·Jδ by the pullback and by differences")
    }

    /// The model returns its frozen steps as the targets themselves and refuses to inpaint with an
    /// objective that cannot (regression) or with a mask of the wrong length.
    func testModelInpaintsOnlyWithFlowMatching() throws {
        let (conditions, chunks) = bimodal()
        var config = toyConfig
        config.trainingSteps = 20
        let model = try ContinuousChunkModel(objective: try FlowMatching(), config: config, prefixLength: 1, conditionDim: 1, chunkLength: 3, actionDim: 2, seed: 4)
        let wide: [[Double]] = chunks.map { (c: [Double]) -> [Double] in (0..<6).map { (j: Int) -> Double in c[0] + Double(j) / 10 } }
        try model.train(conditions: conditions, chunks: wide)
        var rng = SeededGenerator(seed: 3)
        let targets: [[Double]] = (0..<5).map { (i: Int) -> [Double] in (0..<6).map { (j: Int) -> Double in Double(i) / 10 + Double(j) / 100 + 0.123456789 } }
        let out = try model.sample(conditions: Array(repeating: [0], count: 5), rng: &rng, targets: targets, weights: [1, 0.4, 0])
        for (o, t) in zip(out, targets) { XCTAssertEqual(Array(o[0..<2]), Array(t[0..<2]), "the frozen first step is the target, bit for bit") }
        let guided = try model.sample(conditions: Array(repeating: [0], count: 5), rng: &rng, targets: targets, weights: [1, 0.4, 0], guidance: 5)
        for (o, t) in zip(guided, targets) { XCTAssertEqual(Array(o[0..<2]), Array(t[0..<2]), "guided too: the frozen first step is the target") }
        XCTAssertThrowsError(try model.sample(conditions: [[0]], rng: &rng, targets: [targets[0]], weights: [1, 0]))
        let regression = try ContinuousChunkModel(objective: Regression(), config: config, prefixLength: 1, conditionDim: 1, chunkLength: 3, actionDim: 2, seed: 4)
        try regression.train(conditions: conditions, chunks: wide)
        XCTAssertThrowsError(try regression.sample(conditions: [[0]], rng: &rng, targets: [targets[0]], weights: [1, 0, 0])) {
            XCTAssertTrue("\($0)".contains("cannot inpaint"), "\($0)")
        }
    }
}

/// `value` changed by `change`.
func with<T>(_ value: T, _ change: (inout T) -> Void) -> T {
    var v = value
    change(&v)
    return v
}
