import ActionData
import Figures
import Foundation
import Metrics
import Support
import Tokenizers
import Experiments

/// Data chapter: what outliers in the fitting data do to each binning tokenizer.
///
/// For every seed, clean robot-arm chunks are drawn; a fraction of their values is replaced by
/// outliers; each binning tokenizer is fitted on the contaminated set and then measured on a
/// separate clean set: reconstruction error per dimension, bins used, token entropy, and the
/// share of bins that hold 90 % of the data.
public struct OutlierSensitivity: Experiment {
    public let chapter = "data"
    public let name = "outlier-sensitivity"

    public init() {}

    /// The statistics its claims may name, each with the `select` keys it reads.
    public var statistics: [String: [String]] {
        let keys = ["tokenizer", "min_fraction", "max_fraction", "min_magnitude", "max_magnitude", "dimensions"]
        return ["rmse_inflation": keys, "relative_rmse": keys, "bin_usage": keys, "entropy_bits": keys, "bins_for_90pct": keys]
    }

    /// The experiment's parameters (every default lives in the experiment file).
    public struct Config {
        /// Control frequency of the arm data, Hz.
        let frequency: Double
        /// Chunks to fit on, and clean chunks to measure on.
        let fitChunks: Int, evalChunks: Int
        /// Outlier fractions (0 = clean) and magnitudes (in standard deviations).
        let fractions: [Double], magnitudes: [Double]
        /// Tokenizer registry names and bins per dimension.
        let tokenizers: [String], bins: Int
        /// Dimension and condition shown in the occupancy histogram.
        let histogramDimension: Int, histogramFraction: Double, histogramMagnitude: Double
    }

    public func configure(_ p: ParameterReader) throws -> Config {
        let names = RobotArmGenerator.dimensionNames
        let fractions = try p.doubles("fractions", in: 0...0.5)
        guard fractions.contains(0) else { throw ConfigError(location: p.location, key: "fractions", problem: "must include 0 (the clean baseline every inflation is measured against)") }
        let dim = try p.string("histogram_dimension", allowed: names)
        let c = Config(
            frequency: try p.double("frequency_hz", in: 1...1000),
            fitChunks: try p.int("fit_chunks", in: 10...1_000_000),
            evalChunks: try p.int("eval_chunks", in: 10...1_000_000),
            fractions: fractions.sorted(),
            magnitudes: try p.doubles("magnitudes", in: 1...1e6),
            tokenizers: try p.strings("tokenizers", allowed: ["minmax", "openvla", "equal-mass"]),
            bins: try p.int("bins", in: 2...65_536),
            histogramDimension: names.firstIndex(of: dim)!,
            histogramFraction: try p.double("histogram_fraction", in: 0...0.5),
            histogramMagnitude: try p.double("histogram_magnitude", in: 1...1e6))
        guard c.fractions.contains(c.histogramFraction), c.magnitudes.contains(c.histogramMagnitude) else {
            throw ConfigError(location: p.location, key: "histogram_fraction", problem: "the histogram condition must be one of the measured fractions and magnitudes")
        }
        return c
    }

    /// One measured cell: a tokenizer fitted on data with one contamination, measured on clean data.
    struct Cell: Codable {
        var rmse: [Double]          // per dimension, in the dimension's units
        var relativeRMSE: [Double]  // per dimension, divided by the clean dimension's std
        var usage: [TokenUsage]     // per dimension, on the clean evaluation data
    }

    struct Key: Hashable, Codable { let tokenizer: String; let fraction: Double; let magnitude: Double }
    /// What one seed measured, and the hash of its data (one cell of the run).
    struct SeedCells: Codable { var cells: [Key: Cell]; var hash: String }

    /// The claims the relative-RMSE figure draws, as the runner hands them over: (a) min-max's
    /// inflation threshold, (b) OpenVLA's, and the largest outlier fraction (b) is judged on.
    struct ClaimMarks {
        static let minmaxID = "minmax-loses-precision", openvlaID = "openvla-keeps-precision"
        /// The claims' rules, e.g. `minmax` -> (">", 2).
        let minmax: ClaimSpec, openvla: ClaimSpec
        /// `max_fraction` of (b)'s selection (1 when it has none): larger fractions are not judged.
        let openvlaMaxFraction: Double

        init(minmax: ClaimSpec, openvla: ClaimSpec) throws {
            self.minmax = minmax
            self.openvla = openvla
            openvlaMaxFraction = try ParameterReader(openvla.select, location: "claim \(openvla.id) select").double("max_fraction", default: 1)
        }

        init(_ context: RunContext) throws {
            try self.init(minmax: try context.claim(Self.minmaxID), openvla: try context.claim(Self.openvlaID))
        }
    }

    public func run(_ c: Config, context: RunContext) throws -> ExperimentOutcome {
        let arm = RobotArmGenerator(frequency: c.frequency)
        var perSeed: [[Key: Cell]] = []
        var dataHashes: [String] = []
        let conditions = c.fractions.flatMap { f in f == 0 ? [(f, c.magnitudes[0])] : c.magnitudes.map { (f, $0) } }
        context.progress.begin(total: context.seeds.count * conditions.count, "fitting \(c.tokenizers.count) tokenizers under \(conditions.count) contamination conditions")
        let measuredPerSeed = try context.cells(context.seeds, label: { "seed \($0)" }) { seed -> SeedCells in
            let rng = context.generator(seed: seed)
            let fit = try arm.chunks(count: c.fitChunks, seed: rng.derived("fit-data").seed)
            let eval = try arm.chunks(count: c.evalChunks, seed: rng.derived("eval-data").seed)
            var cells: [Key: Cell] = [:]
            for (f, m) in conditions {
                var outlierRNG = rng.derived("outliers-\(f)-\(m)")
                let dirty = try OutlierInjection(fraction: f, magnitude: m).apply(to: fit, rng: &outlierRNG).data
                for name in c.tokenizers {
                    let tok = try TokenizerRegistry.make(name, parameters: try ParameterReader(.table([("bins", .int(c.bins))]), location: "tokenizer \(name)"))
                    try tok.fit(dirty)
                    let cell = try measure(tok, on: eval)
                    // fraction 0 is the same for every magnitude: store it under each.
                    for mm in f == 0 ? c.magnitudes : [m] { cells[Key(tokenizer: name, fraction: f, magnitude: mm)] = cell }
                }
                context.progress.step("seed \(seed) · \(Format.percent(f)) outliers at \(Format.parameter(m))σ")
            }
            return SeedCells(cells: cells, hash: fit.contentHash + eval.contentHash)
        }
        for measured in measuredPerSeed {
            dataHashes.append(measured.hash)
            perSeed.append(measured.cells)
        }
        return outcome(c, perSeed: perSeed, inputHash: StableHash.sha256Hex(dataHashes.joined()), marks: try ClaimMarks(context))
    }

    /// Reconstruction error and vocabulary use (per dimension) of a fitted per-step tokenizer on clean data.
    func measure(_ tok: any ActionTokenizer, on data: ChunkSet) throws -> Cell {
        let r = try Reconstruction.measure(tok, on: data)
        var perDim = [[Int]](repeating: [], count: data.dims)
        for ids in r.tokens { for (i, id) in ids.enumerated() { perDim[i % data.dims].append(id) } }
        return Cell(rmse: r.rmse, relativeRMSE: r.relativeRMSE, usage: perDim.map { TokenUsage(tokens: $0, vocabularySize: tok.vocabularySize) })
    }
}
