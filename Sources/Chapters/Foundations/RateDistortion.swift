import ActionData
import Experiments
import Figures
import Foundation
import Lab
import Metrics
import Support
import Tokenizers

/// Foundations chapter: reconstruction error against tokens per second as each tokenizer's knob moves.
///
/// Each sweep varies one setting of one tokenizer (bins; FAST's scale and vocabulary; BEAST's
/// control points) on the same smooth arm data at one control frequency, and again on the LASA
/// handwriting demonstrations when they are installed (`--input lasa=...` or the data folder).
public struct RateDistortion: Experiment {
    public let chapter = "foundations"
    public let name = "rate-distortion"

    public init() {}

    /// The statistics its claims may name, each with the `select` keys it reads.
    public var statistics: [String: [String]] { ["rmse_ratio_at_baseline_budget": ["sweeps", "dataset"]] }

    /// The LASA demonstrations, when installed or given.
    public var inputs: [ExperimentInput] { [.lasa] }

    /// One sweep: a tokenizer, the setting that moves, its values, and the fixed settings.
    struct Sweep { let label: String; let tokenizer: String; let knob: String; let values: [Double]; let fixed: ParameterValue }

    public struct Config {
        let frequency: Double
        let fitChunks: Int, evalChunks: Int
        let sweeps: [Sweep]
        /// The per-step binning sweep and the setting of it whose token rate is the budget.
        let baseline: String, baselineValue: Double
    }

    public func configure(_ p: ParameterReader) throws -> Config {
        guard case .array(let items)? = p.value("sweeps"), !items.isEmpty else {
            throw ConfigError(location: p.location, key: "sweeps", problem: "expected a non-empty array of sweep tables")
        }
        let sweeps = try items.enumerated().map { i, item -> Sweep in
            let r = try ParameterReader(item, location: "\(p.location).sweeps[\(i)]")
            let s = Sweep(label: try r.string("label"), tokenizer: try r.string("tokenizer", allowed: TokenizerRegistry.names),
                          knob: try r.string("knob"), values: try r.doubles("values"), fixed: r.value("fixed") ?? .table([]))
            try r.finish()
            for v in s.values { _ = try make(s, v) }   // every setting must be valid before anything runs
            return s
        }
        let c = Config(frequency: try p.double("frequency_hz", in: 1...1000), fitChunks: try p.int("fit_chunks", in: 2...1_000_000),
                       evalChunks: try p.int("eval_chunks", in: 1...1_000_000), sweeps: sweeps,
                       baseline: try p.string("baseline", allowed: sweeps.map(\.label)), baselineValue: try p.double("baseline_value"))
        guard sweeps.first(where: { $0.label == c.baseline })!.values.contains(c.baselineValue) else {
            throw ConfigError(location: p.location, key: "baseline_value", problem: "must be one of the baseline sweep's values")
        }
        return c
    }

    /// The tokenizer of sweep `s` with its knob at `v` (whole values are passed as integers, which
    /// number-valued settings accept too).
    func make(_ s: Sweep, _ v: Double) throws -> any ActionTokenizer {
        let value: ParameterValue = v == v.rounded() && abs(v) < 1e9 ? .int(Int(v)) : .double(v)
        let table = s.fixed.merged(with: .table([(s.knob, value)]))
        return try TokenizerRegistry.make(s.tokenizer, parameters: ParameterReader(table, location: "experiments/foundations/rate-distortion.toml: sweep \(s.label), \(s.knob) = \(Format.parameter(v))"))
    }

    struct Key: Hashable, Codable { let dataset: String; let sweep: String; let value: Double }
    struct Cell: Codable { var tokensPerSecond: Double; var bitsPerSecond: Double; var relativeRMSE: Double }
    /// What one seed measured, and the hash of its data (one cell of the run).
    struct SeedCells: Codable { var cells: [Key: Cell]; var hash: String }

    public func run(_ c: Config, context: RunContext) throws -> ExperimentOutcome {
        var perSeed: [[Key: Cell]] = []
        var hashes: [String] = []
        var datasets: [DataSource] = [.arm]
        if let lasa = context.inputs["lasa"] { datasets.append(.lasa(lasa)) }
        context.progress.begin(total: context.seeds.count * datasets.count * c.sweeps.reduce(0) { $0 + $1.values.count },
                               "sweeping \(c.sweeps.count) settings at \(Format.parameter(c.frequency)) Hz on \(datasets.map(\.name).joined(separator: ", "))")
        let measuredPerSeed = try context.cells(context.seeds, label: { "seed \($0)" }) { seed -> SeedCells in
            let rng = context.generator(seed: seed)
            var cells: [Key: Cell] = [:], hash = ""
            for data in datasets {
                // The arm draws from the seed's stream itself (as before LASA was added), LASA from a stream of its own.
                let (fit, eval) = try data.split(fit: c.fitChunks, eval: c.evalChunks, frequency: c.frequency,
                                                 seed: data.name == "arm" ? rng : rng.derived(data.name))
                hash += fit.contentHash + eval.contentHash
                let seconds = Double(eval.count * eval.steps) / c.frequency
                for s in c.sweeps {
                    for v in s.values {
                        let tok = try make(s, v)
                        try tok.fit(fit)
                        let r = try Reconstruction.measure(tok, on: eval)
                        let tps = r.tokensPerChunk * Double(eval.count) / seconds
                        cells[Key(dataset: data.name, sweep: s.label, value: v)] = Cell(tokensPerSecond: tps, bitsPerSecond: tps * log2(Double(tok.vocabularySize)),
                                                                                       relativeRMSE: r.meanRelativeRMSE())
                        context.progress.step("seed \(seed) · \(data.name) · \(s.label) \(s.knob) = \(Format.parameter(v))")
                    }
                }
            }
            return SeedCells(cells: cells, hash: hash)
        }
        for measured in measuredPerSeed {
            hashes.append(measured.hash)
            perSeed.append(measured.cells)
        }
        return outcome(c, datasets: datasets.map(\.name), perSeed: perSeed, inputHash: StableHash.sha256Hex(hashes.joined()))
    }

    /// Metrics, a figure per data set, the table and the claim statistic; `datasets` are the data
    /// sets measured (the arm, then LASA when it was installed).
    func outcome(_ c: Config, datasets: [String], perSeed: [[Key: Cell]], inputHash: String) -> ExperimentOutcome {
        var metrics: [MetricSeries] = []
        for d in datasets {
            for s in c.sweeps {
                for v in s.values {
                    let k = Key(dataset: d, sweep: s.label, value: v)
                    let cond: [(name: String, value: String)] = [("dataset", d), ("sweep", s.label), ("tokenizer", s.tokenizer), (s.knob, Format.parameter(v))]
                    metrics.append(MetricSeries(condition: cond, metric: "tokens_per_second", unit: "tokens/s", scale: .log, perSeed: perSeed.map { $0[k]!.tokensPerSecond }))
                    metrics.append(MetricSeries(condition: cond, metric: "bits_per_second", unit: "bit/s", scale: .log, perSeed: perSeed.map { $0[k]!.bitsPerSecond }))
                    metrics.append(MetricSeries(condition: cond, metric: "relative_rmse", unit: "RMSE / std", scale: .log, perSeed: perSeed.map { $0[k]!.relativeRMSE }))
                }
            }
        }
        var rows: [[String]] = []
        for d in datasets {
            for s in c.sweeps {
                for v in s.values {
                    let cells = perSeed.map { $0[Key(dataset: d, sweep: s.label, value: v)]! }
                    rows.append([d, s.label, "\(s.knob) = \(Format.parameter(v))", Format.number(Statistics.mean(cells.map(\.tokensPerSecond))),
                                 Format.number(Statistics.mean(cells.map(\.bitsPerSecond))), Format.interval(SeedSummary(cells.map(\.relativeRMSE), scale: .log))])
                }
            }
        }
        var blocks: [ResultBlock] = datasets.map { .figure(figure(c, dataset: $0, perSeed: perSeed), caption: figureCaption(c, dataset: $0)) }
        if !datasets.contains("lasa") {
            blocks.append(.text("The LASA demonstrations were not found (run `scripts/install-deps.sh`, or pass `--input lasa=PATH`), so only the arm was measured and the LASA claim is inconclusive for want of data."))
        }
        blocks.append(.table(MarkdownTable(header: ["data", "tokenizer", "setting", "tokens/s", "bits/s", "relative RMSE"], rows: rows),
                             caption: "Every point of the sweeps on every data set (95 % intervals over seeds for the error)."))
        let statistic: (String, ParameterReader) throws -> [[Double]] = { name, select in
            guard name == "rmse_ratio_at_baseline_budget" else {
                throw ConfigError(location: select.location, key: "statistic", problem: "unknown statistic '\(name)'; this experiment computes rmse_ratio_at_baseline_budget")
            }
            let labels = try select.strings("sweeps", allowed: c.sweeps.map(\.label))
            let d = try select.string("dataset", default: "arm", allowed: ["arm", "lasa"])
            // LASA not installed: no data, so every seed is undefined and the claim inconclusive.
            guard datasets.contains(d) else { return perSeed.map { _ in labels.map { _ in Double.nan } } }
            // Per seed and per named sweep: the best error among its settings that spend no more tokens
            // per second than the baseline, divided by the baseline's error (NaN if none fits the budget).
            return perSeed.map { cells in
                let base = cells[Key(dataset: d, sweep: c.baseline, value: c.baselineValue)]!
                return labels.map { label in
                    let s = c.sweeps.first { $0.label == label }!
                    let within = s.values.map { cells[Key(dataset: d, sweep: label, value: $0)]! }.filter { $0.tokensPerSecond <= base.tokensPerSecond * (1 + 1e-9) }
                    return (within.map(\.relativeRMSE).min() ?? .nan) / base.relativeRMSE
                }
            }
        }
        return ExperimentOutcome(metrics: metrics, blocks: blocks, inputDataHash: inputHash, statistic: statistic)
    }
}
