import ActionData
import Foundation
import Lab
import Metrics
import Policies
import Simulation
import Support
import Tokenizers
import Experiments

/// Applications chapter: every contender trained on real human demonstrations (the LASA
/// handwriting shapes) and rolled out in closed loop from held-out demonstrations' starts.
///
/// Per seed and shape, the shape's first demonstrations, resampled to the control rate, train
/// every contender behind the one policy protocol (the chapter's contenders, as in the precision
/// experiment): the policy sees the pen's position and writes chunks of displacements
/// (``Simulation/HandwritingTask``). Each is then started where every held-out demonstration
/// starts and runs as many steps as it has; the drawn path is compared with that demonstration by
/// the LASA benchmark's two measures, the dynamic-time-warping distance and the swept error area
/// (``TrajectoryDistance``). Claims compare contenders by their DTW distance shape by shape, with
/// intervals over shapes and seeds.
///
/// The demonstrations are not in the repository: they come from the data folder
/// `scripts/install-deps.sh` fills, or `--input lasa=DIR`. Without them the experiment reports
/// that and its claims are inconclusive.
public struct LASAClosedLoop: Experiment {
    public let chapter = "applications"
    public let name = "lasa"

    public init() {}

    /// The LASA demonstrations, when installed or given.
    public var inputs: [ExperimentInput] { [.lasa] }

    /// The statistics its claims may name, each with the `select` keys it reads.
    public var statistics: [String: [String]] { ["dtw_ratio": ["contenders", "versus"]] }

    typealias Contender = ApplicationContender

    public struct Config {
        let shapes: [String]              // LASA shape names, in table order
        let frequency: Double             // control rate (Hz) the demonstrations are resampled to
        let trainDemos: Int               // the first this many demonstrations of a shape train; the rest are held out
        let figureShapes: Int             // shapes drawn in the rollout figures (the first ones)
        let contenders: [Contender]
        let residual: ResidualVQConfig    // VQ-BeT's tokenizer; its window is every policy's chunk
        let vqbet: VQBeTConfig            // VQ-BeT's policy (history 1; offsets set per variant)
        let model: TokenPolicyConfig      // the shared transformer of the token and continuous policies
        var chunk: Int { residual.window }
    }

    public func configure(_ p: ParameterReader) throws -> Config {
        let shapes = try p.strings("shapes", allowed: LASA.shapeNames)
        guard !shapes.isEmpty, Set(shapes).count == shapes.count else {
            throw ConfigError(location: p.location, key: "shapes", problem: "expected at least one shape, each once")
        }
        let (residual, vqbet) = try ApplicationContender.vqbetConfigs(p)
        let model = try ApplicationContender.sharedModel(p)
        let contenders = try ApplicationContender.read(p)
        return Config(shapes: shapes, frequency: try p.double("frequency", in: 1...1000), trainDemos: try p.int("train_demos", in: 1...100),
                      figureShapes: try p.int("figure_shapes", in: 0...LASA.shapeNames.count),
                      contenders: contenders, residual: residual, vqbet: vqbet, model: model)
    }

    /// One shape's demonstrations at the control rate: positions (mm), split into training and held-out ones.
    struct Shape {
        let name: String
        let train: [[[Double]]], heldOut: [[[Double]]]
    }

    /// What one contender measured on one shape in one seed.
    struct Cell: Codable {
        /// Per held-out demonstration, the path drawn from its start (mm, the start first).
        var rollouts: [[[Double]]]
        /// Per held-out demonstration, the DTW distance (mm) and the swept error area (mm²) of the rollout.
        var dtw: [Double], sweptArea: [Double]
        /// The last training loss and the training time.
        var finalLoss: Double, trainSeconds: Double
        /// What one chunk costs.
        var cost: String
        /// The training demonstrations' content hash.
        var dataHash: String

        /// The mean DTW distance over the held-out demonstrations.
        var meanDTW: Double { Statistics.mean(dtw) }
        /// The mean swept error area over the held-out demonstrations.
        var meanSweptArea: Double { Statistics.mean(sweptArea) }
    }

    /// One seed and one shape: a row of every claim's statistic.
    struct Key { let seed: UInt64; let shape: Int }

    public func run(_ c: Config, context: RunContext) throws -> ExperimentOutcome {
        guard let folder = context.inputs["lasa"] else { return try outcome(c, seedCount: context.seeds.count, shapes: [], keys: [], perKey: [], inputHash: "") }
        let shapes = try Self.shapes(c, demonstrations: try LASA.load(folder: folder), source: folder.path)
        let keys = context.seeds.flatMap { s in shapes.indices.map { Key(seed: s, shape: $0) } }
        context.progress.begin(total: keys.count * c.contenders.count,
                               "LASA in closed loop: \(c.contenders.count) policies per shape and seed, \(shapes.count) shape(s) at \(Format.parameter(c.frequency)) Hz")
        let perKey = try ApplicationContender.measureAll(c.contenders, keys: keys, label: { "seed \($0.seed) · \(shapes[$0.shape].name)" },
                                                         context: context) { key, group in
            try measure(c, group: group, shape: shapes[key.shape], seed: key.seed, context: context)
        }
        return try outcome(c, seedCount: context.seeds.count, shapes: shapes, keys: keys, perKey: perKey,
                           inputHash: StableHash.sha256Hex(perKey.map { $0.first?.dataHash ?? "" }.joined()))
    }

    /// The configured shapes from the loaded demonstrations, resampled to the control rate; a shape
    /// missing from `source`, or with no demonstration left to hold out, is an error naming it.
    static func shapes(_ c: Config, demonstrations: [LASADemonstration], source: String) throws -> [Shape] {
        try c.shapes.map { name in
            let demos = demonstrations.filter { $0.shape == name }.sorted { $0.index < $1.index }
            guard demos.count > c.trainDemos else {
                throw ConfigError(location: source, key: name, problem: "expected more than train_demos = \(c.trainDemos) demonstrations of the shape, found \(demos.count)")
            }
            let paths = demos.map { Resampling.linear($0.positions, from: $0.frequency, to: c.frequency) }
            if let short = paths.firstIndex(where: { $0.count < 2 }) {
                throw ConfigError(location: source, key: name, problem: "demonstration \(short) is shorter than one step at \(Format.parameter(c.frequency)) Hz")
            }
            return Shape(name: name, train: Array(paths.prefix(c.trainDemos)), heldOut: Array(paths.dropFirst(c.trainDemos)))
        }
    }

    /// A shape's training demonstrations as episodes of positions seen and displacements taken.
    static func demonstrations(_ shape: Shape) throws -> Demonstrations {
        try Demonstrations(shape.train.map { path in
            let d = try HandwritingTask.demonstration(path)
            return Demonstrations.Episode(observations: d.observations, actions: d.actions)
        })
    }

    /// The contenders of `group` on one shape in one seed; VQ-BeT's variants share one residual VQ, fitted first.
    func measure(_ c: Config, group: [Contender], shape: Shape, seed: UInt64, context: RunContext) throws -> [Cell] {
        let rng = context.generator(seed: seed).derived("shape \(shape.name)")
        let train = try Self.demonstrations(shape)
        let windows = try train.actionWindows(window: c.chunk)
        let residual = try ApplicationContender.residualVQ(for: group, c.residual, windows: windows, rng: rng) {
            context.progress.say("  seed \(seed) · \(shape.name) · residual VQ · \($0)")
        }
        return try group.map { v in try measure(c, contender: v, shape: shape, seed: seed, train: train, residual: residual, rng: rng,
                                                hash: windows.contentHash, context: context) }
    }

    /// One contender on one shape in one seed: trained, then rolled out from every held-out start.
    func measure(_ c: Config, contender v: Contender, shape: Shape, seed: UInt64, train: Demonstrations, residual: ResidualVQTokenizer?,
                 rng: SeededGenerator, hash: String, context: RunContext) throws -> Cell {
        let (policy, _) = try v.policy(chunk: c.chunk, model: c.model, vqbet: c.vqbet, observationDim: 2, actionDim: 2, rng: rng, residual: residual)
        var finalLoss = Double.nan
        let seconds = try Stopwatch.seconds {
            try policy.train(train) { report in
                finalLoss = report.loss
                context.progress.say("  seed \(seed) · \(shape.name) · \(v.name) · \(report)")
            }
        }
        var sampling = rng.derived("sampling \(v.name)")
        let rollouts = try shape.heldOut.map { demo in
            try HandwritingTask.run({ position in
                let chunk = try policy.act(history: [position], rng: &sampling)
                return (0..<chunk.steps).map { Array(chunk.values[($0 * chunk.dims)..<(($0 + 1) * chunk.dims)]) }
            }, start: demo[0], steps: demo.count - 1)
        }
        let cell = Cell(rollouts: rollouts, dtw: try zip(rollouts, shape.heldOut).map { try TrajectoryDistance.dtw($0, $1) },
                        sweptArea: try zip(rollouts, shape.heldOut).map { try TrajectoryDistance.sweptErrorArea($0, $1) },
                        finalLoss: finalLoss, trainSeconds: seconds, cost: policy.costPerChunk.description, dataHash: hash)
        context.progress.step("seed \(seed) · \(shape.name) · \(v.name) · trained in \(Int(seconds.rounded())) s · DTW \(Format.number(cell.meanDTW)) mm",
                              loss: finalLoss)
        return cell
    }
}
