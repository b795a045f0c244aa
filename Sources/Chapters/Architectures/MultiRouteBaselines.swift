import Engine
import Foundation
import Lab
import Policies
import Simulation
import Support
import Tokenizers
import Experiments

/// Architectures chapter: which policies keep the multi-route task's three routes.
///
/// Per seed, the same scripted demonstrations train four policies behind the one policy protocol,
/// each seeing the last few positions and writing a chunk of displacements: VQ-BeT as published;
/// per-step binning with the token model (the audit's "simple discretization"); a continuous
/// regression with an MSE loss (the mode-averaging policy); and flow matching (pi0's recipe). The
/// three trained on the shared transformer (binning, regression, flow) have its same width, depth,
/// heads, optimiser, steps and batch. All act in chunks of VQ-BeT's window and are rolled out on
/// the same seeded episodes.
public struct MultiRouteBaselines: Experiment {
    public let chapter = "architectures"
    public let name = "multi-route-baselines"

    public init() {}

    /// The statistics its claims may name, each with the `select` keys it reads.
    public var statistics: [String: [String]] {
        ["success_gain": ["policy", "baseline", "recipe"], "mode_averaging_gap": ["policies", "baseline", "recipe"], "route_distance": ["policy", "recipe"]]
    }

    public struct Config {
        let tokenizer: ResidualVQConfig          // VQ-BeT's residual VQ (its seed is drawn per seed)
        let vqbet: VQBeTConfig                   // VQ-BeT's policy: its history and the window are every policy's
        let model: TokenPolicyConfig             // the shared transformer of the other three
        let binning: ParameterValue              // the per-step tokenizer's settings
        let binningTemperature: Double           // its sampling temperature (VQ-BeT's codes are sampled too)
        let flow: ParameterValue                 // flow matching's settings
        let earlier: EarlierRecipe?              // the book's earlier policy recipe, measured beside it (an ablation)
        let trainDemos: Int, episodes: Int
    }

    /// The earlier recipe: VQ-BeT's policy, the shared transformer, and binning's temperature.
    struct EarlierRecipe {
        let vqbet: VQBeTConfig
        let model: TokenPolicyConfig
        let binningTemperature: Double
    }

    public func configure(_ p: ParameterReader) throws -> Config {
        let tokenizer = try VQBeTStudy.residualVQ(p)
        let vqbet = try VQBeTStudy.policy(p, offsets: "on: VQ-BeT as published")
        var earlier: EarlierRecipe?
        if let e = try VQBeTStudy.earlierRecipe(p, offsets: "on: VQ-BeT as published") {
            // `model` holds the shared transformer's keys that differ from [parameters.model].
            let over = e.table.value("model") ?? .table([])
            let m = try ParameterReader((p.value("model") ?? .table([])).merged(with: over), location: "\(e.table.location).model")
            try m.reject("seed", because: "drawn per seed by the experiment")
            earlier = EarlierRecipe(vqbet: e.policy, model: try TokenPolicyConfig(m),
                                    binningTemperature: try e.table.double("binning_temperature", in: 0...100))
            try e.table.finish()
        }
        let modelTable = try p.table("model", required: true)
        try modelTable.reject("seed", because: "drawn per seed by the experiment")
        let model = try TokenPolicyConfig(modelTable)
        // Both settings tables are built once now, so a bad key fails before any work.
        let binning = p.value("binning") ?? .table([]), flow = p.value("flow") ?? .table([])
        _ = try TokenizerRegistry.make("minmax", parameters: ParameterReader(binning, location: "\(p.location).binning"))
        _ = try PolicyRegistry.make("flow", parameters: ParameterReader(flow, location: "\(p.location).flow"))
        return Config(tokenizer: tokenizer, vqbet: vqbet, model: model, binning: binning, binningTemperature: try p.double("binning_temperature", in: 0...100),
                      flow: flow, earlier: earlier, trainDemos: try p.int("train_demos", in: 2...100_000), episodes: try p.int("episodes", in: 1...1_000_000))
    }

    /// The four policies compared, in table order.
    enum Contender: String, CaseIterable, Codable, CodingKeyRepresentable {
        case vqbet = "VQ-BeT", binning = "per-step binning", regression = "regression (MSE)", flow = "flow matching"
        var slug: String {
            switch self {
            case .vqbet: return "vq-bet"
            case .binning: return "binning"
            case .regression: return "regression"
            case .flow: return "flow"
            }
        }
    }

    /// What one seed measured.
    struct SeedResult: Codable {
        var report: [Contender: Rollout.Report] = [:]
        var paths: [Contender: [[Point]]] = [:]
        var trainSeconds: [Contender: Double] = [:]
        /// Every contender trained and rolled out again under the earlier recipe (an ablation).
        var earlierReport: [Contender: Rollout.Report] = [:]
        var earlierTrainSeconds: [Contender: Double] = [:]
        /// Network evaluations (or tokens) per chunk, as the policy reports its cost.
        var cost: [Contender: String] = [:]
        /// Share of the training demonstrations taking each route, then the share taking none.
        var demonstrationRoutes: [Double] = []
        var dataHash = ""
    }

    public func run(_ c: Config, context: RunContext) throws -> ExperimentOutcome {
        let policies = Contender.allCases.count * (c.earlier == nil ? 1 : 2)
        context.progress.begin(total: context.seeds.count * (1 + policies), "multi-route baselines: \(policies) policies per seed")
        let results = try context.cells(context.seeds, label: { "seed \($0)" }) { seed in try measure(c, seed: seed, context: context) }
        return try outcome(c, results, claims: context.claims, inputHash: StableHash.sha256Hex(results.map(\.dataHash).joined()))
    }

    /// The untrained policy `v` for this seed, with the earlier recipe's settings when `earlier` is set.
    func policy(_ v: Contender, _ c: Config, rng: SeededGenerator, residual: ResidualVQTokenizer, earlier: EarlierRecipe? = nil) throws -> any ActionPolicy {
        let window = c.tokenizer.window, history = c.vqbet.history
        switch v {
        case .vqbet:
            var pc = earlier?.vqbet ?? c.vqbet
            pc.seed = rng.derived("policy vq-bet").seed
            return try VQBeTPolicy(pc, tokenizer: residual, observationDim: 2, actionDim: 2)
        case .binning:
            var tc = TokenizedPolicyConfig()
            tc.history = history; tc.window = window; tc.model = earlier?.model ?? c.model
            let temperature = earlier?.binningTemperature ?? c.binningTemperature
            tc.decoding = temperature == 0 ? .greedy : .temperature(Float(temperature))
            tc.seed = rng.derived("policy binning").seed
            let tok = try TokenizerRegistry.make("minmax", parameters: ParameterReader(c.binning, location: "binning"))
            return try TokenizedPolicy(tc, tokenizer: tok, observationDim: 2, actionDim: 2)
        case .regression, .flow:
            var cc = ContinuousPolicyConfig()
            cc.history = history; cc.window = window; cc.model = earlier?.model ?? c.model
            cc.seed = rng.derived("policy \(v.slug)").seed
            let objective = v == .flow ? try PolicyRegistry.make("flow", parameters: ParameterReader(c.flow, location: "flow")) : Regression()
            return try ContinuousPolicy(cc, objective: objective, observationDim: 2, actionDim: 2)
        }
    }

    /// One seed: demonstrations, VQ-BeT's tokenizer, then every policy trained and rolled out.
    func measure(_ c: Config, seed: UInt64, context: RunContext) throws -> SeedResult {
        let task = MultiRouteTask.standard
        let rng = context.generator(seed: seed)
        var r = SeedResult()
        let train = try MultiRouteControl.demonstrations(task, count: c.trainDemos, seed: rng.derived("train demos").seed)
        let windows = try train.actionWindows(window: c.tokenizer.window)
        r.dataHash = windows.contentHash
        var routes = [Double](repeating: 0, count: task.routes.count + 1)
        for e in train.episodes { routes[task.route(of: e.observations.map { Point($0[0], $0[1]) }) ?? task.routes.count] += 1 }
        r.demonstrationRoutes = routes.map { $0 / Double(train.episodes.count) }
        var tc = c.tokenizer; tc.seed = rng.derived("tokenizer").seed
        let residual = try ResidualVQTokenizer(tc)
        residual.progress = { context.progress.say("  seed \(seed) · residual VQ · \($0)") }
        let fit = try Stopwatch.seconds { try residual.fit(windows) }
        context.progress.step(String(format: "seed \(seed) · VQ-BeT's tokenizer fitted in %.0f s", fit))
        for v in Contender.allCases {
            let p = try policy(v, c, rng: rng, residual: residual)
            r.trainSeconds[v] = try Stopwatch.seconds { try p.train(train) { context.progress.say("  seed \(seed) · \(v.rawValue) · \($0)") } }
            r.cost[v] = p.costPerChunk.description
            r.report[v] = try MultiRouteControl.evaluate(p, task: task, episodes: c.episodes, seed: rng.derived("episodes").seed)
            r.paths[v] = try MultiRouteControl.paths(p, task: task, episodes: 12, seed: rng.derived("paths").seed)
            context.progress.step("seed \(seed) · \(v.rawValue) · success \(Format.percent(r.report[v]!.successRate))")
        }
        // The ablation: the same weights seeds and episodes, the earlier recipe's settings.
        if let earlier = c.earlier {
            for v in Contender.allCases {
                let p = try policy(v, c, rng: rng, residual: residual, earlier: earlier)
                r.earlierTrainSeconds[v] = try Stopwatch.seconds { try p.train(train) { context.progress.say("  seed \(seed) · \(v.rawValue) (earlier recipe) · \($0)") } }
                r.earlierReport[v] = try MultiRouteControl.evaluate(p, task: task, episodes: c.episodes, seed: rng.derived("episodes").seed)
                context.progress.step("seed \(seed) · \(v.rawValue) (earlier recipe) · success \(Format.percent(r.earlierReport[v]!.successRate))")
            }
        }
        return r
    }
}
