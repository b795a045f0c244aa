import ActionData
import Foundation
import Lab
import Metrics
import Policies
import Simulation
import Support
import Tokenizers
import Experiments

/// Applications chapter: how fine a target each policy can stop on (the audit's dexterous
/// manipulation).
///
/// Per seed, a scripted expert's noisy demonstrations of ``Simulation/PrecisionTask`` (come to
/// rest on a target, seeing only the error) train every contender behind the one policy
/// protocol: token policies with each tokenizer (per-step binning at several bin counts, OpenVLA's
/// binning, FAST, BEAST), VQ-BeT with and without its offset head, and the continuous policies.
/// All act in chunks of the same length on the same transformer size and training budget, and
/// run the same seeded episodes. Each episode's final distance to the target gives success at
/// every tolerance at once; each tokenizer's resolution is measured as its round-trip error on
/// held-out demonstration chunks.
public struct TargetPrecision: Experiment {
    public let chapter = "applications"
    /// The experiment file's name: `precision`, or `precision-training` (the same task with the
    /// claim's contenders trained for VQ-BeT's 20,000 steps, a full-profile block).
    public let name: String

    public init(name: String = "precision") { self.name = name }

    /// The statistics its claims may name, each with the `select` keys it reads.
    public var statistics: [String: [String]] {
        ["resolution_drop": ["contenders", "coarse", "fine"],
         "tolerance_ratio": ["contenders", "versus"]]
    }

    typealias Contender = ApplicationContender

    public struct Config {
        let task: PrecisionTask
        let contenders: [Contender]
        let tolerances: [Double]          // the grid of the success table and figure, descending
        let successLevel: Double          // the success rate at which "the tolerance reached" is read
        let residual: ResidualVQConfig    // VQ-BeT's tokenizer; its window is every policy's chunk
        let vqbet: VQBeTConfig            // VQ-BeT's policy (history 1; offsets set per variant)
        let model: TokenPolicyConfig      // the shared transformer of the token and continuous policies
        let trainDemos: Int, testDemos: Int, episodes: Int
        var chunk: Int { residual.window }
    }

    public func configure(_ p: ParameterReader) throws -> Config {
        let t = try p.table("task", required: true)
        let task: PrecisionTask
        do {
            task = try PrecisionTask(dims: try t.int("dims", in: 1...16), steps: try t.int("steps", in: 1...100_000),
                                     maxStep: try t.double("max_step", in: 1e-9...1e6), range: try t.double("range", in: 1e-9...1e6),
                                     gain: try t.double("expert_gain", in: 1e-6...1), noise: try t.double("expert_noise", in: 0...0.99))
        } catch let e as SimulationError {
            throw ConfigError(location: t.location, key: "task", problem: "\(e)")
        }
        try t.finish()
        let (residual, vqbet) = try ApplicationContender.vqbetConfigs(p)
        let model = try ApplicationContender.sharedModel(p)
        let contenders = try ApplicationContender.read(p)
        let tolerances = try p.doubles("tolerances", in: 1e-12...1e6).sorted(by: >)
        guard tolerances.count >= 2, Set(tolerances).count == tolerances.count else {
            throw ConfigError(location: p.location, key: "tolerances", problem: "expected at least two distinct tolerances")
        }
        return Config(task: task, contenders: contenders, tolerances: tolerances, successLevel: try p.double("success_level", in: 0.01...1),
                      residual: residual, vqbet: vqbet, model: model,
                      trainDemos: try p.int("train_demos", in: 2...1_000_000), testDemos: try p.int("test_demos", in: 1...1_000_000),
                      episodes: try p.int("episodes", in: 1...1_000_000))
    }

    /// What one contender measured in one seed.
    struct Cell: Codable {
        /// Final distance to the target of every episode, in episode order.
        var finalDistances: [Double]
        /// The 95th percentile of the absolute round-trip error per action value on held-out
        /// demonstration chunks (nil for a continuous policy: nothing is rounded).
        var resolution: Double?
        /// The mean absolute value per action of a chunk of zeros after the round trip: how far a
        /// policy drifts per step when it means to stand still (nil for a continuous policy).
        var standStill: Double?
        /// The last training loss and the training time.
        var finalLoss: Double, trainSeconds: Double
        /// A few episodes' paths (positions relative to the target), for the figure.
        var paths: [[[Double]]]
        /// What one chunk costs.
        var cost: String
        /// The demonstrations' content hash.
        var dataHash: String
    }

    public func run(_ c: Config, context: RunContext) throws -> ExperimentOutcome {
        context.progress.begin(total: context.seeds.count * c.contenders.count, "precision: \(c.contenders.count) policies per seed, \(c.episodes) episodes each")
        let perSeed = try ApplicationContender.measureAll(c.contenders, keys: context.seeds, label: { "seed \($0)" }, context: context) { seed, group in
            try measure(c, group: group, seed: seed, context: context)
        }
        return try outcome(c, perSeed: perSeed, inputHash: StableHash.sha256Hex(perSeed.map { $0.first?.dataHash ?? "" }.joined()))
    }

    /// The expert's demonstrations: `count` episodes drawn from `rng`, as observations (the error) and actions.
    static func demonstrations(_ task: PrecisionTask, count: Int, rng: inout SeededGenerator) throws -> Demonstrations {
        try Demonstrations((0..<count).map { _ in
            let (start, target) = task.draw(&rng)
            let trace = try task.demonstrate(start: start, target: target, rng: &rng)
            return Demonstrations.Episode(observations: trace.observations, actions: trace.actions)
        })
    }

    /// The contenders of `group` in one seed: each trained on the seed's demonstrations, its
    /// resolution measured on the held-out ones, then rolled out on the seed's episodes. VQ-BeT's
    /// variants share one residual VQ, fitted first.
    func measure(_ c: Config, group: [Contender], seed: UInt64, context: RunContext) throws -> [Cell] {
        let rng = context.generator(seed: seed)
        var demoRNG = rng.derived("demonstrations")
        let train = try Self.demonstrations(c.task, count: c.trainDemos, rng: &demoRNG)
        var testRNG = rng.derived("held-out demonstrations")
        let test = try Self.demonstrations(c.task, count: c.testDemos, rng: &testRNG)
        let windows = try train.actionWindows(window: c.chunk)
        let residual = try ApplicationContender.residualVQ(for: group, c.residual, windows: windows, rng: rng) {
            context.progress.say("  seed \(seed) · residual VQ · \($0)")
        }
        return try group.map { v in try measure(c, contender: v, seed: seed, train: train, test: test, residual: residual, hash: windows.contentHash, context: context) }
    }

    /// One contender in one seed.
    func measure(_ c: Config, contender v: Contender, seed: UInt64, train: Demonstrations, test: Demonstrations,
                 residual: ResidualVQTokenizer?, hash: String, context: RunContext) throws -> Cell {
        let rng = context.generator(seed: seed)
        let (policy, tokenizer) = try v.policy(chunk: c.chunk, model: c.model, vqbet: c.vqbet, observationDim: c.task.dims, actionDim: c.task.dims,
                                                rng: rng, residual: residual)
        var finalLoss = Double.nan
        let seconds = try Stopwatch.seconds {
            try policy.train(train) { report in
                finalLoss = report.loss
                context.progress.say("  seed \(seed) · \(v.name) · \(report)")
            }
        }
        var resolution: Double? = nil, standStill: Double? = nil
        if let tokenizer {
            var errors: [Double] = []
            for chunk in try test.actionWindows(window: c.chunk).chunks {
                errors.append(contentsOf: zip(chunk.values, try tokenizer.roundTrip(chunk).values).map { abs($0 - $1) })
            }
            resolution = Statistics.quantile(sorted: errors.sorted(), 0.95)
            let zeros = try ActionChunk(steps: c.chunk, dims: c.task.dims, values: [Double](repeating: 0, count: c.chunk * c.task.dims))
            standStill = Statistics.mean(try tokenizer.roundTrip(zeros).values.map(abs))
        }
        var episodeRNG = rng.derived("episodes")
        var sampling = rng.derived("sampling \(v.name)")
        var distances: [Double] = [], paths: [[[Double]]] = []
        for e in 0..<c.episodes {
            let (start, target) = c.task.draw(&episodeRNG)
            let trace = try c.task.run({ error in
                let chunk = try policy.act(history: [error], rng: &sampling)
                return (0..<chunk.steps).map { Array(chunk.values[($0 * chunk.dims)..<(($0 + 1) * chunk.dims)]) }
            }, start: start, target: target)
            distances.append(trace.finalDistance)
            if e < 8 { paths.append(trace.positions.map { zip($0, target).map { $0 - $1 } }) }
        }
        let reached = Self.toleranceReached(distances, level: c.successLevel)
        context.progress.step("seed \(seed) · \(v.name) · trained in \(Int(seconds.rounded())) s · \(Format.percent(c.successLevel)) of episodes end within \(Format.number(reached))",
                              loss: finalLoss)
        return Cell(finalDistances: distances, resolution: resolution, standStill: standStill, finalLoss: finalLoss, trainSeconds: seconds, paths: paths,
                    cost: policy.costPerChunk.description, dataHash: hash)
    }
}
