import Foundation
import ActionData
import Figures
import Metrics
import Support
import Tokenizers
import Experiments

extension OutlierSensitivity {
    /// Dimensions the summary metrics average over: the six continuous end-effector deltas.
    static let continuousDims = Array(0..<RobotArmGenerator.gripperDimension)

    /// Metrics, figures, tables and the claim statistics from the per-seed cells.
    /// `marks` are the claims whose thresholds the relative-RMSE figure draws.
    func outcome(_ c: Config, perSeed: [[Key: Cell]], inputHash: String, marks: ClaimMarks) -> ExperimentOutcome {
        let names = RobotArmGenerator.dimensionNames
        let conditions = c.fractions.flatMap { f in f == 0 ? [(f, c.magnitudes[0])] : c.magnitudes.map { (f, $0) } }
        func series(_ k: Key, _ value: (Cell) -> Double) -> [Double] { perSeed.map { value($0[k]!) } }
        func mean(_ v: [Double], _ dims: [Int]) -> Double { dims.map { v[$0] }.reduce(0, +) / Double(dims.count) }
        let cont = Self.continuousDims

        // Measurements for results.json.
        var metrics: [MetricSeries] = []
        for tok in c.tokenizers {
            for (f, m) in conditions {
                let k = Key(tokenizer: tok, fraction: f, magnitude: m)
                let cond: [(name: String, value: String)] = [("tokenizer", tok), ("outlier_fraction", JSONNumber.format(f)),
                                                             ("outlier_magnitude_std", f == 0 ? "none" : JSONNumber.format(m))]
                metrics.append(MetricSeries(condition: cond, metric: "relative_rmse_continuous", unit: "std", scale: .log, perSeed: series(k) { mean($0.relativeRMSE, cont) }))
                metrics.append(MetricSeries(condition: cond, metric: "bins_used_share_continuous", scale: .proportion, perSeed: series(k) { mean($0.usage.map(\.usedShare), cont) }))
                metrics.append(MetricSeries(condition: cond, metric: "entropy_bits_continuous", unit: "bit", scale: .linear, perSeed: series(k) { mean($0.usage.map(\.entropyBits), cont) }))
                metrics.append(MetricSeries(condition: cond, metric: "share_of_bins_holding_90pct_continuous", scale: .proportion, perSeed: series(k) { mean($0.usage.map { $0.shareOfIdsHolding(0.9) }, cont) }))
                metrics.append(MetricSeries(condition: cond, metric: "bins_used_share_gripper", scale: .proportion, perSeed: series(k) { $0.usage[RobotArmGenerator.gripperDimension].usedShare }))
                for (d, dn) in names.enumerated() {
                    metrics.append(MetricSeries(condition: cond + [("dimension", dn)], metric: "rmse", unit: d < 3 ? "m/step" : d < 6 ? "rad/step" : "command", scale: .log, perSeed: series(k) { $0.rmse[d] }))
                }
            }
        }

        let (a, b) = (marks.minmax, marks.openvla)
        let unjudged = c.fractions.contains { $0 > marks.openvlaMaxFraction }
            ? " Right of the dashed vertical sky-blue line the fractions exceed \(Format.percent(marks.openvlaMaxFraction)) and are shown but not judged for (b)." : ""
        var blocks: [ResultBlock] = [.figure(rmseFigure(c, perSeed: perSeed, marks: marks), caption:
            "Reconstruction error on clean data of each tokenizer fitted on contaminated data, averaged over the six continuous dimensions and divided by each dimension's standard deviation; points are geometric means over seeds, bars 95 % confidence intervals on the log scale (cut by the border where they run far beyond the data). The outlier fractions are categories, evenly spaced and labelled with their values (each tokenizer nudged sideways); the leftmost is the clean fit. One panel per outlier magnitude, one y range for all. Legend names are the registry names: `minmax` (RT-1/RT-2), `openvla` (OpenVLA), `equal-mass` (the audit's quantile formula). The claims' thresholds, read from the experiment file: the blue dashed line (a) is \(Format.parameter(a.threshold)) times min-max's clean error (claim (a) needs every contaminated condition \(a.compare.rawValue) \(Format.parameter(a.threshold))x, so above it), the sky-blue one (b) \(Format.parameter(b.threshold)) times OpenVLA's (claim (b) needs every judged condition \(b.compare.rawValue) \(Format.parameter(b.threshold))x, so below it); the clean errors are the drawn geometric means, while the verdicts take the ratio seed by seed.\(unjudged)")]
        blocks.append(.figure(occupancyFigure(c, perSeed: perSeed), caption:
            "Share of the clean evaluation values of `\(names[c.histogramDimension])` that fall in each bin, for a tokenizer fitted on clean data and one fitted with \(Format.percent(c.histogramFraction)) outliers at \(Format.parameter(c.histogramMagnitude))σ (first seed). Mass piled into a few bins means wasted precision."))
        blocks.append(.table(summaryTable(c, perSeed: perSeed, conditions: conditions), caption:
            "Measured on clean data (mean over the six continuous dimensions; 95 % intervals over seeds for the error). Bins used and entropy are out of \(c.bins) bins and log2(\(c.bins)) = \(Format.number(log2(Double(c.bins)))) bits."))
        blocks.append(.table(dimensionTable(c, perSeed: perSeed), caption:
            "Reconstruction RMSE per dimension (mean over seeds), fitted on clean data and with \(Format.percent(c.histogramFraction)) outliers at \(Format.parameter(c.histogramMagnitude))σ. Translations in metres per step, rotations in radians per step, the gripper command in [0, 1]."))

        let statistic: (String, ParameterReader) throws -> [[Double]] = { name, select in
            let tok = try select.string("tokenizer", allowed: c.tokenizers)
            // Ranges rather than lists, so one rule fits every profile's grid of conditions.
            let lo = try select.double("min_fraction", default: 0), hi = try select.double("max_fraction", default: 1)
            let mlo = try select.double("min_magnitude", default: 0), mhi = try select.double("max_magnitude", default: .greatestFiniteMagnitude)
            let fr = c.fractions.filter { $0 >= lo && $0 <= hi }, mg = c.magnitudes.filter { $0 >= mlo && $0 <= mhi }
            let dimSpec = try select.string("dimensions", default: "continuous", allowed: ["continuous", "all", "gripper"])
            let dims = dimSpec == "continuous" ? cont : dimSpec == "all" ? Array(names.indices) : [RobotArmGenerator.gripperDimension]
            guard !fr.isEmpty, !mg.isEmpty else {
                throw ConfigError(location: select.location, key: fr.isEmpty ? "min_fraction" : "min_magnitude", problem: "selects no measured condition (fractions \(c.fractions.map { JSONNumber.format($0) }.joined(separator: ", ")); magnitudes \(c.magnitudes.map { JSONNumber.format($0) }.joined(separator: ", ")))")
            }
            let value: (Cell, Cell) -> Double
            switch name {
            case "rmse_inflation": value = { cell, clean in mean(cell.relativeRMSE, dims) / mean(clean.relativeRMSE, dims) }
            case "relative_rmse": value = { cell, _ in mean(cell.relativeRMSE, dims) }
            case "bin_usage": value = { cell, _ in mean(cell.usage.map(\.usedShare), dims) }
            case "entropy_bits": value = { cell, _ in mean(cell.usage.map(\.entropyBits), dims) }
            case "bins_for_90pct": value = { cell, _ in mean(cell.usage.map { $0.shareOfIdsHolding(0.9) }, dims) }
            default:
                throw ConfigError(location: select.location, key: "statistic", problem: "unknown statistic '\(name)'; this experiment computes rmse_inflation, relative_rmse, bin_usage, entropy_bits, bins_for_90pct")
            }
            return perSeed.map { cells in
                fr.flatMap { f in mg.map { m in
                    value(cells[Key(tokenizer: tok, fraction: f, magnitude: m)]!, cells[Key(tokenizer: tok, fraction: 0, magnitude: m)]!)
                } }
            }
        }
        return ExperimentOutcome(metrics: metrics, blocks: blocks, inputDataHash: inputHash, statistic: statistic)
    }

    func title(_ tok: String) -> String { (try? TokenizerRegistry.descriptor(tok).title) ?? tok }

    /// Relative RMSE against outlier fraction, one panel per magnitude.
    ///
    /// The fractions are categories (0, 0.01 %, 0.1 %, ... are not evenly spaced, and 0 has no
    /// place on a log axis), so they sit at evenly spaced positions labelled with their values,
    /// each tokenizer nudged sideways so error bars do not overlap. Error bars are 95 % intervals
    /// on the log scale; the y range is fitted to the means of every panel (one range for all).
    ///
    /// The claims' thresholds are horizontal lines at threshold x the tokenizer's clean error (the
    /// geometric mean over seeds), in its colour; a dotted vertical line separates the fractions
    /// claim (b) does not judge.
    func rmseFigure(_ c: Config, perSeed: [[Key: Cell]], marks: ClaimMarks) -> Figure {
        let cont = Self.continuousDims
        let tics = c.fractions.enumerated().map { (value: Double($0.offset), label: $0.element == 0 ? "clean" : Format.parameter($0.element * 100) + " %") }
        func summary(_ tok: String, _ f: Double, _ m: Double) -> SeedSummary {
            SeedSummary(perSeed.map { cells in
                let r = cells[Key(tokenizer: tok, fraction: f, magnitude: m)]!.relativeRMSE
                return cont.map { r[$0] }.reduce(0, +) / Double(cont.count)
            }, scale: .log)
        }
        let all = c.tokenizers.flatMap { tok in c.fractions.flatMap { f in c.magnitudes.map { summary(tok, f, $0) } } }
        // (a) and (b): threshold x the clean error, for each tokenizer the figure shows.
        let lines: [(claim: ClaimSpec, tok: String, letter: String, name: String)] = [
            (marks.minmax, "minmax", "a", "min-max"), (marks.openvla, "openvla", "b", "OpenVLA"),
        ].filter { c.tokenizers.contains($0.tok) }
        let thresholdLines = lines.map { line -> Reference in
            let clean = summary(line.tok, 0, c.magnitudes[0]).mean
            let rule = "\(line.claim.compare.rawValue) \(Format.parameter(line.claim.threshold))x clean"
            return Reference(.horizontal, at: line.claim.threshold * clean, label: "(\(line.letter)) \(line.name) \(rule)",
                             color: Palette.tokenizer(line.tok), inLegend: false, note: "(\(line.letter)) \(line.name) \(rule)")
        }
        let yRange = Axis.logRange(centres: all.map(\.mean) + thresholdLines.map(\.value), bounds: all.flatMap { [$0.low, $0.high] }, margin: 1.3, reach: 3)
        // Headroom for the legend above the highest point.
        let range = yRange.lowerBound...(yRange.upperBound * pow(yRange.upperBound / yRange.lowerBound, 0.35))
        let width = 0.12
        // Fractions above (b)'s max_fraction are shown but not judged for (b).
        var references = thresholdLines
        if c.tokenizers.contains("openvla"), let last = c.fractions.lastIndex(where: { $0 <= marks.openvlaMaxFraction }), last < c.fractions.count - 1 {
            references.append(Reference(.vertical, at: Double(last) + 0.5, label: "(b) not judged right of here", color: Palette.tokenizer("openvla"),
                                        inLegend: false, note: "(b) not judged"))
        }
        let panels = c.magnitudes.map { m -> Panel in
            var series: [Series] = []
            for (i, tok) in c.tokenizers.enumerated() {
                let nudge = (Double(i) - Double(c.tokenizers.count - 1) / 2) * width
                let points = c.fractions.enumerated().map { j, f -> Series.Point in
                    let s = summary(tok, f, m)
                    return Series.Point(x: Double(j) + nudge, y: s.mean, low: s.n > 1 ? s.low : nil, high: s.n > 1 ? s.high : nil)
                }
                series.append(Series(tok, style: .linePoints, points: points, color: Palette.tokenizer(tok)))
                series.append(Series("\(tok) 95 % CI", style: .errorBars, points: points, color: Palette.tokenizer(tok), inLegend: false))
            }
            return Panel(title: "outliers at \(Format.parameter(m))σ",
                         x: Axis("outlier fraction of the fitting data", unit: nil, range: -0.5...(Double(c.fractions.count) - 0.5), tics: tics),
                         y: Axis("relative RMSE", unit: "RMSE / std", log: true, range: range), series: series, legend: .topLeft,
                         references: references)
        }
        return Figure(name: "rmse-vs-outlier-fraction", title: "Binning precision under outliers", panels: panels)
    }

    /// Bin occupancy of one dimension, clean fit against contaminated fit, one panel per tokenizer.
    func occupancyFigure(_ c: Config, perSeed: [[Key: Cell]]) -> Figure {
        let d = c.histogramDimension
        let top = c.tokenizers.map { tok in
            [0.0, c.histogramFraction].map { f in
                perSeed[0][Key(tokenizer: tok, fraction: f, magnitude: c.histogramMagnitude)]!.usage[d]
            }.map { u in 100 * Double(u.counts.max()!) / Double(u.total) }.max()!
        }
        let panels = c.tokenizers.enumerated().map { i, tok -> Panel in
            let clean = perSeed[0][Key(tokenizer: tok, fraction: 0, magnitude: c.histogramMagnitude)]!.usage[d]
            let dirty = perSeed[0][Key(tokenizer: tok, fraction: c.histogramFraction, magnitude: c.histogramMagnitude)]!.usage[d]
            func points(_ u: TokenUsage) -> [Series.Point] {
                u.counts.enumerated().map { Series.Point(x: Double($0.offset), y: 100 * Double($0.element) / Double(u.total)) }
            }
            return Panel(title: tok, x: Axis("bin index", unit: nil, range: 0...Double(c.bins - 1)), y: Axis("share of values", unit: "%", range: 0...(top[i] * 1.1)),
                         series: [Series("fitted on clean data", style: .steps, points: points(clean), color: Palette.reference),
                                  Series("fitted with \(Format.percent(c.histogramFraction)) at \(Format.parameter(c.histogramMagnitude))σ", style: .steps, points: points(dirty), color: Palette.tokenizer(tok))],
                         legend: .below)
        }
        return Figure(name: "bin-occupancy", title: "Bin occupancy of \(RobotArmGenerator.dimensionNames[d]) on clean data", panels: panels, columns: panels.count)
    }

    func summaryTable(_ c: Config, perSeed: [[Key: Cell]], conditions: [(Double, Double)]) -> MarkdownTable {
        let cont = Self.continuousDims
        func avg(_ v: [Double]) -> Double { cont.map { v[$0] }.reduce(0, +) / Double(cont.count) }
        var rows: [[String]] = []
        for tok in c.tokenizers {
            for (f, m) in conditions {
                let cells = perSeed.map { $0[Key(tokenizer: tok, fraction: f, magnitude: m)]! }
                let rel = SeedSummary(cells.map { avg($0.relativeRMSE) }, scale: .log)
                let used = Statistics.mean(cells.map { avg($0.usage.map { Double($0.used) }) })
                let ent = Statistics.mean(cells.map { avg($0.usage.map(\.entropyBits)) })
                let b90 = Statistics.mean(cells.map { avg($0.usage.map { $0.shareOfIdsHolding(0.9) }) })
                rows.append([title(tok), f == 0 ? "none" : "\(Format.percent(f)) at \(Format.parameter(m))σ",
                             Format.interval(rel), Format.number(used), Format.number(ent), Format.number(b90 * 100) + " %"])
            }
        }
        return MarkdownTable(header: ["tokenizer", "outliers in fitting data", "relative RMSE", "bins used", "entropy (bits)", "bins holding 90 %"], rows: rows)
    }

    func dimensionTable(_ c: Config, perSeed: [[Key: Cell]]) -> MarkdownTable {
        var header = ["dimension"]
        for tok in c.tokenizers { header += ["\(tok) clean", "\(tok) outliers"] }
        let rows = RobotArmGenerator.dimensionNames.enumerated().map { d, name -> [String] in
            var row = ["`\(name)`"]
            for tok in c.tokenizers {
                for (f, m) in [(0.0, c.histogramMagnitude), (c.histogramFraction, c.histogramMagnitude)] {
                    row.append(Format.number(Statistics.mean(perSeed.map { $0[Key(tokenizer: tok, fraction: f, magnitude: m)]!.rmse[d] })))
                }
            }
            return row
        }
        return MarkdownTable(header: header, rows: rows)
    }
}
