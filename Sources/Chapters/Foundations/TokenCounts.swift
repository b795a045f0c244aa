import ActionData
import Experiments
import Figures
import Foundation
import Lab
import Metrics
import Support
import Tokenizers

/// Foundations chapter: tokens per one-second chunk as the control frequency rises.
///
/// Every registered tokenizer is fitted at each frequency on one set of chunks and measured on
/// another: mean tokens per chunk and reconstruction error. The FAST paper's Table I counts are
/// shown beside ours for the matching dimension and rate.
public struct TokenCounts: Experiment {
    public let chapter = "foundations"
    public let name = "token-counts"

    public init() {}

    /// The statistics its claims may name, each with the `select` keys it reads.
    public var statistics: [String: [String]] {
        ["growth_vs_baseline": ["dataset", "tokenizer"], "compression_growth": ["dataset", "tokenizer"], "baseline_linearity": ["dataset", "tokenizer"]]
    }

    /// The LASA demonstrations, when installed or given.
    public var inputs: [ExperimentInput] { [.lasa] }

    public struct Config {
        /// Control frequencies, Hz.
        let frequencies: [Double]
        /// Tokenizer registry names, and their settings.
        let tokenizers: [String], settings: TokenizerSettings
        /// One-second chunks to fit on and to measure on, per frequency.
        let fitChunks: Int, evalChunks: Int
        /// The per-step binning tokenizer the claims compare against, and FAST's name.
        let baseline: String, compressor: String
        /// The FAST paper's Table I rows: name, dims, Hz, naive tokens, FAST tokens.
        let paperRows: [(name: String, dims: Int, hz: Double, naive: Double, fast: Double)]
    }

    public func configure(_ p: ParameterReader) throws -> Config {
        let names = TokenizerRegistry.names
        let tokenizers = try p.strings("tokenizers", allowed: names)
        // Every tokenizer's settings are validated now, before anything runs.
        let settings = try TokenizerSettings(p, tokenizers: tokenizers, measured: tokenizers)
        var rows: [(String, Int, Double, Double, Double)] = []
        if case .array(let items)? = p.value("paper_rows") {
            for (i, item) in items.enumerated() {
                let r = try ParameterReader(item, location: "\(p.location).paper_rows[\(i)]")
                rows.append((try r.string("name"), try r.int("dims", in: 1...64), try r.double("hz", in: 1...1000), try r.double("naive"), try r.double("fast")))
                try r.finish()
            }
        }
        let c = Config(frequencies: try p.doubles("frequencies_hz", in: 1...1000).sorted(), tokenizers: tokenizers,
                       settings: settings,
                       fitChunks: try p.int("fit_chunks", in: 2...1_000_000), evalChunks: try p.int("eval_chunks", in: 1...1_000_000),
                       baseline: try p.string("baseline", allowed: tokenizers), compressor: try p.string("compressor", allowed: tokenizers),
                       paperRows: rows)
        for r in rows where r.1 == 7 && !c.frequencies.contains(r.2) {
            throw ConfigError(location: p.location, key: "paper_rows", problem: "the 7-dimension row \(r.0) at \(Format.parameter(r.2)) Hz needs that rate in frequencies_hz")
        }
        return c
    }

    struct Key: Hashable, Codable { let dataset: String; let tokenizer: String; let hz: Double }
    struct Cell: Codable { var tokensPerChunk: Double; var relativeRMSE: Double }
    /// What one seed measured, and the hashes of the data it fitted on (one cell of the run).
    struct SeedCells: Codable { var cells: [Key: Cell]; var hashes: [String] }

    public func run(_ c: Config, context: RunContext) throws -> ExperimentOutcome {
        var datasets: [DataSource] = [.arm]
        if let lasa = context.inputs["lasa"] { datasets.append(.lasa(lasa)) }
        var perSeed: [[Key: Cell]] = []
        var hashes: [String] = []
        let extra = c.paperRows.filter { $0.dims == 14 }.map(\.hz)
        context.progress.begin(total: context.seeds.count * (datasets.count * c.frequencies.count + extra.count),
                               "measuring \(c.tokenizers.count) tokenizers at \(c.frequencies.count) frequencies on \(datasets.map(\.name).joined(separator: ", "))")
        let measuredPerSeed = try context.cells(context.seeds, label: { "seed \($0)" }) { seed -> SeedCells in
            var m = SeedCells(cells: [:], hashes: [])
            let rng = context.generator(seed: seed)
            let jobs = datasets.flatMap { d in c.frequencies.map { (d, $0) } } + extra.map { (DataSource.bimanualArm, $0) }
            for (data, hz) in jobs {
                let (fit, eval) = try data.split(fit: c.fitChunks, eval: c.evalChunks, frequency: hz, seed: rng.derived("\(data.name)-\(hz)"))
                m.hashes.append(fit.contentHash)
                for name in c.tokenizers {
                    let tok = try c.settings.make(name, steps: fit.steps, location: "\(c.settings.location).\(name)")
                    try tok.fit(fit)
                    let r = try Reconstruction.measure(tok, on: eval)
                    m.cells[Key(dataset: data.name, tokenizer: name, hz: hz)] = Cell(tokensPerChunk: r.tokensPerChunk, relativeRMSE: r.meanRelativeRMSE())
                }
                context.progress.step("seed \(seed) · \(data.name) at \(Format.parameter(hz)) Hz")
            }
            return m
        }
        for measured in measuredPerSeed {
            hashes += measured.hashes
            perSeed.append(measured.cells)
        }
        return outcome(c, datasets: datasets.map(\.name), perSeed: perSeed, inputHash: StableHash.sha256Hex(hashes.joined()))
    }
}
