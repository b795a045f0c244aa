import ActionData
import Foundation
import Lab
import Metrics
import Policies
import Simulation
import Support
import Tokenizers
import Experiments

/// Applications chapter: how exactly each policy executes a literal actuator value it is told
/// (the audit's literal actuator awareness, "set the gripper to 50").
///
/// Per seed, the scripted expert's demonstrations of ``Simulation/LiteralCommandTask`` at a grid
/// of commanded values train every contender behind the one policy protocol (the applications
/// chapter's contenders, as in the precision experiment). Each is then told the training values
/// again and held-out values drawn uniformly between them; the error is the distance between the
/// commanded and the executed value. Beside it, each tokenizer's own resolution at those values:
/// the error of its round trip of the chunk that holds the command (half a bin for binning,
/// FAST's rounding of the coefficients, the residual VQ's nearest codes), which is what a policy
/// that wrote exactly those tokens would execute.
public struct LiteralCommands: Experiment {
    public let chapter = "applications"
    public let name = "literal"

    public init() {}

    /// The statistics its claims may name, each with the `select` keys it reads.
    public var statistics: [String: [String]] {
        ["resolution_ratio": ["contenders"],
         "error_over_resolution": ["contenders", "versus"]]
    }

    typealias Contender = ApplicationContender

    public struct Config {
        let task: LiteralCommandTask
        let contenders: [Contender]
        let trainCommands: [Double]       // the commanded values of the demonstrations: an even grid over [0, 1]
        let heldOut: Int                  // held-out commands per seed, uniform in [0, 1]
        let trainDemos: Int
        let residual: ResidualVQConfig    // VQ-BeT's tokenizer; its window is every policy's chunk
        let vqbet: VQBeTConfig            // VQ-BeT's policy (history 1; offsets set per variant)
        let model: TokenPolicyConfig      // the shared transformer of the token and continuous policies
        var chunk: Int { residual.window }
    }

    public func configure(_ p: ParameterReader) throws -> Config {
        let t = try p.table("task", required: true)
        let task: LiteralCommandTask
        do {
            task = try LiteralCommandTask(steps: try t.int("steps", in: 1...100_000), maxSpeed: try t.double("max_speed", in: 1e-9...1),
                                          minSpeed: try t.double("min_speed", in: 1e-9...1))
        } catch let e as SimulationError {
            throw ConfigError(location: t.location, key: "task", problem: "\(e)")
        }
        try t.finish()
        let (residual, vqbet) = try ApplicationContender.vqbetConfigs(p)
        let model = try ApplicationContender.sharedModel(p)
        let contenders = try ApplicationContender.read(p)
        let count = try p.int("train_commands", in: 2...100_000)
        return Config(task: task, contenders: contenders, trainCommands: (0..<count).map { Double($0) / Double(count - 1) },
                      heldOut: try p.int("held_out_commands", in: 1...1_000_000), trainDemos: try p.int("train_demos", in: 2...1_000_000),
                      residual: residual, vqbet: vqbet, model: model)
    }

    /// What one contender measured in one seed.
    struct Cell: Codable {
        /// The held-out commands, and the value executed for each (one episode each).
        var heldOut: [Double], heldOutExecuted: [Double]
        /// The value executed for each training command (one episode each, in grid order).
        var seenExecuted: [Double]
        /// Per held-out command, the tokenizer's round trip of the chunk holding it: its last value
        /// minus the command (nil for a continuous policy).
        var floor: [Double]?
        /// The tokenizer's round trip of a hold chunk on an even grid of commands over [0, 1], for
        /// the figure (nil for a continuous policy).
        var floorCurve: [Double]?
        /// The last training loss and the training time.
        var finalLoss: Double, trainSeconds: Double
        /// What one chunk costs.
        var cost: String
        /// The demonstrations' content hash.
        var dataHash: String

        /// Mean absolute error on the held-out commands.
        var heldOutError: Double { Statistics.mean(zip(heldOutExecuted, heldOut).map { abs($0 - $1) }) }
        /// The tokenizer's resolution at the held-out commands: the mean absolute error of its round trip.
        var resolution: Double? { floor.map { Statistics.mean($0.map(abs)) } }
    }

    /// Commands of the figure's round-trip curve.
    static let curveCommands = (0...400).map { Double($0) / 400 }

    public func run(_ c: Config, context: RunContext) throws -> ExperimentOutcome {
        context.progress.begin(total: context.seeds.count * c.contenders.count,
                               "literal commands: \(c.contenders.count) policies per seed, \(c.trainCommands.count) training and \(c.heldOut) held-out commands")
        let perSeed = try ApplicationContender.measureAll(c.contenders, keys: context.seeds, label: { "seed \($0)" }, context: context) { seed, group in
            try measure(c, group: group, seed: seed, context: context)
        }
        return try outcome(c, perSeed: perSeed, inputHash: StableHash.sha256Hex(perSeed.map { $0.first?.dataHash ?? "" }.joined()))
    }

    /// The expert's demonstrations: `count` episodes, each of a training command drawn uniformly
    /// from the grid, as observations (`[command, value]`) and actions.
    static func demonstrations(_ c: Config, rng: inout SeededGenerator) throws -> Demonstrations {
        try Demonstrations((0..<c.trainDemos).map { _ in
            let command = c.trainCommands[rng.nextInt(below: c.trainCommands.count)]
            let trace = try c.task.demonstrate(command: command, rng: &rng)
            return Demonstrations.Episode(observations: trace.observations, actions: trace.actions)
        })
    }

    /// The contenders of `group` in one seed, on the seed's demonstrations; VQ-BeT's variants share
    /// one residual VQ, fitted first.
    func measure(_ c: Config, group: [Contender], seed: UInt64, context: RunContext) throws -> [Cell] {
        let rng = context.generator(seed: seed)
        var demoRNG = rng.derived("demonstrations")
        let train = try Self.demonstrations(c, rng: &demoRNG)
        let windows = try train.actionWindows(window: c.chunk)
        let residual = try ApplicationContender.residualVQ(for: group, c.residual, windows: windows, rng: rng) {
            context.progress.say("  seed \(seed) · residual VQ · \($0)")
        }
        return try group.map { v in try measure(c, contender: v, seed: seed, train: train, residual: residual, hash: windows.contentHash, context: context) }
    }

    /// The tokenizer's round trip of the chunk that holds `command`: its last value minus the command.
    static func roundTrip(_ tokenizer: any ActionTokenizer, command: Double, chunk: Int) throws -> Double {
        let hold = try ActionChunk(steps: chunk, dims: 1, values: [Double](repeating: command, count: chunk))
        return try tokenizer.roundTrip(hold).values[chunk - 1] - command
    }

    /// One contender in one seed: trained, then told every training command and every held-out one.
    func measure(_ c: Config, contender v: Contender, seed: UInt64, train: Demonstrations,
                 residual: ResidualVQTokenizer?, hash: String, context: RunContext) throws -> Cell {
        let rng = context.generator(seed: seed)
        let (policy, tokenizer) = try v.policy(chunk: c.chunk, model: c.model, vqbet: c.vqbet, observationDim: 2, actionDim: 1,
                                                rng: rng, residual: residual)
        var finalLoss = Double.nan
        let seconds = try Stopwatch.seconds {
            try policy.train(train) { report in
                finalLoss = report.loss
                context.progress.say("  seed \(seed) · \(v.name) · \(report)")
            }
        }
        var commandRNG = rng.derived("held-out commands")
        let heldOut = (0..<c.heldOut).map { _ in commandRNG.nextUniform(0, 1) }
        var startRNG = rng.derived("episodes")
        var sampling = rng.derived("sampling \(v.name)")
        func execute(_ command: Double) throws -> Double {
            try c.task.run({ observation in
                let chunk = try policy.act(history: [observation], rng: &sampling)
                return chunk.values.map { [$0] }
            }, command: command, start: startRNG.nextUniform(0, 1)).executed
        }
        let seen = try c.trainCommands.map(execute)
        let executed = try heldOut.map(execute)
        let floor = try tokenizer.map { tok in try heldOut.map { try Self.roundTrip(tok, command: $0, chunk: c.chunk) } }
        let curve = try tokenizer.map { tok in try Self.curveCommands.map { try Self.roundTrip(tok, command: $0, chunk: c.chunk) } }
        let cell = Cell(heldOut: heldOut, heldOutExecuted: executed, seenExecuted: seen, floor: floor, floorCurve: curve,
                        finalLoss: finalLoss, trainSeconds: seconds, cost: policy.costPerChunk.description, dataHash: hash)
        context.progress.step("seed \(seed) · \(v.name) · trained in \(Int(seconds.rounded())) s · held-out error \(Format.number(cell.heldOutError))"
                              + (cell.resolution.map { ", resolution \(Format.number($0))" } ?? ""), loss: finalLoss)
        return cell
    }
}
