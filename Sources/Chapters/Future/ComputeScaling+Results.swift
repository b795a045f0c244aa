import Figures
import Foundation
import Metrics
import Support
import Experiments

extension ComputeScaling {
    func outcome(_ c: Config, seeds: [UInt64], cells: [String: Cell], inputHash: String) throws -> ExperimentOutcome {
        func cell(_ s: UInt64, _ src: ScalingTask.Source, _ v: String, _ pt: Point) -> Cell { cells[Self.key(s, src, v, pt)]! }
        func perSeed(_ src: ScalingTask.Source, _ v: String, _ pt: Point, _ f: (Cell) -> Double) -> [Double] { seeds.map { f(cell($0, src, v, pt)) } }
        var metrics: [MetricSeries] = []
        for src in c.sources {
            for v in c.contenders {
                for pt in c.points {
                    let cond: [(name: String, value: String)] = [("source", src.rawValue), ("contender", v.name), ("width", "\(pt.width)"), ("train_steps", "\(pt.steps)")]
                    metrics.append(MetricSeries(condition: cond, metric: "error", unit: "held-out squared error over variance, mean over dimensions", scale: .log, perSeed: perSeed(src, v.name, pt, \.error)))
                    metrics.append(MetricSeries(condition: cond, metric: "train_flops", unit: "FLOP (matrix products, counted by the engine)", scale: .log, perSeed: perSeed(src, v.name, pt, \.trainFLOPs)))
                    if v.isTokenized {
                        metrics.append(MetricSeries(condition: cond, metric: "round_trip_floor", unit: "the tokenizer's own round trip, same error", scale: .log, perSeed: perSeed(src, v.name, pt) { $0.floor! }))
                        metrics.append(MetricSeries(condition: cond, metric: "decode_failures", scale: .proportion, perSeed: perSeed(src, v.name, pt) { $0.decodeFailures! }))
                    }
                    metrics.append(MetricSeries(condition: cond, metric: "final_training_loss", scale: .linear, perSeed: perSeed(src, v.name, pt, \.finalLoss)))
                }
            }
            if c.binsSources.contains(src) && !c.binsSweep.isEmpty {
                for v in binsContenders(c) {
                    let cond: [(name: String, value: String)] = [("source", src.rawValue), ("bins", "\(v.bins!)")]
                    metrics.append(MetricSeries(condition: cond, metric: "bins_error", unit: "held-out error at the largest compute", scale: .log, perSeed: perSeed(src, v.name, c.top, \.error)))
                    metrics.append(MetricSeries(condition: cond, metric: "bins_round_trip_floor", scale: .log, perSeed: perSeed(src, v.name, c.top) { $0.floor! }))
                    metrics.append(MetricSeries(condition: cond, metric: "bins_tokens_per_chunk", unit: "tokens", scale: .linear, perSeed: perSeed(src, v.name, c.top) { $0.tokensPerChunk! }))
                    metrics.append(MetricSeries(condition: cond, metric: "bins_train_flops", unit: "FLOP", scale: .log, perSeed: perSeed(src, v.name, c.top, \.trainFLOPs)))
                }
            }
        }

        var blocks: [ResultBlock] = []
        blocks.append(.figure(scalingFigure(c, seeds: seeds, cell: cell), caption:
            "Held-out error against training compute, one panel per source (log-log; geometric mean over \(seeds.count) seed(s)). Each point is one width and number of optimiser steps (\(c.points.map(\.label).joined(separator: "; "))); its training FLOPs are the matrix products the engine counted. Dashed lines: each tokenizer's round-trip floor (the same error of its own encode-decode of the held-out chunks), which no amount of training can take a token policy below."))
        blocks.append(.table(scalingTable(c, seeds: seeds, cell: cell), caption:
            "Per source and contender: the held-out error at the smallest and the largest compute (geometric mean and 95 % interval over seeds, log scale), the error's fall over the last step of compute (second-largest over largest point), the round-trip floor, the largest point's error over its floor, and the training FLOPs at the two ends."))
        if !c.binsSources.isEmpty && !c.binsSweep.isEmpty {
            blocks.append(.figure(binsFigure(c, seeds: seeds, cell: cell), caption:
                "Per-step min-max binning at more bins, trained at the largest compute point. Left: the trained policy's held-out error and the round-trip floor against the bin count (log-log); the dashed black line falls as 1/bins², what the floor's squared error does when each bin halves. Right: the cost: tokens per chunk (one per value, whatever the bin count) and the training FLOPs, both relative to the fewest bins."))
            blocks.append(.table(binsTable(c, seeds: seeds, cell: cell), caption:
                "Per source and bin count (largest compute point): the trained policy's held-out error and the round-trip floor (geometric means, 95 % interval over seeds for the error), tokens per chunk, the output vocabulary and the training FLOPs."))
        }

        let names = (c.contenders + c.binsSweep).map(\.name)
        let statistic: (String, ParameterReader) throws -> [[Double]] = { name, select in
            func sources() throws -> [ScalingTask.Source] {
                let list = try select.strings("sources", default: c.sources.map(\.rawValue), allowed: c.sources.map(\.rawValue))
                return list.map { ScalingTask.Source(rawValue: $0)! }
            }
            func contenders(tokenized: Bool? = nil) throws -> [Contender] {
                let list = try select.strings("contenders", allowed: c.contenders.map(\.name))
                guard !list.isEmpty else { throw ConfigError(location: select.location, key: "contenders", problem: "expected at least one contender") }
                let found = list.map { n in c.contenders.first { $0.name == n }! }
                if let tokenized, let bad = found.first(where: { $0.isTokenized != tokenized }) {
                    throw ConfigError(location: select.location, key: "contenders", problem: "\(bad.name) \(tokenized ? "has no tokenizer, so no floor" : "is tokenized")")
                }
                return found
            }
            let top = c.top, second = c.points[c.points.count - 2]
            func gain(_ s: UInt64, _ src: ScalingTask.Source, _ v: String) -> Double { cell(s, src, v, second).error / cell(s, src, v, top).error }
            switch name {
            case "floor_gap":
                // Per tokenized contender and source: the largest point's error over its round-trip floor.
                let vs = try contenders(tokenized: true), srcs = try sources()
                return seeds.map { s in srcs.flatMap { src in vs.map { v in cell(s, src, v.name, top).error / cell(s, src, v.name, top).floor! } } }
            case "last_gain":
                // Per contender and source: the error at the second-largest point over the largest (above 1: still falling).
                let vs = try contenders(), srcs = try sources()
                return seeds.map { s in srcs.flatMap { src in vs.map { gain(s, src, $0.name) } } }
            case "gain_over":
                // Per contender and source: versus's last gain over the contender's (above 1: versus gains more from the last step).
                let vs = try contenders(), srcs = try sources()
                let versus = try select.string("versus", allowed: c.contenders.map(\.name))
                return seeds.map { s in srcs.flatMap { src in vs.map { gain(s, src, versus) / gain(s, src, $0.name) } } }
            case "bins_elasticity":
                // The trained error's fall from `low` to `high` bins, per factor of bins: log(error_low / error_high) / log(high / low).
                let src = ScalingTask.Source(rawValue: try select.string("source", allowed: c.binsSources.map(\.rawValue)))!
                let low = try select.int("low"), high = try select.int("high")
                guard let l = self.binsContenders(c).first(where: { $0.bins == low }), let h = self.binsContenders(c).first(where: { $0.bins == high }), low < high else {
                    throw ConfigError(location: select.location, key: "low", problem: "expected two bin counts of the sweep, low below high (have \(self.binsContenders(c).map { "\($0.bins!)" }.joined(separator: ", ")))")
                }
                return seeds.map { s in [log(cell(s, src, l.name, top).error / cell(s, src, h.name, top).error) / log(Double(high) / Double(low))] }
            default:
                throw ConfigError(location: select.location, key: "statistic", problem: "unknown statistic '\(name)'; this experiment computes \(self.statistics.keys.sorted().joined(separator: ", ")) (contenders: \(names.joined(separator: ", ")))")
            }
        }
        return ExperimentOutcome(metrics: metrics, blocks: blocks, inputDataHash: inputHash, statistic: statistic)
    }

    /// Per-step min-max binning at every bin count measured at the largest point, fewest bins first.
    func binsContenders(_ c: Config) -> [Contender] {
        (c.contenders.filter { $0.tokenizer == "minmax" && $0.bins != nil } + c.binsSweep).sorted { $0.bins! < $1.bins! }
    }

    static func geometricMean(_ xs: [Double]) -> Double { exp(Statistics.mean(xs.map { log($0) })) }

    func scalingFigure(_ c: Config, seeds: [UInt64], cell: (UInt64, ScalingTask.Source, String, Point) -> Cell) -> Figure {
        let panels = c.sources.map { src -> Panel in
            var series: [Series] = []
            for v in c.contenders {
                let color = Palette.tokenizer(v.palette)
                let pts = c.points.map { pt in
                    Series.Point(x: Self.geometricMean(seeds.map { cell($0, src, v.name, pt).trainFLOPs }),
                                 y: Self.geometricMean(seeds.map { cell($0, src, v.name, pt).error }))
                }
                series.append(Series(v.name, style: .linePoints, points: pts, color: color, dashed: v.policy == "diffusion"))
                if v.isTokenized {
                    let floor = Self.geometricMean(seeds.map { cell($0, src, v.name, c.top).floor! })
                    series.append(Series("\(v.name) floor", style: .line, points: [Series.Point(x: pts.first!.x, y: floor), Series.Point(x: pts.last!.x, y: floor)],
                                         color: color, dashed: true, inLegend: false))
                }
            }
            return Panel(title: src.rawValue, x: Axis("training FLOPs (matrix products)", log: true), y: Axis("held-out error (squared error / variance)", log: true),
                         series: series, legend: .below)
        }
        return Figure(name: "error-vs-flops", title: "Held-out error against training compute", panels: panels, columns: panels.count,
                      width: 560 * panels.count, height: 560)
    }

    func scalingTable(_ c: Config, seeds: [UInt64], cell: (UInt64, ScalingTask.Source, String, Point) -> Cell) -> MarkdownTable {
        var rows: [[String]] = []
        let first = c.points.first!, top = c.top, second = c.points[c.points.count - 2]
        for src in c.sources {
            for v in c.contenders {
                func errs(_ pt: Point) -> [Double] { seeds.map { cell($0, src, v.name, pt).error } }
                let gain = Self.geometricMean(seeds.map { cell($0, src, v.name, second).error / cell($0, src, v.name, top).error })
                let floor = v.isTokenized ? Self.geometricMean(seeds.map { cell($0, src, v.name, top).floor! }) : nil
                rows.append([src.rawValue, v.name, Format.interval(SeedSummary(errs(first), scale: .log)), Format.interval(SeedSummary(errs(top), scale: .log)),
                             Format.number(gain), floor.map { Format.number($0) } ?? "—",
                             floor.map { Format.number(Self.geometricMean(errs(top)) / $0) } ?? "—",
                             Format.number(Self.geometricMean(seeds.map { cell($0, src, v.name, first).trainFLOPs }) / 1e9),
                             Format.number(Self.geometricMean(seeds.map { cell($0, src, v.name, top).trainFLOPs }) / 1e9)])
            }
        }
        return MarkdownTable(header: ["source", "contender", "error, smallest compute", "error, largest compute", "fall over the last step", "round-trip floor",
                                      "largest / floor", "GFLOP, smallest", "GFLOP, largest"], rows: rows)
    }

    func binsFigure(_ c: Config, seeds: [UInt64], cell: (UInt64, ScalingTask.Source, String, Point) -> Cell) -> Figure {
        let bins = binsContenders(c)
        var left: [Series] = [], right: [Series] = []
        let markers: [Marker] = [.circle, .square, .triangle, .diamond]
        for (i, src) in c.binsSources.enumerated() {
            func mean(_ v: Contender, _ f: (Cell) -> Double) -> Double { Self.geometricMean(seeds.map { f(cell($0, src, v.name, c.top)) }) }
            let err = bins.map { Series.Point(x: Double($0.bins!), y: mean($0, \.error)) }
            let floor = bins.map { Series.Point(x: Double($0.bins!), y: mean($0) { $0.floor! }) }
            left.append(Series("\(src.rawValue): trained policy", style: .linePoints, points: err, color: i, marker: markers[i % 4]))
            left.append(Series("\(src.rawValue): round-trip floor", style: .linePoints, points: floor, color: i, dashed: true, marker: markers[i % 4]))
            if let f0 = floor.first {
                left.append(Series("1/bins²", style: .line, points: floor.map { Series.Point(x: $0.x, y: f0.y * pow(f0.x / $0.x, 2)) },
                                   color: Palette.reference, dashed: true, inLegend: i == 0))
            }
            let t0 = mean(bins[0]) { $0.tokensPerChunk! }, g0 = mean(bins[0], \.trainFLOPs)
            right.append(Series("\(src.rawValue): tokens per chunk", style: .linePoints, points: bins.map { Series.Point(x: Double($0.bins!), y: mean($0) { $0.tokensPerChunk! } / t0) },
                                color: i, marker: markers[i % 4]))
            right.append(Series("\(src.rawValue): training FLOPs", style: .linePoints, points: bins.map { Series.Point(x: Double($0.bins!), y: mean($0, \.trainFLOPs) / g0) },
                                color: i, dashed: true, marker: markers[i % 4]))
        }
        let x = Axis("bins per dimension", log: true)
        return Figure(name: "bins-precision-cost", title: "What more bins buy, and what they cost", panels: [
            Panel(title: "precision", x: x, y: Axis("held-out error (squared error / variance)", log: true), series: left, legend: .below),
            Panel(title: "cost, relative to \(bins.first!.bins!) bins", x: x, y: Axis("relative to the fewest bins", log: true), series: right, legend: .below),
        ], columns: 2, width: 1120, height: 560)
    }

    func binsTable(_ c: Config, seeds: [UInt64], cell: (UInt64, ScalingTask.Source, String, Point) -> Cell) -> MarkdownTable {
        var rows: [[String]] = []
        for src in c.binsSources {
            for v in binsContenders(c) {
                let cs = seeds.map { cell($0, src, v.name, c.top) }
                rows.append([src.rawValue, "\(v.bins!)", Format.interval(SeedSummary(cs.map(\.error), scale: .log)), Format.number(Self.geometricMean(cs.map { $0.floor! })),
                             Format.number(Statistics.mean(cs.map { $0.tokensPerChunk! })), "\(v.bins!)",
                             Format.number(Self.geometricMean(cs.map(\.trainFLOPs)) / 1e9)])
            }
        }
        return MarkdownTable(header: ["source", "bins", "error (trained)", "round-trip floor", "tokens per chunk", "output vocabulary", "GFLOP"], rows: rows)
    }
}
