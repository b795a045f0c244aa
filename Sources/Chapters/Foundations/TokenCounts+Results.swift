import Figures
import Foundation
import Metrics
import Support
import Tokenizers
import Experiments

extension TokenCounts {
    func outcome(_ c: Config, datasets: [String], perSeed: [[Key: Cell]], inputHash: String) -> ExperimentOutcome {
        func values(_ k: Key, _ f: (Cell) -> Double) -> [Double] { perSeed.map { f($0[k]!) } }
        var metrics: [MetricSeries] = []
        let keys = datasets.flatMap { d in c.tokenizers.flatMap { t in c.frequencies.map { Key(dataset: d, tokenizer: t, hz: $0) } } }
            + c.paperRows.filter { $0.dims == 14 }.flatMap { r in c.tokenizers.map { Key(dataset: "arm-14", tokenizer: $0, hz: r.hz) } }
        for k in keys {
            let cond: [(name: String, value: String)] = [("dataset", k.dataset), ("tokenizer", k.tokenizer), ("frequency_hz", Format.parameter(k.hz))]
            metrics.append(MetricSeries(condition: cond, metric: "tokens_per_chunk", unit: "tokens / 1 s chunk", scale: .log, perSeed: values(k) { $0.tokensPerChunk }))
            metrics.append(MetricSeries(condition: cond, metric: "relative_rmse", unit: "RMSE / std", scale: .log, perSeed: values(k) { $0.relativeRMSE }))
        }

        var blocks: [ResultBlock] = []
        blocks.append(.figure(countFigure(c, datasets: datasets, perSeed: perSeed), caption:
            "Mean tokens per one-second chunk against control frequency (log-log), geometric means over seeds with 95 % intervals on the log scale; both panels share one y range and one legend (in the left panel). Open circles are the FAST paper's Table I counts for 7-dimensional single-arm data sets (black: naive binning; in FAST's colour: FAST). Tokenizers whose counts coincide at every frequency (the per-step ones spend exactly one token per dimension per step) are one grey line, named together in the legend."))
        blocks.append(.table(countTable(c, dataset: "arm", perSeed: perSeed, value: { Format.number($0.tokensPerChunk) }), caption:
            "Tokens per one-second chunk of the 7-dimensional arm data (mean over seeds)."))
        if !c.paperRows.isEmpty {
            blocks.append(.table(paperTable(c, perSeed: perSeed), caption:
                "The FAST paper's Table I beside our measurement at the same dimension and rate (our data are the synthetic arm, two arms side by side for 14 dimensions; theirs are real robot data sets)."))
        }
        blocks.append(.table(countTable(c, dataset: "arm", perSeed: perSeed, value: { Format.number($0.relativeRMSE) }), caption:
            "Reconstruction error of the same chunks, relative RMSE (RMSE / std, mean over dimensions and seeds), with each tokenizer's default settings."))
        if datasets.contains("lasa") {
            blocks.append(.table(countTable(c, dataset: "lasa", perSeed: perSeed, value: { Format.number($0.tokensPerChunk) }), caption:
                "Tokens per one-second chunk of the LASA handwriting demonstrations (2-D position; fitted on the first five of the seven demonstrations of every shape, measured on the other two; mean over seeds)."))
            blocks.append(.table(countTable(c, dataset: "lasa", perSeed: perSeed, value: { Format.number($0.relativeRMSE) }), caption:
                "Reconstruction error on the LASA chunks, relative RMSE (RMSE / std, mean over dimensions and seeds)."))
        } else {
            blocks.append(.text("*The LASA handwriting demonstrations were not found (`scripts/install-deps.sh` fetches them; `--input lasa=DIR` names another copy), so this run uses only the embedded synthetic arm data, and the claims judged on LASA are inconclusive for want of data.*"))
        }

        let statistic: (String, ParameterReader) throws -> [[Double]] = { name, select in
            let dataset = try select.string("dataset", default: "arm", allowed: ["arm", "lasa"])
            let tok = try select.string("tokenizer", default: c.compressor, allowed: c.tokenizers)
            // A claim on LASA when the demonstrations were not found: no data, so no verdict (NaN is inconclusive).
            guard datasets.contains(dataset) else { return perSeed.map { _ in [.nan] } }
            let lo = c.frequencies.first!, hi = c.frequencies.last!
            func t(_ cells: [Key: Cell], _ name: String, _ hz: Double) -> Double { cells[Key(dataset: dataset, tokenizer: name, hz: hz)]!.tokensPerChunk }
            switch name {
            case "growth_vs_baseline":
                // How much the tokenizer's count grows from the lowest to the highest rate, relative to the baseline's growth.
                return perSeed.map { [(t($0, tok, hi) / t($0, tok, lo)) / (t($0, c.baseline, hi) / t($0, c.baseline, lo))] }
            case "compression_growth":
                // Baseline tokens / tokenizer tokens at the highest rate, over the same at the lowest rate.
                return perSeed.map { [(t($0, c.baseline, hi) / t($0, tok, hi)) / (t($0, c.baseline, lo) / t($0, tok, lo))] }
            case "baseline_linearity":
                // Baseline tokens per chunk divided by (frequency x dims) at every rate: 1 means exactly linear.
                return perSeed.map { cells in c.frequencies.map { hz in t(cells, c.baseline, hz) / hz / (dataset == "lasa" ? 2 : 7) } }
            default:
                throw ConfigError(location: select.location, key: "statistic", problem: "unknown statistic '\(name)'; this experiment computes growth_vs_baseline, compression_growth, baseline_linearity")
            }
        }
        return ExperimentOutcome(metrics: metrics, blocks: blocks, inputDataHash: inputHash, statistic: statistic)
    }

    /// Tokens per chunk against frequency, one panel per data set on one shared y range.
    ///
    /// Tokenizers whose mean counts coincide at every frequency (the per-step ones) are drawn as
    /// one grey line with one legend entry naming them all; the legend sits in the first panel's
    /// empty top-left corner, below the panel title.
    func countFigure(_ c: Config, datasets: [String], perSeed: [[Key: Cell]]) -> Figure {
        func points(_ d: String, _ tok: String) -> [Series.Point] {
            c.frequencies.map { hz -> Series.Point in
                let s = SeedSummary(perSeed.map { $0[Key(dataset: d, tokenizer: tok, hz: hz)]!.tokensPerChunk }, scale: .log)
                return Series.Point(x: hz, y: s.mean, low: s.n > 1 ? s.low : nil, high: s.n > 1 ? s.high : nil)
            }
        }
        let seven = c.paperRows.filter { $0.dims == 7 }
        let all = datasets.flatMap { d in c.tokenizers.flatMap { points(d, $0).map(\.y) } }
            + (datasets.contains("arm") ? seven.flatMap { [$0.naive, $0.fast] } : [])
        let yRange = pow(10, log10(all.min()!).rounded(.down))...pow(10, log10(all.max()!).rounded(.up) + 0.5)
        let panels = datasets.enumerated().map { p, d -> Panel in
            var series: [Series] = []
            var groups: [[String]] = []
            for tok in c.tokenizers {
                let mine = points(d, tok).map(\.y)
                if let g = groups.firstIndex(where: { zip(points(d, $0[0]).map(\.y), mine).allSatisfy { abs($0 - $1) <= 1e-9 * max($0, $1) } }) {
                    groups[g].append(tok)
                } else {
                    groups.append([tok])
                }
            }
            for group in groups {
                let pts = points(d, group[0])
                let color = group.count > 1 ? Palette.neutral : Palette.tokenizer(group[0])
                series.append(Series(group.joined(separator: " = "), style: .linePoints, points: pts, color: color))
                series.append(Series("\(group[0]) interval", style: .errorBars, points: pts, color: color, inLegend: false))
            }
            if d == "arm", !seven.isEmpty {
                series.append(Series("FAST paper: naive", style: .points, points: seven.map { Series.Point(x: $0.hz, y: $0.naive) }, color: Palette.reference))
                series.append(Series("FAST paper: FAST", style: .points, points: seven.map { Series.Point(x: $0.hz, y: $0.fast) },
                                     color: Palette.tokenizer(c.compressor)))
            }
            return Panel(title: d == "arm" ? "synthetic arm, 7 dims" : "LASA handwriting, 2 dims",
                         x: Axis("control frequency", unit: "Hz", log: true,
                                 range: (c.frequencies.min()! / 1.3)...(c.frequencies.max()! * 1.3)),
                         y: Axis("tokens per one-second chunk", unit: nil, log: true, range: yRange),
                         series: series, legend: p == 0 ? .topLeft : .hidden)
        }
        return Figure(name: "tokens-vs-frequency", title: "Tokens per chunk as the control frequency rises", panels: panels,
                      width: 1000, height: 520)
    }

    func countTable(_ c: Config, dataset: String, perSeed: [[Key: Cell]], value: (Cell) -> String) -> MarkdownTable {
        let rows = c.tokenizers.map { tok -> [String] in
            [tok] + c.frequencies.map { hz in
                let cells = perSeed.map { $0[Key(dataset: dataset, tokenizer: tok, hz: hz)]! }
                return value(Cell(tokensPerChunk: Statistics.mean(cells.map(\.tokensPerChunk)), relativeRMSE: Statistics.mean(cells.map(\.relativeRMSE))))
            }
        }
        return MarkdownTable(header: ["tokenizer"] + c.frequencies.map { "\(Format.parameter($0)) Hz" }, rows: rows)
    }

    func paperTable(_ c: Config, perSeed: [[Key: Cell]]) -> MarkdownTable {
        let rows = c.paperRows.map { r -> [String] in
            let d = r.dims == 14 ? "arm-14" : "arm"
            let base = SeedSummary(perSeed.map { $0[Key(dataset: d, tokenizer: c.baseline, hz: r.hz)]?.tokensPerChunk ?? .nan }, scale: .log)
            let fast = SeedSummary(perSeed.map { $0[Key(dataset: d, tokenizer: c.compressor, hz: r.hz)]?.tokensPerChunk ?? .nan }, scale: .log)
            return [r.name, String(r.dims), Format.parameter(r.hz), Format.parameter(r.naive), Format.number(base.mean), Format.parameter(r.fast),
                    Format.interval(fast), Format.number(r.naive / r.fast, significant: 2), Format.number(base.mean / fast.mean, significant: 2)]
        }
        return MarkdownTable(header: ["paper's data set", "dims", "Hz", "paper: naive", "ours: \(c.baseline)", "paper: FAST", "ours: \(c.compressor)", "paper: ratio", "ours: ratio"], rows: rows)
    }
}
