import ActionData
import Engine
import Foundation
import Lab
import Metrics
import Policies
import Support
import Tokenizers
import Experiments

/// Future chapter: what more training compute buys each contender, and what more bins buy binning.
///
/// Per seed and source (the didactic splines, the synthetic arm), every contender is trained at
/// each compute point (the shared transformer's width and optimiser steps, larger together) with
/// its tokenizer fixed at its settings: token policies over their tokenizers, flow matching and
/// diffusion on the same network. Each cell records its held-out error, its tokenizer's round-trip
/// floor on the same chunks, and the training FLOPs the engine counted (every matrix product of
/// the forward and backward passes, ``Engine/BLAS/flops``). At the largest point, per-step binning
/// also runs at every bin count of the bins sweep.
public struct ComputeScaling: Experiment {
    public let chapter = "future"
    /// The experiment file's name: `scaling`, or `scaling-recipe` (the last step of compute at the
    /// evaluation chapter's spline recipe, a full-profile block).
    public let name: String
    public init(name: String = "scaling") { self.name = name }

    public var statistics: [String: [String]] {
        ["floor_gap": ["contenders", "sources"],
         "last_gain": ["contenders", "sources"],
         "gain_over": ["contenders", "versus", "sources"],
         "bins_elasticity": ["source", "low", "high"]]
    }

    /// One contender: a token policy over a registered tokenizer, or a continuous policy.
    struct Contender: Equatable {
        let name: String
        /// The tokenizer's registry name, or nil for a continuous policy.
        let tokenizer: String?
        /// The continuous policy's registry name.
        let policy: String?
        let settings: ParameterValue
        /// Per-step binning's bin count (the bins sweep), else nil.
        let bins: Int?
        var isTokenized: Bool { tokenizer != nil }
        var palette: String { tokenizer ?? policy! }
    }

    /// One compute point: the transformer's width and optimiser steps.
    struct Point: Equatable, Codable {
        let width: Int, steps: Int
        var label: String { "width \(width) × \(steps) steps" }
    }

    public struct Config {
        let sources: [ScalingTask.Source]
        let contenders: [Contender]          // trained at every point
        let binsSweep: [Contender]           // per-step binning at each bin count, at the largest point only
        let binsSources: [ScalingTask.Source]
        let points: [Point]                  // ascending compute
        let model: TokenPolicyConfig         // everything but width and steps
        let splineSteps: Int, armFrequency: Double, armPrefix: Int
        let trainExamples: Int, testExamples: Int
        var top: Point { points.last! }
    }

    public func configure(_ p: ParameterReader) throws -> Config {
        let sources = try p.strings("sources", allowed: ScalingTask.Source.allCases.map(\.rawValue)).map { ScalingTask.Source(rawValue: $0)! }
        guard !sources.isEmpty else { throw ConfigError(location: p.location, key: "sources", problem: "expected at least one source") }
        let settings = try p.table("settings")
        let policySettings = try p.table("policy_settings")
        var contenders: [Contender] = []
        for name in try p.strings("tokenizers", allowed: TokenizerRegistry.names) {
            let s = settings.value(name) ?? .table([])
            let reader = try ParameterReader(s, location: "\(settings.location).\(name)")
            _ = try TokenizerRegistry.make(name, parameters: reader)
            contenders.append(Contender(name: name, tokenizer: name, policy: nil, settings: s, bins: name == "minmax" ? Self.bins(s) : nil))
        }
        for name in try p.strings("policies", allowed: PolicyRegistry.names) {
            let s = policySettings.value(name) ?? .table([])
            _ = try PolicyRegistry.make(name, parameters: ParameterReader(s, location: "\(policySettings.location).\(name)"))
            contenders.append(Contender(name: name, tokenizer: nil, policy: name, settings: s, bins: nil))
        }
        guard !contenders.isEmpty else { throw ConfigError(location: p.location, key: "tokenizers", problem: "expected at least one contender") }
        let base = settings.value("minmax") ?? .table([])
        let sweep = try p.ints("bins", in: 2...65_536).map { b in
            Contender(name: "minmax-\(b)", tokenizer: "minmax", policy: nil, settings: base.merged(with: .table([("bins", .int(b))])), bins: b)
        }.filter { b in !contenders.contains { $0.bins == b.bins } }
        let binsSources = try p.strings("bins_sources", allowed: sources.map(\.rawValue)).map { ScalingTask.Source(rawValue: $0)! }
        let c = try p.table("compute", required: true)
        let widths = try c.ints("widths", in: 4...4096), steps = try c.ints("train_steps", in: 1...10_000_000)
        try c.finish()
        guard widths.count == steps.count, widths.count >= 2 else {
            throw ConfigError(location: c.location, key: "train_steps", problem: "expected as many steps as widths (\(widths.count)), at least two points")
        }
        let points = zip(widths, steps).map { Point(width: $0, steps: $1) }
        let model = try TokenPolicyConfig(try p.table("model", required: true))
        for pt in points where pt.width % model.heads != 0 {
            throw ConfigError(location: c.location, key: "widths", problem: "width \(pt.width) is not a multiple of the \(model.heads) heads")
        }
        let t = try p.table("task", required: true)
        let splineSteps = try t.int("spline_steps", in: 2...100_000), armFrequency = try t.double("arm_frequency", in: 1...1000)
        let armPrefix = try t.int("arm_prefix", in: 1...1000)
        try t.finish()
        return Config(sources: sources, contenders: contenders, binsSweep: sweep, binsSources: binsSources, points: points, model: model,
                      splineSteps: splineSteps, armFrequency: armFrequency, armPrefix: armPrefix,
                      trainExamples: try p.int("train_examples", in: 2...10_000_000), testExamples: try p.int("test_examples", in: 1...1_000_000))
    }

    /// Per-step binning's bin count in `settings` (its registry default when absent).
    static func bins(_ settings: ParameterValue) -> Int? {
        if case .table(let entries) = settings, let v = entries.first(where: { $0.key == "bins" })?.value, case .int(let b) = v { return b }
        return BinningConfig().bins
    }

    /// What one contender measured at one point, in one source and seed.
    struct Cell: Codable {
        /// Held-out error: the mean over dimensions of the squared error over the held-out values'
        /// variance in that dimension (so the arm's gripper and its small motions weigh alike).
        var error: Double
        /// The same error of the tokenizer's own round trip of the held-out chunks (nil: continuous).
        var floor: Double?
        /// Matrix-product FLOPs counted while training (forward and backward of every step, and the
        /// final-loss evaluation).
        var trainFLOPs: Double
        /// Mean tokens per held-out chunk (nil: continuous), and the share of predicted sequences
        /// that did not decode cleanly.
        var tokensPerChunk: Double?, decodeFailures: Double?
        var finalLoss: Double, trainSeconds: Double
    }

    struct Unit {
        let seed: UInt64, source: ScalingTask.Source, contender: Contender, point: Point
        var label: String { "seed \(seed) · \(source.rawValue) · \(contender.name) · \(point.label)" }
    }

    /// Every unit of work: each source, contender and point per seed, then the bins sweep.
    func units(_ c: Config, seeds: [UInt64]) -> [Unit] {
        var out: [Unit] = []
        for seed in seeds {
            for s in c.sources { for v in c.contenders { for pt in c.points { out.append(Unit(seed: seed, source: s, contender: v, point: pt)) } } }
            for s in c.binsSources { for v in c.binsSweep { out.append(Unit(seed: seed, source: s, contender: v, point: c.top)) } }
        }
        return out
    }

    public func run(_ c: Config, context: RunContext) throws -> ExperimentOutcome {
        let units = self.units(c, seeds: context.seeds)
        context.progress.begin(total: units.count, "scaling: \(c.contenders.count) contenders × \(c.points.count) points × \(c.sources.count) sources per seed, and \(c.binsSweep.count) bin counts")
        let cells = try context.cells(units, label: \.label, cost: { Double($0.point.width * $0.point.width * $0.point.steps) }) { u in
            try measure(c, u, context: context)
        }
        var byKey: [String: Cell] = [:]
        for (u, cell) in zip(units, cells) { byKey[Self.key(u.seed, u.source, u.contender.name, u.point)] = cell }
        let hash = try StableHash.sha256Hex(context.seeds.flatMap { seed in
            try c.sources.map { try ScalingTask.make($0, splineSteps: c.splineSteps, armFrequency: c.armFrequency, armPrefix: c.armPrefix, train: 2, test: 1, seed: seed).train.contentHash }
        }.joined())
        return try outcome(c, seeds: context.seeds, cells: byKey, inputHash: hash)
    }

    static func key(_ seed: UInt64, _ source: ScalingTask.Source, _ contender: String, _ point: Point) -> String {
        "\(seed)|\(source.rawValue)|\(contender)|\(point.width)|\(point.steps)"
    }

    /// Trains and scores one unit.
    func measure(_ c: Config, _ u: Unit, context: RunContext) throws -> Cell {
        let task = try ScalingTask.make(u.source, splineSteps: c.splineSteps, armFrequency: c.armFrequency, armPrefix: c.armPrefix,
                                        train: c.trainExamples, test: c.testExamples, seed: u.seed)
        var pc = c.model
        pc.dModel = u.point.width
        pc.trainingSteps = u.point.steps
        let seed = SeededGenerator(seed: u.seed).derived("policy \(u.source.rawValue) \(u.contender.name) \(u.point.width) \(u.point.steps)")
        let progress: (TrainingProgress) -> Void = { context.progress.say("  \(u.label) · \($0)") }
        let v = u.contender
        let cell: Cell
        if let name = v.tokenizer {
            let tok = try TokenizerRegistry.make(name, parameters: ParameterReader(v.settings, location: v.name))
            try tok.fit(task.train)
            let trainTokens = try task.train.chunks.map { try tok.encode($0) }
            let testTokens = try task.test.chunks.map { try tok.encode($0) }
            let longest = trainTokens.map(\.count).max() ?? 1
            let length: GenerationLength = tok.tokensPerChunk(steps: task.steps, dims: task.dims).map { .fixed($0) } ?? .untilEnd(max: longest + longest / 4 + 4)
            let set = try TokenSequenceSet(sequences: trainTokens, conditions: task.trainConditions, prefixLength: task.prefixLength,
                                           conditionDim: task.conditionDim, vocabulary: tok.vocabularySize)
            let policy = try TokenPolicy(config: pc, vocabulary: tok.vocabularySize, prefixLength: task.prefixLength, conditionDim: task.conditionDim,
                                         maxLength: length.limit, seed: seed.seed)
            let f0 = BLAS.flops
            let summary = try policy.train(set, progress: progress)
            let flops = BLAS.flops - f0
            let predicted = try policy.generate(conditions: task.testConditions, length: length)
            var decoded: [[Double]] = [], failures = 0
            for tokens in predicted {
                let (chunk, clean) = SplinePrediction.decodeForEvaluation(tok, tokens, steps: task.steps, dims: task.dims)
                if !clean { failures += 1 }
                decoded.append(chunk.values)
            }
            let floor = testTokens.map { SplinePrediction.decodeForEvaluation(tok, $0, steps: task.steps, dims: task.dims).chunk.values }
            cell = Cell(error: NormalisedError.of(decoded, truth: task.test), floor: NormalisedError.of(floor, truth: task.test), trainFLOPs: flops,
                        tokensPerChunk: Statistics.mean(testTokens.map { Double($0.count) }), decodeFailures: Double(failures) / Double(predicted.count),
                        finalLoss: summary.finalLoss, trainSeconds: summary.seconds)
        } else {
            let objective = try PolicyRegistry.make(v.policy!, parameters: ParameterReader(v.settings, location: v.name))
            let model = try ContinuousChunkModel(objective: objective, config: pc, prefixLength: task.prefixLength, conditionDim: task.conditionDim,
                                                 chunkLength: task.steps, actionDim: task.dims, seed: seed.seed)
            let f0 = BLAS.flops
            let summary = try model.train(conditions: task.trainConditions, chunks: task.train.chunks.map(\.values), progress: progress)
            let flops = BLAS.flops - f0
            var rng = seed.derived("sampling")
            let predicted = try model.sample(conditions: task.testConditions, rng: &rng)
            cell = Cell(error: NormalisedError.of(predicted, truth: task.test), floor: nil, trainFLOPs: flops, tokensPerChunk: nil, decodeFailures: nil,
                        finalLoss: summary.finalLoss, trainSeconds: summary.seconds)
        }
        context.progress.step("\(u.label) · error \(Format.number(cell.error)) · \(Format.number(cell.trainFLOPs / 1e9)) GFLOP", loss: cell.finalLoss)
        return cell
    }
}
