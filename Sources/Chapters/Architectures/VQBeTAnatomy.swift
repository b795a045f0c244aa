import ActionData
import Figures
import Foundation
import Lab
import Policies
import Simulation
import Support
import Tokenizers
import Experiments

/// Architectures chapter: VQ-BeT taken apart on the multi-route task.
///
/// Per seed: scripted demonstrations of the multi-route task (and, for the coarse-to-fine
/// question, windows of the synthetic arm); a residual VQ tokenizer fitted on their action
/// windows; then three policies over frozen tokenizers, trained alike and evaluated closed-loop:
/// VQ-BeT as published (residual codes and offset head), the same without the offset head, and a
/// single-layer VQ with as many codes as the residual one has combinations (with offsets). The
/// policies train with the reference recipe (judged) and, when the file sets `earlier_recipe`,
/// again with the book's earlier one (an ablation whose verdicts are shown, never entered in the ledger).
public struct VQBeTAnatomy: Experiment {
    public let chapter = "architectures"
    public let name = "vq-bet-anatomy"

    public init() {}

    /// The statistics its claims may name, each with the `select` keys it reads.
    public var statistics: [String: [String]] {
        ["primary_only_error_ratio": ["data"], "no_offset_error_ratio": ["recipe"], "offset_success_gain": ["recipe"],
         "single_vq_success_loss": ["recipe"], "success_rate": ["policy", "recipe"]]
    }

    public struct Config {
        let tokenizer: ResidualVQConfig          // the residual tokenizer (its seed is replaced per seed)
        let singleCodebookSize: Int
        let policy: VQBeTConfig                  // the policy (offsets on; the ablation turns them off)
        let earlier: VQBeTConfig?                // the book's earlier policy recipe, measured beside it (an ablation)
        let trainDemos: Int, testDemos: Int, episodes: Int
        let armFrequency: Double, armChunks: Int
    }

    /// Reads the residual VQ from `[parameters.tokenizer]` (``ResidualVQConfig``'s keys) and the
    /// policy from `[parameters.policy]` (``VQBeTConfig``'s keys); their seeds are drawn per seed and
    /// the policy's offset head is set per variant, so neither table sets them.
    public func configure(_ p: ParameterReader) throws -> Config {
        let tok = try VQBeTStudy.residualVQ(p)
        let offsets = "on for VQ-BeT and the single-layer VQ, off for the ablation"
        let pol = try VQBeTStudy.policy(p, offsets: offsets)
        let earlier = try VQBeTStudy.earlierRecipe(p, offsets: offsets)
        try earlier?.table.finish()
        let single = try p.int("single_codebook_size", in: 2...65_536)
        let demos = try VQBeTStudy.demonstrations(p)
        return Config(tokenizer: tok, singleCodebookSize: single, policy: pol, earlier: earlier?.policy,
                      trainDemos: demos.train, testDemos: demos.test, episodes: demos.episodes,
                      armFrequency: try p.double("arm_frequency_hz", in: 1...1_000), armChunks: try p.int("arm_chunks", in: 2...1_000_000))
    }

    /// The three policies compared.
    enum Variant: String, CaseIterable, Codable, CodingKeyRepresentable {
        case vqbet = "VQ-BeT", noOffset = "without offset head", single = "single-layer VQ"
        var slug: String { self == .vqbet ? "vq-bet" : self == .noOffset ? "no-offset" : "single-vq" }
    }

    /// One policy trained and rolled out.
    struct PolicyMeasurement: Codable {
        /// Held-out action L1 error (action units).
        var actionError: Double
        var report: Rollout.Report
        var paths: [[Point]]        // a few closed-loop paths, for the figure (the reference recipe only; empty for the earlier one)
        var trainSeconds: Double
    }

    /// The recipes this configuration measures: the reference's, then the earlier one if set.
    static func recipes(_ c: Config) -> [(recipe: Recipe, policy: VQBeTConfig)] {
        [(.reference, c.policy)] + (c.earlier.map { [(.earlier, $0)] } ?? [])
    }

    /// What one seed measured.
    struct SeedResult: Codable {
        /// Reconstruction MSE (action units²) on held-out windows with the primary code alone and with all codes, per data set.
        var reconstruction: [String: CoarseAndFineError] = [:]
        /// The residual VQ's unquantised floor per data set: MSE (action units²) of its encoder and decoder trained with no quantiser.
        var floorMSE: [String: Double] = [:]
        var usage: [String: CodeUsage] = [:]
        /// Every policy, per recipe and variant.
        var policies: [Recipe: [Variant: PolicyMeasurement]] = [:]
        /// The hash of the seed's training and test windows.
        var dataHash = ""
    }

    public func run(_ c: Config, context: RunContext) throws -> ExperimentOutcome {
        let task = MultiRouteTask.standard
        var results: [SeedResult] = []
        var hashes: [String] = []
        let policies = Variant.allCases.count * Self.recipes(c).count
        context.progress.begin(total: context.seeds.count * (2 + policies), "VQ-BeT anatomy: tokenizers, then \(policies) policies per seed")
        results = try context.cells(context.seeds, label: { "seed \($0)" }) { seed in try measure(c, task: task, seed: seed, context: context) }
        hashes = results.map(\.dataHash)
        return try outcome(c, results, claims: context.claims, inputHash: StableHash.sha256Hex(hashes.joined()))
    }

    /// Everything one seed measures: the tokenizers, then the three policies trained and rolled out.
    func measure(_ c: Config, task: MultiRouteTask, seed: UInt64, context: RunContext) throws -> SeedResult {
        let rng = context.generator(seed: seed)
        var r = SeedResult()
        let train = try MultiRouteControl.demonstrations(task, count: c.trainDemos, seed: rng.derived("train demos").seed)
        let test = try MultiRouteControl.demonstrations(task, count: c.testDemos, seed: rng.derived("test demos").seed)
        let window = c.tokenizer.window
        // Tokenizers: residual (the policy's) and single-layer, on the task's windows; residual on the arm.
        var tc = c.tokenizer; tc.seed = rng.derived("tokenizer").seed
        var sc = tc; sc.layers = 1; sc.codebookSize = c.singleCodebookSize
        let residual = try ResidualVQTokenizer(tc), single = try ResidualVQTokenizer(sc)
        let trainWindows = try train.actionWindows(window: window), testWindows = try test.actionWindows(window: window)
        r.dataHash = trainWindows.contentHash + testWindows.contentHash
        residual.progress = { context.progress.say("  seed \(seed) · residual VQ · \($0)") }
        var fitSeconds = [try Stopwatch.seconds { try residual.fit(trainWindows) }]
        r.reconstruction["multi-route"] = try residual.coarseAndFine(testWindows)
        r.floorMSE["multi-route"] = try residual.unquantisedFloor(fitting: trainWindows, measuring: [testWindows]).meanSquaredError
        r.usage["multi-route"] = try residual.usage(testWindows)
        fitSeconds.append(try Stopwatch.seconds { try single.fit(trainWindows) })
        let arm = RobotArmGenerator(frequency: c.armFrequency)
        let armFit = try arm.chunks(count: c.armChunks, seed: rng.derived("arm fit").seed).resampledWindows(window)
        let armTest = try arm.chunks(count: max(c.armChunks / 4, 2), seed: rng.derived("arm test").seed).resampledWindows(window)
        let armTok = try ResidualVQTokenizer(tc)
        fitSeconds.append(try Stopwatch.seconds { try armTok.fit(armFit) })
        r.reconstruction["arm"] = try armTok.coarseAndFine(armTest)
        r.floorMSE["arm"] = try armTok.unquantisedFloor(fitting: armFit, measuring: [armTest]).meanSquaredError
        r.usage["arm"] = try armTok.usage(armTest)
        context.progress.step("seed \(seed) · tokenizers fitted in " + fitSeconds.map { String(format: "%.0f s", $0) }.joined(separator: ", "))
        context.progress.step("seed \(seed) · coarse-to-fine measured")
        // Every recipe trains its variants from the same weights seeds and rolls them out on the same episodes.
        for (recipe, base) in Self.recipes(c) {
            let tag = recipe == .reference ? "" : " (\(recipe.rawValue) recipe)"
            for v in Variant.allCases {
                var pc = base
                pc.seed = rng.derived("policy \(v.slug)").seed
                pc.offsets = v != .noOffset
                let policy = try VQBeTPolicy(pc, tokenizer: v == .single ? single : residual, observationDim: 2, actionDim: 2)
                let seconds = try Stopwatch.seconds {
                    try policy.train(train) { context.progress.say("  seed \(seed) · \(v.rawValue)\(tag) · \($0)") }
                }
                let m = PolicyMeasurement(actionError: try policy.actionError(test),
                                          report: try MultiRouteControl.evaluate(policy, task: task, episodes: c.episodes, seed: rng.derived("episodes").seed),
                                          // Only the reference recipe's paths are drawn.
                                          paths: recipe == .reference ? try MultiRouteControl.paths(policy, task: task, episodes: 12, seed: rng.derived("paths").seed) : [],
                                          trainSeconds: seconds)
                r.policies[recipe, default: [:]][v] = m
                context.progress.step("seed \(seed) · \(v.rawValue)\(tag) · success \(Format.percent(m.report.successRate))")
            }
        }
        return r
    }
}
