import Figures
import Foundation
import Metrics
import Simulation
import Support
import Experiments

extension TargetPrecision {
    /// The tolerance at which `level` of the episodes succeed: that quantile of the final distances.
    static func toleranceReached(_ distances: [Double], level: Double) -> Double {
        Statistics.quantile(sorted: distances.sorted(), level)
    }

    func outcome(_ c: Config, perSeed: [[Cell]], inputHash: String) throws -> ExperimentOutcome {
        let names = c.contenders.map(\.name)
        func cells(_ name: String) -> [Cell] { let i = names.firstIndex(of: name)!; return perSeed.map { $0[i] } }
        func reached(_ name: String) -> [Double] { cells(name).map { Self.toleranceReached($0.finalDistances, level: c.successLevel) } }
        var metrics: [MetricSeries] = []
        for v in c.contenders {
            let cond: [(name: String, value: String)] = [("contender", v.name)]
            metrics.append(MetricSeries(condition: cond, metric: "tolerance_reached", unit: "final distance at \(Format.percent(c.successLevel)) success",
                                        scale: .log, perSeed: reached(v.name)))
            if v.isTokenized {
                metrics.append(MetricSeries(condition: cond, metric: "stand_still_drift", unit: "mean absolute decoded value per action of a chunk of zeros",
                                            scale: .linear, perSeed: cells(v.name).map { $0.standStill! }))
                metrics.append(MetricSeries(condition: cond, metric: "resolution", unit: "95th percentile of the round-trip error per action value",
                                            scale: .log, perSeed: cells(v.name).map { $0.resolution! }))
            }
            for t in c.tolerances {
                metrics.append(MetricSeries(condition: cond + [("tolerance", Format.parameter(t))], metric: "success_rate", scale: .proportion,
                                            perSeed: cells(v.name).map { PrecisionTask.success($0.finalDistances, tolerance: t) }))
            }
            metrics.append(MetricSeries(condition: cond, metric: "final_training_loss", scale: .linear, perSeed: cells(v.name).map(\.finalLoss)))
            metrics.append(MetricSeries.wallClock(condition: cond, metric: "training_seconds", unit: "s", perSeed: cells(v.name).map(\.trainSeconds)))
        }

        var blocks: [ResultBlock] = []
        blocks.append(.figure(successFigure(c, perSeed: perSeed), caption:
            "Success against tolerance: the share of \(c.episodes) episodes per seed (mean over \(perSeed.count) seed(s)) whose final distance to the target is at most the tolerance, finer tolerances to the left. Left panel: the binning family (per-step min-max binning at each bin count, OpenVLA's percentile binning); right panel: the other tokenizers, VQ-BeT with and without its offset head, and the continuous policies. The dotted line is the \(Format.percent(c.successLevel)) success level at which the table reads each contender's tolerance."))
        blocks.append(.figure(approachFigure(c, perSeed: perSeed), caption:
            "The distance to the target at every step of the first \(perSeed.first?.first?.paths.count ?? 0) episodes of the first seed, per contender (log scale, drawn down to a millionth). Dashed grey lines mark where a new chunk is asked for; between them the policy's chunk runs open loop."))
        blocks.append(.table(table(c, perSeed: perSeed), caption:
            "Per contender: its resolution (the 95th percentile of the absolute round-trip error per action value on \(c.testDemos) held-out demonstrations' chunks, in action units; the largest single-step displacement is \(Format.parameter(c.task.maxStep))), what standing still becomes (the mean absolute value per action of a chunk of zeros after its round trip: the drift per step of a policy that means not to move), the tolerance it reaches (the final distance that \(Format.percent(c.successLevel)) of the episodes stay within; geometric mean and 95 % interval over seeds, log scale), its success at each tolerance (mean over seeds), and what one chunk of \(c.chunk) actions costs."))

        let statistic: (String, ParameterReader) throws -> [[Double]] = { name, select in
            func contenders(_ key: String) throws -> [String] {
                let list = try select.strings(key, allowed: names)
                guard !list.isEmpty else { throw ConfigError(location: select.location, key: key, problem: "expected at least one contender") }
                return list
            }
            switch name {
            case "resolution_drop":
                // Per contender: success at `coarse` times its resolution minus success at `fine` times it.
                let list = try contenders("contenders")
                let coarse = try select.double("coarse", in: 1e-6...1e6), fine = try select.double("fine", in: 1e-6...1e6)
                guard fine < coarse else { throw ConfigError(location: select.location, key: "fine", problem: "expected a factor below coarse (\(coarse))") }
                for n in list where !c.contenders.first(where: { $0.name == n })!.isTokenized {
                    throw ConfigError(location: select.location, key: "contenders", problem: "\(n) has no tokenizer, so no resolution")
                }
                return perSeed.indices.map { s in list.map { n in
                    let cell = cells(n)[s], r = cell.resolution!
                    return PrecisionTask.success(cell.finalDistances, tolerance: coarse * r) - PrecisionTask.success(cell.finalDistances, tolerance: fine * r)
                } }
            case "tolerance_ratio":
                // Per contender: the tolerance `versus` reaches over the one the contender reaches (above 1: the contender stops finer).
                let list = try contenders("contenders")
                let versus = try select.string("versus", allowed: names)
                return perSeed.indices.map { s in list.map { reached(versus)[s] / reached($0)[s] } }
            default:
                throw ConfigError(location: select.location, key: "statistic", problem: "unknown statistic '\(name)'; this experiment computes resolution_drop, tolerance_ratio")
            }
        }
        return ExperimentOutcome(metrics: metrics, blocks: blocks, inputDataHash: inputHash, statistic: statistic)
    }

    /// The table's rows: one per contender.
    func table(_ c: Config, perSeed: [[Cell]]) -> MarkdownTable {
        var rows: [[String]] = []
        for (i, v) in c.contenders.enumerated() {
            let cs = perSeed.map { $0[i] }
            let resolution = v.isTokenized ? Format.number(exp(Statistics.mean(cs.map { log($0.resolution!) }))) : "—"
            let still = v.isTokenized ? Format.number(Statistics.mean(cs.map { $0.standStill! })) : "—"
            var row = [v.name, resolution, still,
                       Format.interval(SeedSummary(cs.map { Self.toleranceReached($0.finalDistances, level: c.successLevel) }, scale: .log))]
            for t in c.tolerances { row.append(Format.number(Statistics.mean(cs.map { PrecisionTask.success($0.finalDistances, tolerance: t) }) * 100) + " %") }
            row.append(cs.first?.cost ?? "—")
            rows.append(row)
        }
        return MarkdownTable(header: ["contender", "resolution", "standing still", "tolerance reached"] + c.tolerances.map { "success at \(Format.parameter($0))" } + ["cost per chunk"],
                             rows: rows)
    }

    /// Success against tolerance, two panels: the binning family, and everything else. Each curve
    /// is drawn on a fine grid of tolerances; in the binning panel, whose contenders share binning's
    /// blue, markers at the table's tolerances tell them apart.
    func successFigure(_ c: Config, perSeed: [[Cell]]) -> Figure {
        let grid = Self.toleranceGrid(c.tolerances)
        func success(_ i: Int, _ t: Double) -> Double { Statistics.mean(perSeed.map { PrecisionTask.success($0[i].finalDistances, tolerance: t) }) }
        var binning: [Series] = [], others: [Series] = []
        let markers: [Marker] = [.triangle, .square, .circle, .diamond, .hollowTriangle, .hollowSquare, .hollowCircle, .hollowDiamond]
        for (i, v) in c.contenders.enumerated() {
            let color = Palette.tokenizer(v.palette)
            let line = grid.map { Series.Point(x: $0, y: success(i, $0)) }
            if v.isBinning {
                binning.append(Series(v.name, style: .line, points: line, color: color, inLegend: false))
                binning.append(Series(v.name, style: .points, points: c.tolerances.map { Series.Point(x: $0, y: success(i, $0)) }, color: color,
                                      marker: markers[(binning.count / 2) % markers.count]))
            } else {
                others.append(Series(v.name, style: .line, points: line, color: color, dashed: v.name == "diffusion"))
            }
        }
        let level = Series("\(Format.percent(c.successLevel)) success", style: .line,
                           points: [Series.Point(x: grid.last!, y: c.successLevel), Series.Point(x: grid.first!, y: c.successLevel)],
                           color: Palette.reference, dashed: true, inLegend: false)
        let x = Axis("tolerance (final distance to the target)", log: true, range: grid.last!...grid.first!)
        let y = Axis("success rate", range: 0...1.02)
        var panels: [Panel] = []
        if !binning.isEmpty { panels.append(Panel(title: "per-step binning and OpenVLA", x: x, y: y, series: binning + [level], legend: .below)) }
        if !others.isEmpty { panels.append(Panel(title: "other tokenizers, VQ-BeT and continuous policies", x: x, y: y, series: others + [level], legend: .below)) }
        return Figure(name: "success-vs-tolerance", title: "Success against tolerance on the precision task", panels: panels,
                      columns: panels.count, width: 560 * panels.count, height: 560)
    }

    /// The distance to the target against the step, for a few episodes of the first seed, one
    /// panel per contender (log scale, drawn down to `floor`).
    func approachFigure(_ c: Config, perSeed: [[Cell]], floor: Double = 1e-6) -> Figure {
        let panels = c.contenders.enumerated().map { i, v -> Panel in
            let paths = perSeed.first?[i].paths ?? []
            let series = paths.enumerated().map { e, path in
                Series("episode \(e + 1)", style: .line, points: path.enumerated().map { t, offset in
                    Series.Point(x: Double(t), y: max(floor, offset.map { $0 * $0 }.reduce(0, +).squareRoot()))
                }, color: Palette.tokenizer(v.palette), inLegend: false)
            }
            let chunks = stride(from: c.chunk, to: c.task.steps, by: c.chunk).map { t in
                Series("chunk", style: .line, points: [Series.Point(x: Double(t), y: floor), Series.Point(x: Double(t), y: 10)],
                       color: Palette.neutral, dashed: true, inLegend: false)
            }
            let tics = stride(from: 0, through: c.task.steps, by: 2 * c.chunk).map { (value: Double($0), label: "\($0)") }
            return Panel(title: v.name, x: Axis("step", range: 0...Double(c.task.steps), tics: tics), y: Axis("distance to the target", log: true, range: floor...10),
                         series: chunks + series, legend: .hidden)
        }
        let columns = min(5, panels.count)
        return Figure(name: "approach", title: "Distance to the target, step by step", panels: panels, columns: columns,
                      width: 300 * columns, height: 300 * ((panels.count + columns - 1) / columns) + 60)
    }

    /// Tolerances for the figure's curves: 8 per decade from the largest to the smallest tolerance of the grid.
    static func toleranceGrid(_ tolerances: [Double]) -> [Double] {
        let hi = log10(tolerances.max()!), lo = log10(tolerances.min()!)
        let n = max(2, Int(((hi - lo) * 8).rounded()) + 1)
        return (0..<n).map { pow(10, hi - (hi - lo) * Double($0) / Double(n - 1)) }
    }
}
