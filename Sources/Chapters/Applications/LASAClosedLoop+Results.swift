import Figures
import Foundation
import Metrics
import Support
import Experiments

extension LASAClosedLoop {
    /// Metrics, the rollout figures, the summary and per-shape tables, and the claim statistic;
    /// `shapes` is empty when the demonstrations were not found. A claim's unit is one shape in
    /// one seed: its statistic has a row per key (`seedCount` rows of NaN without data).
    func outcome(_ c: Config, seedCount: Int, shapes: [Shape], keys: [Key], perKey: [[Cell]], inputHash: String) throws -> ExperimentOutcome {
        let names = c.contenders.map(\.name)
        func cells(_ name: String) -> [Cell] { let i = names.firstIndex(of: name)!; return perKey.map { $0[i] } }
        var metrics: [MetricSeries] = []
        var blocks: [ResultBlock] = []
        let seeds = keys.reduce(into: [UInt64]()) { if !$0.contains($1.seed) { $0.append($1.seed) } }
        if shapes.isEmpty {
            blocks.append(.text("The LASA demonstrations were not found (run `scripts/install-deps.sh`, or pass `--input lasa=PATH`), so nothing was measured and the claims are inconclusive for want of data."))
        } else {
            for v in c.contenders {
                let cs = cells(v.name)
                for (s, shape) in shapes.enumerated() {
                    let cond: [(name: String, value: String)] = [("contender", v.name), ("shape", shape.name)]
                    let mine = keys.indices.filter { keys[$0].shape == s }.map { cs[$0] }
                    metrics.append(MetricSeries(condition: cond, metric: "dtw", unit: "mm, mean over the held-out demonstrations", scale: .log, perSeed: mine.map(\.meanDTW)))
                    metrics.append(MetricSeries(condition: cond, metric: "swept_error_area", unit: "mm², mean over the held-out demonstrations", scale: .log,
                                                perSeed: mine.map(\.meanSweptArea)))
                }
                let cond: [(name: String, value: String)] = [("contender", v.name)]
                let perSeed = seeds.map { seed in keys.indices.filter { keys[$0].seed == seed }.map { cs[$0] } }
                metrics.append(MetricSeries(condition: cond, metric: "dtw_over_shapes", unit: "mm, geometric mean over the shapes", scale: .log,
                                            perSeed: perSeed.map { Self.geometricMean($0.map(\.meanDTW)) }))
                metrics.append(MetricSeries(condition: cond, metric: "final_training_loss", unit: "mean over the shapes", scale: .linear,
                                            perSeed: perSeed.map { Statistics.mean($0.map(\.finalLoss)) }))
                metrics.append(MetricSeries.wallClock(condition: cond, metric: "training_seconds", unit: "s, sum over the shapes",
                                                      perSeed: perSeed.map { $0.reduce(0) { $0 + $1.trainSeconds } }))
            }
            for s in shapes.indices.prefix(c.figureShapes) {
                guard let k = keys.firstIndex(where: { $0.shape == s }) else { continue }
                blocks.append(.figure(rolloutFigure(c, shape: shapes[s], cells: perKey[k]), caption:
                    "\(shapes[s].name): each contender's rollouts (coloured) from the starts of the \(shapes[s].heldOut.count) held-out demonstrations (dashed black), over the \(shapes[s].train.count) training demonstrations (grey), seed \(keys[k].seed), in mm. LASA's demonstrations of a shape all end at the origin."))
            }
            blocks.append(.table(summaryTable(c, keys: keys, perKey: perKey), caption:
                "Per contender, over \(shapes.count) shape(s) and \(seeds.count) seed(s) (\(keys.count) units of a shape and a seed; each unit's value is the mean over its \(shapes.first?.heldOut.count ?? 0) held-out demonstrations): the DTW distance between rollout and held-out demonstration and the swept error area between them (geometric mean and 95 % interval over the units, log scale); the mean rank by DTW among the contenders (1 is the closest; ordinal, so no interval); the DTW over FAST's and over 256-bin binning's in the same unit (geometric mean); and what one chunk of \(c.chunk) actions costs."))
            blocks.append(.table(shapeTable(c, shapes: shapes, keys: keys, perKey: perKey), caption:
                "Per shape and contender: the DTW distance (mm) between rollout and held-out demonstration, the mean over the held-out demonstrations, geometric mean over \(seeds.count) seed(s); the smallest of each row in bold."))
        }

        let statistic: (String, ParameterReader) throws -> [[Double]] = { name, select in
            guard name == "dtw_ratio" else {
                throw ConfigError(location: select.location, key: "statistic", problem: "unknown statistic '\(name)'; this experiment computes dtw_ratio")
            }
            let list = try select.strings("contenders", allowed: names)
            guard !list.isEmpty else { throw ConfigError(location: select.location, key: "contenders", problem: "expected at least one contender") }
            let versus = try select.string("versus", allowed: names)
            // No demonstrations: nothing measured, so every seed's row is undefined and the claim inconclusive.
            guard !shapes.isEmpty else { return (0..<seedCount).map { _ in list.map { _ in Double.nan } } }
            // Per shape and seed, per contender: its DTW over that of `versus` (below 1: it traces the held-out demonstrations more closely).
            return keys.indices.map { k in list.map { cells($0)[k].meanDTW / cells(versus)[k].meanDTW } }
        }
        var outcome = ExperimentOutcome(metrics: metrics, blocks: blocks, inputDataHash: inputHash, statistic: statistic)
        if !shapes.isEmpty {
            outcome.unitsPerSeed = shapes.count
            outcome.unitDescription = "one shape in one seed"
        }
        return outcome
    }

    /// The geometric mean of positive values.
    static func geometricMean(_ values: [Double]) -> Double { exp(Statistics.mean(values.map(log))) }

    /// Per unit (a shape and a seed), each contender's rank by DTW, 1 the smallest; ties share the lower rank.
    static func ranks(_ perKey: [[Cell]]) -> [[Int]] {
        perKey.map { row in row.map { cell in 1 + row.filter { $0.meanDTW < cell.meanDTW }.count } }
    }

    /// The summary table's rows: one per contender.
    func summaryTable(_ c: Config, keys: [Key], perKey: [[Cell]]) -> MarkdownTable {
        let names = c.contenders.map(\.name)
        let ranks = Self.ranks(perKey)
        func ratio(_ i: Int, over name: String) -> String {
            guard let j = names.firstIndex(of: name) else { return "—" }
            return Format.number(Self.geometricMean(perKey.map { $0[i].meanDTW / $0[j].meanDTW }))
        }
        let rows = c.contenders.enumerated().map { i, v -> [String] in
            let cs = perKey.map { $0[i] }
            return [v.name,
                    Format.interval(SeedSummary(cs.map(\.meanDTW), scale: .log)),
                    Format.interval(SeedSummary(cs.map(\.meanSweptArea), scale: .log)),
                    Format.number(Statistics.mean(ranks.map { Double($0[i]) })),
                    ratio(i, over: "fast"), ratio(i, over: "minmax-256"),
                    cs.first?.cost ?? "—"]
        }
        return MarkdownTable(header: ["contender", "DTW distance (mm)", "swept error area (mm²)", "mean rank by DTW", "DTW / FAST's", "DTW / 256-bin binning's",
                                      "cost per chunk"], rows: rows)
    }

    /// The per-shape table: a row per shape, a column per contender.
    func shapeTable(_ c: Config, shapes: [Shape], keys: [Key], perKey: [[Cell]]) -> MarkdownTable {
        let rows = shapes.indices.map { s -> [String] in
            let units = keys.indices.filter { keys[$0].shape == s }
            let values = c.contenders.indices.map { i in Self.geometricMean(units.map { perKey[$0][i].meanDTW }) }
            let best = values.min()!
            return [shapes[s].name] + values.map { $0 == best ? "**\(Format.number($0))**" : Format.number($0) }
        }
        return MarkdownTable(header: ["shape"] + c.contenders.map(\.name), rows: rows)
    }

    /// One panel per contender: the shape's demonstrations and the contender's rollouts, on equal axes.
    func rolloutFigure(_ c: Config, shape: Shape, cells: [Cell]) -> Figure {
        let demos = shape.train + shape.heldOut
        let xs = demos.flatMap { $0.map { $0[0] } }, ys = demos.flatMap { $0.map { $0[1] } }
        // A square window around the demonstrations, a tenth wider on each side, so shapes keep their proportions.
        let side = max(xs.max()! - xs.min()!, ys.max()! - ys.min()!) * 1.2 + 1e-9
        let cx = (xs.max()! + xs.min()!) / 2, cy = (ys.max()! + ys.min()!) / 2
        func line(_ name: String, _ path: [[Double]], color: Int, dashed: Bool = false) -> Series {
            Series(name, style: .line, points: path.map { Series.Point(x: $0[0], y: $0[1]) }, color: color, dashed: dashed, inLegend: false)
        }
        let panels = c.contenders.enumerated().map { i, v -> Panel in
            var series = shape.train.map { line("training", $0, color: Palette.neutral) }
            series += shape.heldOut.map { line("held out", $0, color: Palette.reference, dashed: true) }
            series += cells[i].rollouts.map { line("rollout", $0, color: Palette.tokenizer(v.palette)) }
            return Panel(title: v.name, x: Axis("x", unit: "mm", range: (cx - side / 2)...(cx + side / 2)),
                         y: Axis("y", unit: "mm", range: (cy - side / 2)...(cy + side / 2)), series: series, legend: .hidden)
        }
        let columns = min(5, panels.count)
        return Figure(name: "rollouts-\(shape.name.lowercased().replacingOccurrences(of: "_", with: "-"))", title: "LASA \(shape.name): rollouts from the held-out starts", panels: panels, columns: columns,
                      width: 300 * columns, height: 300 * ((panels.count + columns - 1) / columns) + 60)
    }
}
