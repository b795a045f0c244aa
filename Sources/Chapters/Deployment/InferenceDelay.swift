import Foundation
import Metrics
import Policies
import Simulation
import Support
import Experiments

/// Deployment chapter: closed-loop tracking while each chunk takes `d` control steps to compute.
///
/// For every seed, a flow-matching policy is trained on a scripted expert's chunks that curve to
/// a random side of the straight path (bimodal demonstrations), then runs episodes of
/// ``Simulation/TrackingTask`` under ``Simulation/DelayedExecution``: synchronous, naive
/// asynchronous and real-time chunking (the model's hard inpainting of the actions that run during
/// the computation, weighted by RTC's soft mask), at every delay. Every strategy and delay sees
/// the same targets and the same sampling noise per episode, so their differences are paired.
/// With `ablations = ["unimodal"]` every seed also trains a policy on demonstrations that go
/// straight to the target (no side to choose) from the same draws, and runs it the same way: what
/// the delay costs when consecutive chunks cannot disagree about a side (shown, never judged).
public struct InferenceDelay: Experiment {
    public let chapter = "deployment"
    public let name = "inference-delay"

    public init() {}

    /// The statistics its claims may name, each with the `select` keys it reads.
    public var statistics: [String: [String]] {
        ["success_retained": ["strategy", "min_delay_share", "max_delay_share", "demonstrations"],
         "switch_jerk_ratio": ["strategy", "versus", "min_delay_share", "max_delay_share", "demonstrations"]]
    }

    /// The experiment's parameters (every default lives in the experiment file).
    public struct Config {
        /// The control rate the steps stand for, Hz (labels only).
        let rate: Double
        /// Actions per chunk, actions run per chunk, and the delays (ascending, starting at 0).
        let chunkLength: Int, executed: Int, delays: [Int]
        /// Execution strategies, in table order (synchronous among them: the reference): each name,
        /// its schedule, and for real-time chunking its guidance weight (nil: hard inpainting).
        let strategies: [Strategy]
        /// The task and its episodes.
        let task: TrackingTask, episodes: Int
        /// The scripted expert.
        let gain: Double
        var bulge: Double
        /// Demonstration sets run beside the judged (bimodal) one, never judged: `unimodal` (bulge 0).
        let ablations: [String]
        /// Demonstrations, the policy's model and training, and Euler steps per chunk.
        let trainExamples: Int, policy: TokenPolicyConfig, inferenceSteps: Int
    }

    public func configure(_ p: ParameterReader) throws -> Config {
        let chunkLength = try p.int("chunk_length", in: 2...10_000)
        let executed = try p.int("executed", in: 1...chunkLength)
        let delays = try p.ints("delays", in: 0...chunkLength).sorted()
        guard delays.first == 0, Set(delays).count == delays.count, delays.count >= 2 else {
            throw ConfigError(location: p.location, key: "delays", problem: "expected distinct delays including 0 (the undelayed reference) and at least one more")
        }
        let guidance = try p.double("rtc_guidance", in: 1e-3...1e3)
        let names = try p.strings("strategies", allowed: DelayedExecution.Strategy.allCases.map(\.rawValue) + ["rtc-hard"])
        guard names.contains(DelayedExecution.Strategy.synchronous.rawValue) else {
            throw ConfigError(location: p.location, key: "strategies", problem: "must include synchronous (its success at delay 0 is the reference)")
        }
        let strategies = names.map { name in
            name == "rtc-hard" ? Strategy(name: name, schedule: .realTimeChunking, guidance: nil)
                : Strategy(name: name, schedule: DelayedExecution.Strategy(rawValue: name)!, guidance: name == "rtc" ? guidance : nil)
        }
        // Every strategy must hold at every delay before any work.
        for s in strategies {
            for d in delays {
                do { _ = try DelayedExecution(strategy: s.schedule, chunkLength: chunkLength, delay: d, executed: executed) } catch {
                    throw ConfigError(location: p.location, key: "delays", problem: "\(s.name) at delay \(d): \(error)")
                }
            }
        }
        let ablations = try p.strings("ablations", default: [], allowed: [Self.unimodal])
        guard Set(ablations).count == ablations.count else {
            throw ConfigError(location: p.location, key: "ablations", problem: "expected each ablation once, found \(ablations.joined(separator: ", "))")
        }
        let table = try p.table("policy", required: true)
        let task = TrackingTask(dims: 2, steps: try p.int("episode_steps", in: 1...1_000_000), maxStep: try p.double("max_step", in: 1e-6...10),
                                meanHold: try p.double("mean_hold", in: 1...1e6), tolerance: try p.double("tolerance", in: 1e-6...10))
        return Config(rate: try p.double("rate_hz", in: 0.1...10_000), chunkLength: chunkLength, executed: executed, delays: delays,
                      strategies: strategies, task: task, episodes: try p.int("episodes", in: 1...100_000),
                      gain: try p.double("expert_gain", in: 1e-3...1), bulge: try p.double("expert_bulge", in: 0...10), ablations: ablations,
                      trainExamples: try p.int("train_examples", in: 8...10_000_000), policy: try TokenPolicyConfig(table),
                      inferenceSteps: try p.int("inference_steps", in: 1...10_000))
    }

    /// An execution strategy as the experiment file names it: `rtc` is real-time chunking with the
    /// reference's guided inpainting, `rtc-hard` the same schedule with hard inpainting (ablation).
    struct Strategy { let name: String; let schedule: DelayedExecution.Strategy; let guidance: Double? }

    /// The judged demonstration set's name (the expert curves to a random side) and the ablation's (straight to the target).
    static let bimodal = "bimodal", unimodal = "unimodal"

    struct Key: Hashable, Codable { let strategy: String; let delay: Int }
    /// What one seed measured: each strategy and delay's episode reports, the scripted expert's
    /// under the same schedules (a reference: what the schedule alone costs a policy that replans
    /// from the actions it must keep), the final training loss, the data's hash.
    struct SeedCells: Codable {
        var reports: [Key: [TrackingTask.Report]]
        var expert: [Key: [TrackingTask.Report]]
        var finalLoss: Double
        var hash: String
        /// The same measurements for each ablation's demonstrations, by name.
        var ablations: [String: Run] = [:]
    }

    /// One demonstration set's measurements: the policy's and the expert's episode reports, and the final training loss.
    struct Run: Codable {
        var reports: [Key: [TrackingTask.Report]] = [:]
        var expert: [Key: [TrackingTask.Report]] = [:]
        var finalLoss = 0.0
    }

    public func run(_ c: Config, context: RunContext) throws -> ExperimentOutcome {
        let runs = c.strategies.count * c.delays.count, sets = 1 + c.ablations.count
        // Training weighs about as much as twenty strategy-and-delay runs of episodes (for the ETA).
        context.progress.begin(total: context.seeds.count * sets * (1 + runs), weight: Double(context.seeds.count * sets * 21 * runs),
                               "training \(sets == 1 ? "a flow-matching policy" : "\(sets) flow-matching policies") and running \(sets * runs * c.episodes) episodes per seed")
        let perSeed = try context.cells(context.seeds, label: { "seed \($0)" }) { seed in try measure(c, seed: seed, context: context) }
        return try outcome(c, perSeed: perSeed, inputHash: StableHash.sha256Hex(perSeed.map(\.hash).joined()), claims: context.claims)
    }

    /// The condition a policy sees: the error to the target, then the position.
    static func condition(_ o: TrackingTask.Observation) -> [Float] {
        zip(o.target, o.position).map { Float($0 - $1) } + o.position.map { Float($0) }
    }

    /// The expert's demonstrations: random positions and targets, a random side per chunk.
    static func demonstrations(_ c: Config, rng: inout SeededGenerator) throws -> (conditions: [[Float]], chunks: [[Double]]) {
        var conditions: [[Float]] = [], chunks: [[Double]] = []
        for _ in 0..<c.trainExamples {
            let o = TrackingTask.Observation(position: (0..<2).map { _ in rng.nextUniform(-1.2, 1.2) }, target: (0..<2).map { _ in rng.nextUniform(-1, 1) })
            let side: Double = rng.nextBool(probability: 0.5) ? 1 : -1
            let chunk = try c.task.expert(gain: c.gain, length: c.chunkLength, bulge: c.bulge, side: side)(o, nil)
            conditions.append(condition(o)); chunks.append(chunk.flatMap { $0 })
        }
        return (conditions, chunks)
    }

    /// Trains one seed's policies (the judged demonstrations', then each ablation's) and runs every strategy and delay.
    func measure(_ c: Config, seed: UInt64, context: RunContext) throws -> SeedCells {
        let rng = context.generator(seed: seed)
        var demoRNG = rng.derived("demonstrations")
        let demos = try Self.demonstrations(c, rng: &demoRNG)
        let judged = try run(c, demos: demos, seed: seed, label: "", rng: rng, context: context)
        var cells = SeedCells(reports: judged.reports, expert: judged.expert, finalLoss: judged.finalLoss, hash: Self.hash(demos))
        for name in c.ablations {
            // The same draws (positions, targets, policy weights, batches, noise): only the expert's bulge differs.
            var straight = c
            straight.bulge = 0
            var ablationRNG = rng.derived("demonstrations")
            let ablationDemos = try Self.demonstrations(straight, rng: &ablationRNG)
            cells.ablations[name] = try run(straight, demos: ablationDemos, seed: seed, label: "\(name) · ", rng: rng, context: context)
            cells.hash += Self.hash(ablationDemos)
        }
        return cells
    }

    /// The content hash of a demonstration set's chunks (the input data's hash covers every set trained on).
    static func hash(_ demos: (conditions: [[Float]], chunks: [[Double]])) -> String {
        StableHash.sha256Hex(demos.chunks.map { $0.map { JSONNumber.format($0) }.joined(separator: ",") }.joined(separator: ";"))
    }

    /// Trains a policy on `demos` and runs it, and the expert that made them, under every strategy and delay.
    func run(_ c: Config, demos: (conditions: [[Float]], chunks: [[Double]]), seed: UInt64, label: String,
             rng: SeededGenerator, context: RunContext) throws -> Run {
        var flow = FlowMatchingConfig()
        flow.inferenceSteps = c.inferenceSteps
        let model = try ContinuousChunkModel(objective: try FlowMatching(flow), config: c.policy, prefixLength: 1, conditionDim: 4,
                                             chunkLength: c.chunkLength, actionDim: 2, seed: rng.derived("policy").seed)
        let summary = try model.train(conditions: demos.conditions, chunks: demos.chunks) { report in
            context.progress.say("  seed \(seed) · \(label)flow policy · \(report)")
        }
        context.progress.step("seed \(seed) · \(label)policy trained · final loss \(Format.number(summary.finalLoss))", loss: summary.finalLoss,
                              weight: Double(20 * c.strategies.count * c.delays.count))
        var targetRNG = rng.derived("targets")
        let targets = (0..<c.episodes).map { _ in c.task.targets(&targetRNG) }
        var result = Run(finalLoss: summary.finalLoss)
        for strategy in c.strategies {
            for d in c.delays {
                let execution = try DelayedExecution(strategy: strategy.schedule, chunkLength: c.chunkLength, delay: d, executed: c.executed)
                result.reports[Key(strategy: strategy.name, delay: d)] = try targets.enumerated().map { e, episode in
                    var noise = rng.derived("sampling-episode-\(e)")   // the same noise for every strategy and delay
                    return try c.task.run({ observation, keep in
                        let condition = Self.condition(observation)
                        let flat: [Double]
                        if let keep {
                            flat = try model.sample(conditions: [condition], rng: &noise, targets: [keep.actions.flatMap { $0 }], weights: keep.weights,
                                                    guidance: strategy.guidance)[0]
                        } else {
                            flat = try model.sample(conditions: [condition], rng: &noise)[0]
                        }
                        return (0..<c.chunkLength).map { Array(flat[($0 * 2)..<($0 * 2 + 2)]) }
                    }, execution: execution, targets: episode)
                }
                // The expert under the same schedule, a random side per chunk (as in its demonstrations);
                // under real-time chunking it blends towards the kept actions and replans from them.
                if strategy.name != "rtc-hard" {
                    result.expert[Key(strategy: strategy.name, delay: d)] = try targets.enumerated().map { e, episode in
                        var sides = rng.derived("expert-sides-episode-\(e)")
                        return try c.task.run({ observation, keep in
                            try c.task.expert(gain: c.gain, length: c.chunkLength, bulge: c.bulge, side: sides.nextBool(probability: 0.5) ? 1 : -1)(observation, keep)
                        }, execution: execution, targets: episode)
                    }
                }
                let success = Statistics.mean(result.reports[Key(strategy: strategy.name, delay: d)]!.map(\.withinTolerance))
                context.progress.step("seed \(seed) · \(label)\(strategy.name) · delay \(d) · within tolerance \(Format.number(success * 100)) %")
            }
        }
        return result
    }
}
