import ActionData
import Experiments
import Foundation
import Lab
import Metrics
import Support
import Tokenizers

/// Training chapter: how a tokenizer fitted on one family of arm motions reconstructs another.
///
/// Per seed: one-second chunks of the fit family (pick-and-place) fit every tokenizer; held-out
/// chunks of the same family and chunks of the unseen family (wiping) are encoded and decoded,
/// and the reconstruction error on each is compared. The learned tokenizers' degradation
/// (unseen error / in-family error) is set against the median degradation of the training-free
/// ones.
public struct TokenStasis: Experiment {
    public let chapter = "training"
    public let name = "token-stasis"

    public init() {}

    /// The statistics its claims may name, each with the `select` keys it reads.
    public var statistics: [String: [String]] { ["degradation_ratio": ["tokenizer", "recipe"], "unseen_over_in_family": ["tokenizer", "recipe"]] }

    /// What the reconstruction RMSE of each dimension is divided by before averaging over dimensions.
    enum ErrorScale: String, CaseIterable {
        /// The dimension's standard deviation over the fit family's fitting chunks: one yardstick for both evaluations.
        case fit
        /// The evaluated set's own standard deviation (dimensions that do not vary in it are left out).
        case evaluated
    }

    public struct Config {
        let fitFamily: RobotArmGenerator.Family, unseenFamily: RobotArmGenerator.Family
        let learned: [String], trainingFree: [String]
        let frequency: Double, chunkSeconds: Double
        let fitChunks: Int, evalChunks: Int
        let errorScale: ErrorScale
        /// Per-tokenizer settings (a tokenizer without a table uses its defaults).
        let settings: TokenizerSettings

        /// Every tokenizer measured, learned first.
        var tokenizers: [String] { learned + trainingFree }
        /// The tokenizers also measured under the book's earlier recipe (`[parameters.earlier_settings]`), in table order.
        var earlier: [String] { tokenizers.filter(settings.earlierNames.contains) }
        /// Every measurement: each tokenizer, then each earlier-recipe variant.
        var measured: [(name: String, recipe: Recipe)] { settings.measured(tokenizers) }
        func generator(_ family: RobotArmGenerator.Family) -> RobotArmGenerator {
            RobotArmGenerator(frequency: frequency, chunkSeconds: chunkSeconds, family: family)
        }
    }

    public func configure(_ p: ParameterReader) throws -> Config {
        let families = RobotArmGenerator.Family.allCases.map(\.rawValue)
        let fitFamily = RobotArmGenerator.Family(rawValue: try p.string("fit_family", allowed: families))!
        let unseenFamily = RobotArmGenerator.Family(rawValue: try p.string("unseen_family", allowed: families))!
        guard fitFamily != unseenFamily else {
            throw ConfigError(location: p.location, key: "unseen_family", problem: "must differ from fit_family ('\(fitFamily.rawValue)')")
        }
        let learned = try p.strings("learned", allowed: TokenizerRegistry.names)
        let free = try p.strings("training_free", allowed: TokenizerRegistry.names)
        guard !learned.isEmpty, !free.isEmpty else {
            throw ConfigError(location: p.location, key: learned.isEmpty ? "learned" : "training_free", problem: "needs at least one tokenizer")
        }
        if let both = learned.first(where: free.contains) {
            throw ConfigError(location: p.location, key: "training_free", problem: "'\(both)' is listed as learned too")
        }
        let settings = try TokenizerSettings(p, tokenizers: learned + free, measured: learned + free, earlier: true)
        let c = Config(fitFamily: fitFamily, unseenFamily: unseenFamily, learned: learned, trainingFree: free,
                       frequency: try p.double("frequency_hz", in: 1...1_000), chunkSeconds: try p.double("chunk_seconds", in: 0.01...60),
                       fitChunks: try p.int("fit_chunks", in: 2...10_000_000), evalChunks: try p.int("eval_chunks", in: 2...10_000_000),
                       errorScale: ErrorScale(rawValue: try p.string("error_scale", allowed: ErrorScale.allCases.map(\.rawValue)))!,
                       settings: settings)
        try c.generator(fitFamily).validate()
        let steps = c.generator(fitFamily).stepsPerChunk
        // Every tokenizer must be buildable, and a windowed one must cut a chunk into whole windows.
        for (name, recipe) in c.measured {
            let tok = try settings.make(name, steps: steps, fitSeed: 1, recipe: recipe, location: "\(settings.location).\(name)")
            if let windowed = tok as? any Windowed, steps % windowed.window != 0 {
                throw ConfigError(location: "\(settings.location).\(name)", key: "window",
                                  problem: "a chunk of \(steps) steps (frequency_hz x chunk_seconds) is not a whole number of \(windowed.window)-step windows")
            }
        }
        return c
    }

    /// One tokenizer's round trip of one evaluated set.
    struct Measure: Codable {
        /// RMSE per dimension (action units) and the evaluated set's standard deviation per dimension.
        var rmse: [Double], std: [Double]
        var tokensPerChunk: Double
        /// Share of values, coefficients or control points the tokenizer clipped to its fitted range (nil: it does not count).
        var clipped: Double?
        /// The first chunk as decoded.
        var example: ActionChunk
    }

    /// What one seed measured.
    struct SeedResult: Codable {
        /// Standard deviation per dimension over the fitting chunks.
        var fitStd: [Double]
        /// Measures per tokenizer on the held-out fit-family chunks and on the unseen chunks.
        var inFamily: [String: Measure] = [:], unseen: [String: Measure] = [:]
        /// Share of unseen values per dimension outside the fitting values' [min, max] and outside their [1st, 99th] percentiles.
        var outsideRange: [Double] = [], outsidePercentiles: [Double] = []
        /// The first held-out and unseen chunks.
        var heldOutExample: ActionChunk, unseenExample: ActionChunk
        /// Code usage of each tokenizer made of codes (the residual VQ) on each set.
        var usage: [String: UsagePair] = [:]
        /// The unquantised floor of each tokenizer that has one (the residual VQ's autoencoder trained
        /// with no quantiser): RMSE per dimension in family and unseen.
        var floor: [String: FloorPair] = [:]
        /// The fit's loss curve of each tokenizer trained by a long run (the residual VQ: L1 reconstruction).
        var fitLoss: [String: [FitLossPoint]] = [:]
        /// Each tokenizer's settings as resolved (defaults filled in), seeds left out.
        var settings: [String: String] = [:]
        /// The hash of the seed's fitting, held-out and unseen chunks.
        var dataHash = ""
    }

    /// An unquantised floor's RMSE per dimension on the held-out fit-family chunks and on the unseen chunks.
    struct FloorPair: Codable { var inFamily: [Double], unseen: [Double] }

    /// Code usage on the held-out fit-family chunks and on the unseen chunks.
    struct UsagePair: Codable { var inFamily: CodeUsage, unseen: CodeUsage }

    public func run(_ c: Config, context: RunContext) throws -> ExperimentOutcome {
        var results: [SeedResult] = []
        var hashes: [String] = []
        let variants = c.earlier.isEmpty ? "" : " and \(c.earlier.count) under the earlier recipe"
        context.progress.begin(total: context.seeds.count * c.measured.count,
                               "fitting \(c.tokenizers.count) tokenizers\(variants) on \(c.fitChunks) \(c.fitFamily.rawValue) chunks per seed")
        results = try context.cells(context.seeds, label: { "seed \($0)" }) { seed in try measure(c, seed: seed, context: context) }
        hashes = results.map(\.dataHash)
        return try outcome(c, results, claims: context.claims, inputHash: StableHash.sha256Hex(hashes.joined()))
    }

    /// Everything one seed measures: every tokenizer (and earlier-recipe variant, fitted from the
    /// same seed as its tokenizer) fitted on the fit family, measured on both sets.
    func measure(_ c: Config, seed: UInt64, context: RunContext) throws -> SeedResult {
        let rng = context.generator(seed: seed)
        let fit = try c.generator(c.fitFamily).chunks(count: c.fitChunks, seed: rng.derived("fit").seed)
        let heldOut = try c.generator(c.fitFamily).chunks(count: c.evalChunks, seed: rng.derived("held-out").seed)
        let unseen = try c.generator(c.unseenFamily).chunks(count: c.evalChunks, seed: rng.derived("unseen").seed)
        var r = SeedResult(fitStd: Statistics.perDimensionStd(fit), heldOutExample: heldOut.chunks[0], unseenExample: unseen.chunks[0])
        r.dataHash = fit.contentHash + heldOut.contentHash + unseen.contentHash
        (r.outsideRange, r.outsidePercentiles) = Self.outside(unseen, fittedOn: fit)
        for (name, recipe) in c.measured {
            let tok = try c.settings.make(name, steps: fit.steps, fitSeed: rng.derived("tokenizer \(name)").seed, recipe: recipe,
                                          location: "\(c.settings.location).\(name)")
            let label = recipe == .reference ? name : "\(name) (earlier recipe)"
            let name = recipe.key(name)
            let trained = tok as? any ReportsProgress
            trained?.progress = { context.progress.say("  seed \(seed) · \(label) · \($0)") }
            let seconds = try Stopwatch.seconds { try tok.fit(fit) }
            if let trained { r.fitLoss[name] = trained.fitLossCurve }
            r.inFamily[name] = try Self.measure(tok, on: heldOut)
            r.unseen[name] = try Self.measure(tok, on: unseen)
            if let coded = tok as? any ReportsCodeUsage { r.usage[name] = UsagePair(inFamily: try coded.usage(heldOut), unseen: try coded.usage(unseen)) }
            if let floored = tok as? any MeasuresUnquantisedFloor {
                let f = try floored.unquantisedFloor(fitting: fit, measuring: [heldOut, unseen])
                r.floor[name] = FloorPair(inFamily: f.reconstructions[0].rmse, unseen: f.reconstructions[1].rmse)
            }
            r.settings[name] = try Self.describe(tok)
            let e = { (m: Measure) in Format.number(Self.error(m, fitStd: r.fitStd, scale: c.errorScale)) }
            context.progress.step(String(format: "seed \(seed) · \(label) fitted in %.1f s · error \(e(r.inFamily[name]!)) in family, \(e(r.unseen[name]!)) unseen", seconds))
        }
        return r
    }

    /// The round trip of every chunk of `data`, with the clipping `tok` counted while doing it.
    static func measure(_ tok: any ActionTokenizer, on data: ChunkSet) throws -> Measure {
        let clipping = tok as? any ReportsClipStatistics
        clipping?.resetClipStatistics()
        let r = try Reconstruction.measure(tok, on: data)
        let clipped = clipping?.clipCount.share
        let example = try tok.decode(r.tokens[0], steps: data.steps, dims: data.dims)
        return Measure(rmse: r.rmse, std: r.std, tokensPerChunk: r.tokensPerChunk, clipped: clipped, example: example)
    }

    /// The error of a measure: mean over dimensions of RMSE / the scale's standard deviation
    /// (dimensions whose standard deviation is zero are left out).
    static func error(_ m: Measure, fitStd: [Double], scale: ErrorScale) -> Double {
        let s = scale == .fit ? fitStd : m.std
        let ratios = zip(m.rmse, s).filter { $0.1 > 0 }.map { $0.0 / $0.1 }
        return ratios.isEmpty ? .nan : Statistics.mean(ratios)
    }

    /// Per dimension, the share of `data`'s values outside the fitting values' [min, max] and
    /// outside their [1st, 99th] percentiles (the ranges min-max and percentile binning fit).
    static func outside(_ data: ChunkSet, fittedOn fit: ChunkSet) -> ([Double], [Double]) {
        var range: [Double] = [], percentiles: [Double] = []
        for d in 0..<data.dims {
            let f = fit.values(dimension: d).sorted(), v = data.values(dimension: d)
            let q01 = Statistics.quantile(sorted: f, 0.01), q99 = Statistics.quantile(sorted: f, 0.99)
            range.append(Double(v.filter { $0 < f.first! || $0 > f.last! }.count) / Double(v.count))
            percentiles.append(Double(v.filter { $0 < q01 || $0 > q99 }.count) / Double(v.count))
        }
        return (range, percentiles)
    }

    /// A fitted tokenizer's settings as `key = value` pairs: the scalar entries of its saved state
    /// and the residual VQ's configuration table, without the seed and the shape and alphabet it fitted.
    static func describe(_ tok: any ActionTokenizer) throws -> String {
        guard case .table(let state) = try tok.fittedState() else { return "" }
        var entries: [(key: String, value: ParameterValue)] = []
        for (key, value) in state {
            switch value {
            case .table(let inner) where key == "config": entries += inner.filter { if case .table = $0.value { return false } else { return true } }
            case .table, .array: continue
            default: entries.append((key, value))
            }
        }
        let fitted: Set<String> = ["dims", "steps", "seed", "min_coefficient", "base_size"]
        return Format.settings(.table(entries.filter { !fitted.contains($0.key) }))
    }
}
