import Figures
import Foundation
import Metrics
import Support
import Experiments

extension LiteralCommands {
    func outcome(_ c: Config, perSeed: [[Cell]], inputHash: String) throws -> ExperimentOutcome {
        let names = c.contenders.map(\.name)
        func cells(_ name: String) -> [Cell] { let i = names.firstIndex(of: name)!; return perSeed.map { $0[i] } }
        var metrics: [MetricSeries] = []
        for v in c.contenders {
            let cond: [(name: String, value: String)] = [("contender", v.name)]
            let cs = cells(v.name)
            metrics.append(MetricSeries(condition: cond, metric: "held_out_error", unit: "mean |executed - commanded| over the held-out commands",
                                        scale: .log, perSeed: cs.map(\.heldOutError)))
            metrics.append(MetricSeries(condition: cond, metric: "seen_error", unit: "mean |executed - commanded| over the training commands",
                                        scale: .log, perSeed: cs.map { Self.seenError($0, c) }))
            metrics.append(MetricSeries(condition: cond, metric: "held_out_median_error", unit: "median |executed - commanded| over the held-out commands",
                                        scale: .log, perSeed: cs.map { Self.medianError($0) }))
            metrics.append(MetricSeries(condition: cond, metric: "held_out_on_trained_value", unit: "share of held-out commands executed as a trained value",
                                        scale: .proportion, perSeed: cs.map { Self.onTrainedValue($0, c) }))
            metrics.append(MetricSeries(condition: cond, metric: "held_out_misses", unit: "share of held-out commands missed by more than the grid's spacing",
                                        scale: .proportion, perSeed: cs.map { Self.misses($0, c) }))
            if v.isTokenized {
                metrics.append(MetricSeries(condition: cond, metric: "resolution", unit: "mean |round trip of the hold chunk - command| over the held-out commands",
                                            scale: .log, perSeed: cs.map { $0.resolution! }))
                metrics.append(MetricSeries(condition: cond, metric: "resolution_bound", unit: "largest |round trip of the hold chunk - command| over the held-out commands",
                                            scale: .log, perSeed: cs.map { $0.floor!.map(abs).max()! }))
            }
            metrics.append(MetricSeries(condition: cond, metric: "final_training_loss", scale: .linear, perSeed: cs.map(\.finalLoss)))
            metrics.append(MetricSeries.wallClock(condition: cond, metric: "training_seconds", unit: "s", perSeed: cs.map(\.trainSeconds)))
        }

        var blocks: [ResultBlock] = []
        blocks.append(.figure(errorFigure(c, perSeed: perSeed), caption:
            "Executed minus commanded value against the commanded value, per contender (first seed): filled dots are the \(c.heldOut) held-out commands, hollow squares the \(c.trainCommands.count) training commands; the grey line is the tokenizer's own round trip of a chunk that holds the command (what a policy that wrote exactly those tokens would execute). Each panel has its own vertical scale."))
        blocks.append(.table(table(c, perSeed: perSeed), caption:
            "Per contender: its resolution at the held-out commands (the mean absolute error of its tokenizer's round trip of the chunk holding each command) and the largest such error; the mean absolute error between the commanded and the executed value on the \(c.trainCommands.count) training commands and on the \(c.heldOut) held-out ones (geometric mean and 95 % interval over \(perSeed.count) seed(s), log scale); the held-out error over the resolution; the median held-out error (geometric mean over seeds); the share of held-out commands executed within a twentieth of the grid's spacing (\(Format.parameter(0.05 / Double(c.trainCommands.count - 1)))) of a trained value, and the share missed by more than the spacing (\(Format.parameter(1 / Double(c.trainCommands.count - 1)))), both means over seeds; and what one chunk of \(c.chunk) actions costs."))

        let statistic: (String, ParameterReader) throws -> [[Double]] = { name, select in
            func contenders(_ key: String) throws -> [String] {
                let list = try select.strings(key, allowed: names)
                guard !list.isEmpty else { throw ConfigError(location: select.location, key: key, problem: "expected at least one contender") }
                return list
            }
            func tokenized(_ list: [String], key: String) throws {
                for n in list where !c.contenders.first(where: { $0.name == n })!.isTokenized {
                    throw ConfigError(location: select.location, key: key, problem: "\(n) has no tokenizer, so no resolution")
                }
            }
            switch name {
            case "resolution_ratio":
                // Per contender: its held-out error over its own resolution at the same commands (below 1: better than its tokens' round trip).
                let list = try contenders("contenders")
                try tokenized(list, key: "contenders")
                return perSeed.indices.map { s in list.map { cells($0)[s].heldOutError / cells($0)[s].resolution! } }
            case "error_over_resolution":
                // Per contender: its held-out error over the resolution of `versus` (below 1: finer than that tokenizer can write).
                let list = try contenders("contenders")
                let versus = try select.string("versus", allowed: names)
                try tokenized([versus], key: "versus")
                return perSeed.indices.map { s in list.map { cells($0)[s].heldOutError / cells(versus)[s].resolution! } }
            default:
                throw ConfigError(location: select.location, key: "statistic", problem: "unknown statistic '\(name)'; this experiment computes resolution_ratio, error_over_resolution")
            }
        }
        return ExperimentOutcome(metrics: metrics, blocks: blocks, inputDataHash: inputHash, statistic: statistic)
    }

    /// Mean absolute error on the training commands.
    static func seenError(_ cell: Cell, _ c: Config) -> Double {
        Statistics.mean(zip(cell.seenExecuted, c.trainCommands).map { abs($0 - $1) })
    }

    /// Median absolute error on the held-out commands.
    static func medianError(_ cell: Cell) -> Double {
        Statistics.quantile(sorted: zip(cell.heldOutExecuted, cell.heldOut).map { abs($0 - $1) }.sorted(), 0.5)
    }

    /// Share of the held-out commands whose executed value lies within a twentieth of the grid's
    /// spacing of a trained value (a policy that answers every command with the nearest trained
    /// one scores 1; one that interpolates, near 0).
    static func onTrainedValue(_ cell: Cell, _ c: Config) -> Double {
        let spacing = 1 / Double(c.trainCommands.count - 1)
        return Statistics.mean(cell.heldOutExecuted.map { e in c.trainCommands.contains { abs($0 - e) <= spacing / 20 } ? 1 : 0 })
    }

    /// Share of the held-out commands missed by more than the grid's spacing (worse than answering
    /// with a neighbouring trained value).
    static func misses(_ cell: Cell, _ c: Config) -> Double {
        let spacing = 1 / Double(c.trainCommands.count - 1)
        return Statistics.mean(zip(cell.heldOutExecuted, cell.heldOut).map { abs($0 - $1) > spacing ? 1 : 0 })
    }

    /// The table's rows: one per contender.
    func table(_ c: Config, perSeed: [[Cell]]) -> MarkdownTable {
        var rows: [[String]] = []
        for (i, v) in c.contenders.enumerated() {
            let cs = perSeed.map { $0[i] }
            func geometric(_ values: [Double]) -> String { Format.number(exp(Statistics.mean(values.map(log)))) }
            rows.append([v.name,
                         v.isTokenized ? geometric(cs.map { $0.resolution! }) : "—",
                         v.isTokenized ? geometric(cs.map { $0.floor!.map(abs).max()! }) : "—",
                         Format.interval(SeedSummary(cs.map { Self.seenError($0, c) }, scale: .log)),
                         Format.interval(SeedSummary(cs.map(\.heldOutError), scale: .log)),
                         v.isTokenized ? geometric(cs.map { $0.heldOutError / $0.resolution! }) : "—",
                         geometric(cs.map { Self.medianError($0) }),
                         Format.number(Statistics.mean(cs.map { Self.onTrainedValue($0, c) }) * 100) + " %",
                         Format.number(Statistics.mean(cs.map { Self.misses($0, c) }) * 100) + " %",
                         cs.first?.cost ?? "—"])
        }
        return MarkdownTable(header: ["contender", "resolution", "largest round-trip error", "error, training commands", "error, held-out commands",
                                      "held-out error / resolution", "median held-out error", "held-out executed as a trained value",
                                      "held-out missed by more than the spacing", "cost per chunk"], rows: rows)
    }

    /// Executed minus commanded against commanded, one panel per contender, over the tokenizer's round-trip curve.
    func errorFigure(_ c: Config, perSeed: [[Cell]]) -> Figure {
        let panels = c.contenders.enumerated().map { i, v -> Panel in
            guard let cell = perSeed.first?[i] else { return Panel(title: v.name, x: Axis("commanded value"), y: Axis("executed - commanded"), series: []) }
            var series: [Series] = []
            if let curve = cell.floorCurve {
                series.append(Series("tokenizer's round trip", style: .line, points: zip(Self.curveCommands, curve).map { Series.Point(x: $0, y: $1) },
                                     color: Palette.neutral, inLegend: false))
            }
            series.append(Series("held out", style: .points, points: zip(cell.heldOut, cell.heldOutExecuted).map { Series.Point(x: $0, y: $1 - $0) },
                                 color: Palette.tokenizer(v.palette), inLegend: false, marker: .circle))
            series.append(Series("training", style: .points, points: zip(c.trainCommands, cell.seenExecuted).map { Series.Point(x: $0, y: $1 - $0) },
                                 color: Palette.tokenizer(v.palette), inLegend: false, marker: .hollowSquare))
            return Panel(title: v.name, x: Axis("commanded value", range: 0...1), y: Axis("executed - commanded"), series: series, legend: .hidden)
        }
        let columns = min(5, panels.count)
        return Figure(name: "commanded-vs-executed", title: "Executed against commanded value", panels: panels, columns: columns,
                      width: 300 * columns, height: 300 * ((panels.count + columns - 1) / columns) + 60)
    }
}
