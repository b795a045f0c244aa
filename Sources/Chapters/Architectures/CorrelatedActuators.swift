import ActionData
import Foundation
import Metrics
import Support
import Tokenizers
import Experiments

/// Architectures chapter: the bits per chunk per-dimension binning and a joint residual VQ code
/// need to reach the same precision on the arm's correlated dimensions.
///
/// Per seed: `fit_chunks` one-second chunks of the synthetic arm and `eval_chunks` held-out ones,
/// each cut into windows of `window` steps (a window is the chunk both tokenizers encode). Every
/// binning tokenizer is fitted at every bin count; a window costs `window x 7 x log2(bins)` bits.
/// The residual VQ is fitted once per codebook size `K` with the most layers of the sweep, and
/// each layer count `l` of the sweep is measured by decoding the first `l` codes of that model
/// (as the anatomy experiment measures its primary code); a window costs `l x log2(K)` bits.
/// That prefix is not a model trained with `l` layers: its decoder was trained on the sum of all
/// layers' codes. Both tokenizers encode all seven dimensions, gripper included.
///
/// Precision: the relative RMSE of the held-out windows, computed per continuous dimension (the
/// six end-effector deltas; the gripper is excluded) as the RMSE over every held-out step divided
/// by that dimension's standard deviation over the same steps, then averaged over the six.
public struct CorrelatedActuators: Experiment {
    public let chapter = "architectures"
    public let name = "correlated-actuators"

    public init() {}

    /// The statistics its claims may name, each with the `select` keys it reads.
    public var statistics: [String: [String]] { ["bits_ratio_at_target": ["binning", "variant"]] }

    /// The dimensions the precision target is judged on: the arm's six end-effector deltas.
    static let continuousDimensions = Array(0..<RobotArmGenerator.gripperDimension)

    public struct Config {
        let frequency: Double, window: Int, target: Double
        let binning: [String], bins: [Int]
        let codebookSizes: [Int], layers: [Int]
        let vq: ResidualVQConfig                 // layers = the sweep's largest; codebook size and seed replaced per fit
        let fitChunks: Int, evalChunks: Int
        /// Ablations of the residual VQ's training, measured beside the sweep and never judged.
        var variants: [Variant] = []
    }

    /// An ablation of the residual VQ's training (`[[parameters.variants]]`): the sweep's VQ with
    /// `tokenizer`'s keys laid over it, fitted at `codebook_sizes` (each from the same seed as the
    /// sweep's fit at that size) and decoded from the same prefixes of layers; with `floor`, its own
    /// unquantised floor too. The claim is decided again with it in place of the sweep's VQ.
    struct Variant {
        let name: String, codebookSizes: [Int], vq: ResidualVQConfig, floor: Bool
        /// The `tokenizer` keys as written, for the tables.
        let overrides: ParameterValue
    }

    public func configure(_ p: ParameterReader) throws -> Config {
        let window = try p.int("window", in: 1...100)
        let layers = try p.ints("vq_layers", in: 1...64)
        let sizes = try p.ints("vq_codebook_sizes", in: 2...65_536)
        let bins = try p.ints("binning_bins", in: 2...65_536)
        for (key, v) in [("vq_layers", layers), ("vq_codebook_sizes", sizes), ("binning_bins", bins)] where v.isEmpty || v != v.sorted() || Set(v).count != v.count {
            throw ConfigError(location: p.location, key: key, problem: "expected a non-empty list of distinct values in increasing order, found \(v)")
        }
        let binning = try p.strings("binning", allowed: ["minmax", "openvla", "equal-mass"])
        guard binning.contains("minmax") else {
            throw ConfigError(location: p.location, key: "binning", problem: "must include minmax, the binning the claim is judged on by default")
        }
        // The residual VQ from `[parameters.tokenizer]` (``ResidualVQConfig``'s keys); the sweep sets its
        // layers and codebook size, the experiment's `window` its window, each fit its seed.
        let t = try p.table("tokenizer", required: true)
        for (key, reason) in [("layers", "the largest of vq_layers"), ("codebook_size", "each of vq_codebook_sizes in turn"),
                              ("window", "the experiment's window"), ("seed", "drawn per fit by the experiment")] {
            try t.reject(key, because: reason)
        }
        var vq = try ResidualVQConfig(t)
        vq.layers = layers.last!; vq.codebookSize = sizes[0]; vq.window = window
        try vq.validate(location: t.location)
        var c = Config(frequency: try p.double("frequency_hz", in: 1...1_000), window: window,
                       target: try p.double("target_relative_rmse", in: 1e-6...10), binning: binning, bins: bins,
                       codebookSizes: sizes, layers: layers, vq: vq,
                       fitChunks: try p.int("fit_chunks", in: 1...1_000_000), evalChunks: try p.int("eval_chunks", in: 1...1_000_000))
        c.variants = try Self.variants(p, tokenizer: p.value("tokenizer")!, layers: layers.last!, window: window)
        return c
    }

    /// `[[parameters.variants]]`: each a `name`, its `codebook_sizes`, the `tokenizer` keys that
    /// differ from `[parameters.tokenizer]` and whether to measure its own `floor`.
    static func variants(_ p: ParameterReader, tokenizer: ParameterValue, layers: Int, window: Int) throws -> [Variant] {
        guard let value = p.value("variants") else { return [] }
        guard case .array(let items) = value else {
            throw ConfigError(location: p.location, key: "variants", problem: "expected an array of tables ([[parameters.variants]])")
        }
        var out: [Variant] = []
        for (i, item) in items.enumerated() {
            let v = try ParameterReader(item, location: "\(p.location).variants[\(i)]")
            let name = try v.string("name")
            guard !name.isEmpty, !out.contains(where: { $0.name == name }) else {
                throw ConfigError(location: v.location, key: "name", problem: "expected a non-empty name no other variant has, found '\(name)'")
            }
            let sizes = try v.ints("codebook_sizes", in: 2...65_536)
            guard !sizes.isEmpty, sizes == sizes.sorted(), Set(sizes).count == sizes.count else {
                throw ConfigError(location: v.location, key: "codebook_sizes", problem: "expected a non-empty list of distinct values in increasing order, found \(sizes)")
            }
            let over = try v.table("tokenizer", required: true)
            for (key, reason) in [("layers", "the largest of vq_layers"), ("codebook_size", "each of codebook_sizes in turn"),
                                  ("window", "the experiment's window"), ("seed", "the sweep's fit seed at the same size")] {
                try over.reject(key, because: reason)
            }
            let t = try ParameterReader(tokenizer.merged(with: v.value("tokenizer")!), location: over.location)
            var vq = try ResidualVQConfig(t)
            vq.layers = layers; vq.codebookSize = sizes[0]; vq.window = window
            try vq.validate(location: t.location)
            out.append(Variant(name: name, codebookSizes: sizes, vq: vq, floor: try v.bool("floor", default: false), overrides: v.value("tokenizer")!))
            try v.finish()
        }
        return out
    }

    /// One tokenizer setting: a binning tokenizer at a bin count, or a residual VQ with `l` of its layers of `K` codes.
    struct Setting: Hashable, Codable {
        enum Family: Hashable, Codable { case binning(String), vq }
        let family: Family
        let bins: Int, layers: Int, codebookSize: Int

        static func binning(_ name: String, bins: Int) -> Setting { Setting(family: .binning(name), bins: bins, layers: 0, codebookSize: 0) }
        static func vq(layers: Int, codebookSize: Int) -> Setting { Setting(family: .vq, bins: 0, layers: layers, codebookSize: codebookSize) }

        /// Bits per window of `window` steps of `dims` dimensions.
        func bits(window: Int, dims: Int) -> Double {
            switch family {
            case .binning: return Double(window * dims) * log2(Double(bins))
            case .vq: return Double(layers) * log2(Double(codebookSize))
            }
        }
        /// The tokenizer's registry name (`rvq` for the residual VQ).
        var familyName: String {
            switch family {
            case .binning(let n): return n
            case .vq: return "rvq"
            }
        }
        var label: String {
            switch family {
            case .binning(let n): return "\(n), \(bins) bins"
            case .vq: return "residual VQ, \(layers) x \(codebookSize) codes"
            }
        }
    }

    /// What one seed measured.
    struct SeedResult: Codable {
        var relativeRMSE: [Setting: Double] = [:]          // mean over the continuous dimensions
        var perDimension: [Setting: [Double]] = [:]        // relative RMSE of every dimension, gripper included
        var codesUsed: [Setting: Double] = [:]             // VQ: distinct codes per layer on held-out windows, mean over the layers used
        var fitSeconds: [Int: Double] = [:]                // VQ: wall-clock fitting time per codebook size
        var trainingL1: [Int: TrainingL1] = [:]            // VQ: training-batch L1 (standardised units) half-way and at the end, per codebook size
        var floor = Floor()                                // the autoencoder trained without its quantiser
        var variants: [String: VariantResult] = [:]        // each ablation of the VQ's training, by name
        var dataHash = ""                                  // the hash of the seed's fitting and measuring windows
    }

    /// What one ablation of the residual VQ's training measured in one seed.
    struct VariantResult: Codable {
        var relativeRMSE: [Setting: Double] = [:], perDimension: [Setting: [Double]] = [:], codesUsed: [Setting: Double] = [:]
        var fitSeconds: [Int: Double] = [:], trainingL1: [Int: TrainingL1] = [:]
        var floor: Floor? = nil

        /// Both parts' entries (each part fills its own).
        mutating func merge(_ o: VariantResult) {
            relativeRMSE.merge(o.relativeRMSE) { a, _ in a }; perDimension.merge(o.perDimension) { a, _ in a }
            codesUsed.merge(o.codesUsed) { a, _ in a }; fitSeconds.merge(o.fitSeconds) { a, _ in a }
            trainingL1.merge(o.trainingL1) { a, _ in a }; floor = floor ?? o.floor
        }
    }

    /// The unquantised floor: the residual VQ's encoder and decoder (same settings, steps and seed
    /// as the K = smallest fit) trained with no quantiser, measured on the same held-out windows.
    struct Floor: Codable {
        var relativeRMSE = Double.nan, perDimension: [Double] = [], trainingL1 = TrainingL1(half: .nan, end: .nan), seconds = Double.nan
    }

    /// The residual VQ's training-batch L1 (standardised units) half-way through training and at its end.
    struct TrainingL1: Codable {
        var half: Double, end: Double
        init(half: Double, end: Double) { self.half = half; self.end = end }
        /// Read off a fit's loss curve of `steps` training steps.
        init(curve: [FitLossPoint], steps: Int) { self.init(half: curve.loss(nearestTo: steps / 2), end: curve.last?.loss ?? .nan) }
    }

    /// Every setting of the sweep, binning first, in table order.
    func settings(_ c: Config) -> [Setting] {
        c.binning.flatMap { n in c.bins.map { Setting.binning(n, bins: $0) } }
            + c.codebookSizes.flatMap { k in c.layers.map { Setting.vq(layers: $0, codebookSize: k) } }
    }

    /// One unit of a seed's work: the binning settings, one codebook size's fit, the floor, or a
    /// variant's fit at one size or its floor (variants by index).
    enum Part { case binning, vq(Int), floor, variant(Int, Int), variantFloor(Int) }

    public func run(_ c: Config, context: RunContext) throws -> ExperimentOutcome {
        let arm = RobotArmGenerator(frequency: c.frequency)
        // Each seed's parts are cells of their own, so helper processes can share a seed's fits.
        let variantParts: [Part] = c.variants.enumerated().flatMap { i, v in v.codebookSizes.map { Part.variant(i, $0) } + (v.floor ? [.variantFloor(i)] : []) }
        let parts: [Part] = [.binning] + c.codebookSizes.map { .vq($0) } + [.floor] + variantParts
        let ablations = variantParts.isEmpty ? "" : " and \(variantParts.count) fits of the variants"
        context.progress.begin(total: context.seeds.count * parts.count,
                               "correlated actuators: binning, then \(c.codebookSizes.count) residual VQ fits, the unquantised floor\(ablations) per seed")
        let items = context.seeds.flatMap { seed in parts.map { (seed: seed, part: $0) } }
        let measured = try context.cells(items, label: { item in
            switch item.part {
            case .binning: return "seed \(item.seed) · binning"
            case .vq(let k): return "seed \(item.seed) · \(c.vq.layers) x \(k) codes"
            case .floor: return "seed \(item.seed) · unquantised floor"
            case .variant(let i, let k): return "seed \(item.seed) · \(c.variants[i].name) · \(c.vq.layers) x \(k) codes"
            case .variantFloor(let i): return "seed \(item.seed) · \(c.variants[i].name) · unquantised floor"
            }
        }, cost: { item in if case .binning = item.part { return 0.1 } else { return 1 } }) { item in
            try measure(c, item.part, arm: arm, seed: item.seed, context: context)
        }
        // A seed's result is its parts' merged (each part fills its own settings).
        let results = context.seeds.map { seed in
            zip(items, measured).filter { $0.0.seed == seed }.map(\.1).reduce(into: SeedResult()) { r, part in
                r.relativeRMSE.merge(part.relativeRMSE) { a, _ in a }
                r.perDimension.merge(part.perDimension) { a, _ in a }
                r.codesUsed.merge(part.codesUsed) { a, _ in a }
                r.fitSeconds.merge(part.fitSeconds) { a, _ in a }
                r.trainingL1.merge(part.trainingL1) { a, _ in a }
                if !part.floor.perDimension.isEmpty { r.floor = part.floor }
                for (name, v) in part.variants { r.variants[name, default: VariantResult()].merge(v) }
                r.dataHash = part.dataHash
            }
        }
        return try outcome(c, results, seeds: context.seeds, inputHash: StableHash.sha256Hex(results.map(\.dataHash).joined()),
                           passRatio: try context.claim(Self.claimID).threshold, claims: context.claims)
    }

    /// One part of what a seed measures: every binning setting, one residual VQ fit (all its
    /// prefixes of layers), or the floor; the rest of the returned result is empty.
    func measure(_ c: Config, _ part: Part, arm: RobotArmGenerator, seed: UInt64, context: RunContext) throws -> SeedResult {
        let rng = context.generator(seed: seed)
        let fit = try arm.chunks(count: c.fitChunks, seed: rng.derived("fit").seed).resampledWindows(c.window)
        let eval = try arm.chunks(count: c.evalChunks, seed: rng.derived("eval").seed).resampledWindows(c.window)
        var r = SeedResult()
        r.dataHash = fit.contentHash + eval.contentHash
        func record(_ s: Setting, _ m: Reconstruction) {
            r.perDimension[s] = m.relativeRMSE
            r.relativeRMSE[s] = m.meanRelativeRMSE(dims: Self.continuousDimensions)
        }
        switch part {
        case .binning:
            for name in c.binning {
                for b in c.bins {
                    let tok = try TokenizerRegistry.make(name, parameters: ParameterReader(.table([("bins", .int(b))]), location: "\(name), \(b) bins"))
                    try tok.fit(fit)
                    record(.binning(name, bins: b), try Reconstruction.measure(tok, on: eval))
                }
            }
            context.progress.step("seed \(seed) · binning measured")
        case .vq(let k):
            let fitted = try fitVQ(c, c.vq, k, fit: fit, eval: eval, seed: seed, rng: rng, label: "\(c.vq.layers) x \(k) codes", context: context)
            r.relativeRMSE = fitted.relativeRMSE; r.perDimension = fitted.perDimension; r.codesUsed = fitted.codesUsed
            r.fitSeconds = fitted.fitSeconds; r.trainingL1 = fitted.trainingL1
        case .floor:
            r.floor = try floor(c, c.vq, fit: fit, eval: eval, seed: seed, rng: rng, label: "unquantised floor", context: context)
        case .variant(let i, let k):
            let v = c.variants[i]
            r.variants[v.name] = try fitVQ(c, v.vq, k, fit: fit, eval: eval, seed: seed, rng: rng, label: "\(v.name) · \(c.vq.layers) x \(k) codes", context: context)
        case .variantFloor(let i):
            let v = c.variants[i]
            r.variants[v.name] = VariantResult(floor: try floor(c, v.vq, fit: fit, eval: eval, seed: seed, rng: rng, label: "\(v.name) · unquantised floor", context: context))
        }
        return r
    }

    /// One residual VQ fit of `vq` with `k` codes per layer (the seed of the sweep's fit at `k`),
    /// measured decoding every prefix of layers of the sweep.
    func fitVQ(_ c: Config, _ vq: ResidualVQConfig, _ k: Int, fit: ChunkSet, eval: ChunkSet, seed: UInt64, rng: SeededGenerator,
               label: String, context: RunContext) throws -> VariantResult {
        var vc = vq
        vc.codebookSize = k; vc.seed = rng.derived("vq \(k)").seed
        let tok = try ResidualVQTokenizer(vc)
        tok.progress = { context.progress.say("  seed \(seed) · \(label) · \($0)") }
        var r = VariantResult()
        r.fitSeconds[k] = try Stopwatch.seconds { try tok.fit(fit) }
        r.trainingL1[k] = TrainingL1(curve: tok.fitLossCurve, steps: vc.trainSteps)
        let codes = try tok.codes(ofAll: eval.chunks)
        for (l, m) in try prefixReconstructions(tok, eval, codes: codes, layers: c.layers) {
            let s = Setting.vq(layers: l, codebookSize: k)
            r.perDimension[s] = m.relativeRMSE
            r.relativeRMSE[s] = m.meanRelativeRMSE(dims: Self.continuousDimensions)
            r.codesUsed[s] = Double(codes.prefix(l).map { Set($0).count }.reduce(0, +)) / Double(l)
        }
        context.progress.step(String(format: "seed \(seed) · \(label) fitted in %.0f s", r.fitSeconds[k]!))
        return r
    }

    /// What the encoder and decoder of `vq` reach with no quantiser (codebook size and layers do
    /// not enter it; the seed is the smallest codebook's fit's).
    func floor(_ c: Config, _ vq: ResidualVQConfig, fit: ChunkSet, eval: ChunkSet, seed: UInt64, rng: SeededGenerator,
               label: String, context: RunContext) throws -> Floor {
        var vc = vq
        vc.codebookSize = c.codebookSizes[0]; vc.seed = rng.derived("vq \(c.codebookSizes[0])").seed
        let tok = try ResidualVQTokenizer(vc)
        tok.progress = { context.progress.say("  seed \(seed) · \(label) · \($0)") }
        var result: UnquantisedFloor?
        var f = Floor()
        f.seconds = try Stopwatch.seconds { result = try tok.unquantisedFloor(fitting: fit, measuring: [eval]) }
        f.perDimension = result!.reconstructions[0].relativeRMSE
        f.relativeRMSE = result!.reconstructions[0].meanRelativeRMSE(dims: Self.continuousDimensions)
        f.trainingL1 = TrainingL1(curve: result!.lossCurve, steps: vc.trainSteps)
        context.progress.step(String(format: "seed \(seed) · \(label) fitted in %.0f s", f.seconds))
        return f
    }

    /// The reconstruction of `data` from the first `l` layers of `codes` (``ResidualVQTokenizer/codes(ofAll:)``
    /// of `data`'s chunks), for each `l` of `layers`, decoded in one batch per `l`.
    func prefixReconstructions(_ tok: ResidualVQTokenizer, _ data: ChunkSet, codes: [[Int]], layers: [Int]) throws -> [(layers: Int, reconstruction: Reconstruction)] {
        let n = tok.windows(data.steps), width = tok.config.window * data.dims, K = tok.config.codebookSize
        return try layers.map { l in
            let prefix = Array(codes.prefix(l))
            let x = try tok.decodeStandardised(codes: prefix)
            var decoded: [ActionChunk] = [], tokens: [[Int]] = []
            for (i, chunk) in data.chunks.enumerated() {
                decoded.append(try tok.chunk(fromStandardised: Array(x[(i * n * width)..<((i + 1) * n * width)]), steps: chunk.steps))
                tokens.append((0..<n).flatMap { w in (0..<l).map { $0 * K + prefix[$0][i * n + w] } })
            }
            return (l, try Reconstruction.compare(data, decoded: decoded, tokens: tokens))
        }
    }
}
