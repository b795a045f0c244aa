import ActionData
import Foundation
import Lab
import Policies
import Simulation
import Support
import Tokenizers
import Experiments

/// Training chapter: does VQ-BeT care about its codebook size?
///
/// Per seed: the architectures chapter's scripted demonstrations of the multi-route task (the same
/// streams, so the chapters see the same data); then, for every codebook size `K`, a residual VQ
/// tokenizer (`[parameters.tokenizer]`) with `K` codes per layer fitted on the training windows and
/// a VQ-BeT policy (`[parameters.policy]`, offset head on) trained on it. Every size uses the same
/// seeds for the tokenizer, the policy and the closed-loop episodes, so sizes differ only in `K`
/// (and, at the architectures chapter's settings, `K = 16` is that chapter's VQ-BeT). Measured per
/// size and seed: held-out reconstruction error, code usage per layer, the policy's code accuracy
/// per layer and action error on held-out demonstrations, and closed-loop success.
///
/// The claims' spreads are computed per seed, over the judged sizes, and then averaged over seeds
/// with an interval: for each seed `(best - worst) / best` of that seed's success rates, and
/// `(worst - best) / best` of its action errors. Because the maximum and minimum of noisy values
/// are further apart than those of their means, a per-seed spread is an upper estimate of the
/// spread of the means; the chapter says so next to the verdicts.
public struct CodebookSize: Experiment {
    public let chapter = "training"
    public let name = "codebook-size"

    public init() {}

    /// The statistics its claims may name, each with the `select` keys it reads.
    public var statistics: [String: [String]] { ["success_relative_spread": [], "action_error_relative_spread": []] }

    /// The claims whose thresholds the success-and-error figure draws as the bands the judged sizes must stay within.
    static let successClaimID = "success-barely-changes", actionErrorClaimID = "action-error-barely-changes"

    public struct Config {
        let tokenizer: ResidualVQConfig          // the tokenizer, `[parameters.tokenizer]` (its codebook size and seed are replaced per cell)
        let policy: VQBeTConfig                  // the policy, `[parameters.policy]`, offsets on (its seed is replaced per seed)
        let earlier: VQBeTConfig?                // the book's earlier policy recipe, trained beside it on the same tokenizer (an ablation)
        let sizes: [Int]                         // codebook sizes run, ascending
        let judged: [Int]                        // the sizes the claims are judged over, a subset of `sizes`
        let trainDemos: Int, testDemos: Int, episodes: Int
    }

    public func configure(_ p: ParameterReader) throws -> Config {
        let sizes = try p.ints("codebook_sizes", in: 2...4_096)
        for (a, b) in zip(sizes, sizes.dropFirst()) where b <= a {
            throw ConfigError(location: p.location, key: "codebook_sizes", problem: "sizes must rise strictly, found \(b) after \(a)")
        }
        let judged = try p.ints("judged_sizes", in: 2...4_096)
        if let missing = judged.first(where: { !sizes.contains($0) }) {
            throw ConfigError(location: p.location, key: "judged_sizes",
                              problem: "size \(missing) is not among the codebook_sizes run (\(sizes.map(String.init).joined(separator: ", ")))")
        }
        guard Set(judged).count >= 2 else {
            throw ConfigError(location: p.location, key: "judged_sizes", problem: "a spread needs at least two distinct sizes, found \(judged)")
        }
        // The claim is about a residual VQ: K entries per layer give K^layers combinations.
        let tokenizer = try VQBeTStudy.residualVQ(p, setByExperiment: [("codebook_size", "each of codebook_sizes in turn")])
        let policy = try VQBeTStudy.policy(p, offsets: "always on in this experiment")
        let earlier = try VQBeTStudy.earlierRecipe(p, offsets: "always on in this experiment")
        try earlier?.table.finish()
        let demos = try VQBeTStudy.demonstrations(p)
        return Config(tokenizer: tokenizer, policy: policy, earlier: earlier?.policy, sizes: sizes, judged: sizes.filter(judged.contains),
                      trainDemos: demos.train, testDemos: demos.test, episodes: demos.episodes)
    }

    /// What one codebook size measured for one seed (stored as a cell, so an interrupted run resumes).
    struct Cell: Codable, Equatable {
        /// Mean squared reconstruction error of the held-out windows with every code (action units²).
        var reconstructionMSE: Double
        /// Per layer: codes the held-out windows use, codes they never use, perplexity.
        var codesUsed: [Int], deadCodes: [Int], perplexity: [Double]
        /// Distinct code combinations among the held-out windows.
        var combinations: Int
        /// Per layer: share of held-out windows whose most likely code is the tokenizer's.
        var codeAccuracy: [Double]
        /// Held-out action L1 error per action value (action units) and closed-loop success rate.
        var actionError: Double, successRate: Double
        /// Wall-clock seconds of the tokenizer fit and of the policy training.
        var fitSeconds: Double, trainSeconds: Double
        /// The policy of the earlier recipe on the same tokenizer, when the file sets one.
        var earlier: PolicyResult?

        /// This cell with the earlier recipe's policy results in place of the reference's.
        var underEarlierRecipe: Cell? {
            earlier.map { e in
                var c = self
                c.codeAccuracy = e.codeAccuracy; c.actionError = e.actionError; c.successRate = e.successRate; c.trainSeconds = e.trainSeconds
                c.earlier = nil
                return c
            }
        }
    }

    /// What one trained policy measured: per-layer code accuracy, held-out action error, success, training seconds.
    struct PolicyResult: Codable, Equatable {
        var codeAccuracy: [Double]
        var actionError: Double, successRate: Double
        var trainSeconds: Double
    }

    public func run(_ c: Config, context: RunContext) throws -> ExperimentOutcome {
        let task = MultiRouteTask.standard
        context.progress.begin(total: context.seeds.count * c.sizes.count,
                               "codebook size: \(c.sizes.count) tokenizers and \(c.sizes.count * (c.earlier == nil ? 1 : 2)) policies per seed")
        // Each seed's data first (cheap), then every (seed, K) cell as one batch, then the floors.
        struct SeedData { let seed: UInt64; let rng: SeededGenerator; let train: Demonstrations, test: Demonstrations
                          let trainWindows: ChunkSet, testWindows: ChunkSet; let hash: String }
        let data = try context.seeds.map { seed -> SeedData in
            let rng = context.generator(seed: seed)
            // The architectures chapter's streams: the same demonstrations, tokenizer, policy and episode seeds.
            let train = try MultiRouteControl.demonstrations(task, count: c.trainDemos, seed: rng.derived("train demos").seed)
            let test = try MultiRouteControl.demonstrations(task, count: c.testDemos, seed: rng.derived("test demos").seed)
            let trainWindows = try train.actionWindows(window: c.tokenizer.window), testWindows = try test.actionWindows(window: c.tokenizer.window)
            return SeedData(seed: seed, rng: rng, train: train, test: test, trainWindows: trainWindows, testWindows: testWindows,
                            hash: trainWindows.contentHash + testWindows.contentHash)
        }
        let hashes = data.map(\.hash)
        let jobs = data.indices.flatMap { s in c.sizes.map { (s, $0) } }
        let specs = jobs.map { s, K -> (tc: ResidualVQConfig, pc: VQBeTConfig, earlier: VQBeTConfig?, episodesSeed: UInt64, description: String) in
            let d = data[s]
            var tc = c.tokenizer; tc.codebookSize = K; tc.seed = d.rng.derived("tokenizer").seed
            // Both recipes start from the same weights seed.
            var pc = c.policy; pc.seed = d.rng.derived("policy vq-bet").seed; pc.offsets = true
            var ec = c.earlier; ec?.seed = pc.seed; ec?.offsets = true
            let episodesSeed = d.rng.derived("episodes").seed
            return (tc, pc, ec, episodesSeed, "codebook-size cell: \(tc) \(pc) earlier \(ec.map { "\($0)" } ?? "none") demos \(c.trainDemos)/\(c.testDemos) data \(d.hash) episodes \(c.episodes) seed \(episodesSeed)")
        }
        let measured: [Cell] = try context.cells.cells(specs.map(\.description), costs: jobs.map { Double($0.1) }, compute: { i in
            let d = data[jobs[i].0], spec = specs[i]
            return try Self.measure(spec.tc, spec.pc, earlier: spec.earlier, train: d.train, test: d.test, trainWindows: d.trainWindows, testWindows: d.testWindows,
                                    task: task, episodes: c.episodes, episodesSeed: spec.episodesSeed) {
                context.progress.say("  seed \(d.seed) · K = \(jobs[i].1) · \($0)")
            }
        }, finished: { (i: Int, cell: Cell, reused: Bool) in
            context.progress.step("seed \(data[jobs[i].0].seed) · K = \(jobs[i].1)" + (reused ? " (reused)" : "") + " · success \(Format.percent(cell.successRate))"
                                  + String(format: " · fit %.0f s, policy %.0f s", cell.fitSeconds, cell.trainSeconds))
        })
        let cells = data.indices.map { s in
            Dictionary(uniqueKeysWithValues: jobs.indices.filter { jobs[$0].0 == s }.map { (jobs[$0].1, measured[$0]) })
        }
        // The unquantised floor: the encoder and decoder with no quantiser (the codebook size does not enter it).
        let floorConfigs = data.map { d -> ResidualVQConfig in var tc = c.tokenizer; tc.seed = d.rng.derived("tokenizer").seed; return tc }
        let floors: [Double] = try context.cells.cells(data.indices.map { "codebook-size floor: \(floorConfigs[$0]) data \(data[$0].hash)" }, compute: { s in
            let tok = try ResidualVQTokenizer(floorConfigs[s])
            tok.progress = { context.progress.say("  seed \(data[s].seed) · unquantised floor · \($0)") }
            return try tok.unquantisedFloor(fitting: data[s].trainWindows, measuring: [data[s].testWindows]).meanSquaredError
        })
        return try outcome(c, cells, floors: floors, inputHash: StableHash.sha256Hex(hashes.joined()),
                           spreads: (success: try context.claim(Self.successClaimID).threshold, actionError: try context.claim(Self.actionErrorClaimID).threshold),
                           claims: context.claims)
    }

    /// Fits the tokenizer, trains the policy and measures one cell.
    static func measure(_ tc: ResidualVQConfig, _ pc: VQBeTConfig, earlier: VQBeTConfig? = nil, train: Demonstrations, test: Demonstrations,
                        trainWindows: ChunkSet, testWindows: ChunkSet, task: MultiRouteTask, episodes: Int, episodesSeed: UInt64,
                        say: @escaping (String) -> Void) throws -> Cell {
        let tok = try ResidualVQTokenizer(tc)
        tok.progress = { say("residual VQ · \($0)") }
        let fitSeconds = try Stopwatch.seconds { try tok.fit(trainWindows) }
        let usage = try tok.usage(testWindows)
        /// One policy on the fitted tokenizer, trained, measured held out and rolled out.
        func policyResult(_ config: VQBeTConfig, _ what: String) throws -> PolicyResult {
            let policy = try VQBeTPolicy(config, tokenizer: tok, observationDim: 2, actionDim: 2)
            let seconds = try Stopwatch.seconds { try policy.train(train) { say("\(what) · \($0)") } }
            let heldOut = try policy.heldOut(test)
            let report = try MultiRouteControl.evaluate(policy, task: task, episodes: episodes, seed: episodesSeed)
            return PolicyResult(codeAccuracy: heldOut.codeAccuracy, actionError: heldOut.actionError, successRate: report.successRate, trainSeconds: seconds)
        }
        let reference = try policyResult(pc, "policy")
        return Cell(reconstructionMSE: try tok.coarseAndFine(testWindows).all,
                    codesUsed: usage.distinctCodes, deadCodes: usage.deadCodes, perplexity: usage.perplexity, combinations: usage.combinations,
                    codeAccuracy: reference.codeAccuracy, actionError: reference.actionError, successRate: reference.successRate,
                    fitSeconds: fitSeconds, trainSeconds: reference.trainSeconds,
                    earlier: try earlier.map { try policyResult($0, "policy (earlier recipe)") })
    }

    /// Per seed, `(best - worst) / best` of the success rates over the judged sizes (0 when every
    /// judged size failed every episode: nothing changed).
    static func successSpread(_ row: [Int: Cell], judged: [Int]) -> Double {
        let s = judged.map { row[$0]!.successRate }
        let best = s.max()!, worst = s.min()!
        return best > 0 ? (best - worst) / best : 0
    }

    /// Per seed, `(worst - best) / best` of the held-out action errors over the judged sizes.
    static func actionErrorSpread(_ row: [Int: Cell], judged: [Int]) -> Double {
        let e = judged.map { row[$0]!.actionError }
        let best = e.min()!, worst = e.max()!
        return (worst - best) / best
    }
}
