import Figures
import Foundation
import Lab
import Metrics
import Support
import Experiments

extension CodebookSize {
    /// Metrics, figures, tables and the claim statistics from the per-seed cells (`cells[seed][K]`).
    /// `spreads` are the claims' thresholds on the relative spreads, drawn on the success-and-error figure.
    /// `floors` holds each seed's unquantised floor (reconstruction MSE with no quantiser, action units²).
    func outcome(_ c: Config, _ cells: [[Int: Cell]], floors: [Double], inputHash: String, spreads: (success: Double, actionError: Double),
                 claims: [ClaimSpec] = []) throws -> ExperimentOutcome {
        // The same cells with the earlier recipe's policy results (the tokenizers are shared).
        let measuredEarlier = c.earlier != nil && cells.allSatisfy { $0.values.allSatisfy { $0.earlier != nil } }
        let earlierCells: [[Int: Cell]]? = measuredEarlier ? cells.map { $0.mapValues { $0.underEarlierRecipe! } } : nil
        func values(_ K: Int, _ f: (Cell) -> Double) -> [Double] { cells.map { f($0[K]!) } }
        let layers = c.tokenizer.layers
        var metrics: [MetricSeries] = []
        for K in c.sizes {
            let cond: [(name: String, value: String)] = [("codebook_size", "\(K)")]
            metrics.append(MetricSeries(condition: cond, metric: "reconstruction_mse", unit: "action units²", scale: .log, perSeed: values(K) { $0.reconstructionMSE }))
            for l in 0..<layers {
                let lc = cond + [("layer", "\(l)")]
                metrics.append(MetricSeries(condition: lc, metric: "codes_used", scale: .linear, perSeed: values(K) { Double($0.codesUsed[l]) }))
                metrics.append(MetricSeries(condition: lc, metric: "dead_codes", scale: .linear, perSeed: values(K) { Double($0.deadCodes[l]) }))
                metrics.append(MetricSeries(condition: lc, metric: "perplexity", scale: .log, perSeed: values(K) { $0.perplexity[l] }))
                metrics.append(MetricSeries(condition: lc, metric: "code_accuracy", scale: .proportion, perSeed: values(K) { $0.codeAccuracy[l] }))
            }
            metrics.append(MetricSeries(condition: cond, metric: "code_combinations", scale: .linear, perSeed: values(K) { Double($0.combinations) }))
            metrics.append(MetricSeries(condition: cond, metric: "action_l1_error", unit: "action units", scale: .log, perSeed: values(K) { $0.actionError }))
            metrics.append(MetricSeries(condition: cond, metric: "success_rate", scale: .proportion, perSeed: values(K) { $0.successRate }))
            metrics.append(MetricSeries.wallClock(condition: cond, metric: "tokenizer_seconds", unit: "s", perSeed: values(K) { $0.fitSeconds }))
            metrics.append(MetricSeries.wallClock(condition: cond, metric: "training_seconds", unit: "s", perSeed: values(K) { $0.trainSeconds }))
        }

        metrics.append(MetricSeries(condition: [("quantiser", "none")], metric: "reconstruction_mse", unit: "action units²", scale: .log, perSeed: floors))
        if let earlierCells {
            for K in c.sizes {
                let cond: [(name: String, value: String)] = [("codebook_size", "\(K)"), ("recipe", "earlier")]
                let e = earlierCells.map { $0[K]! }
                for l in 0..<layers {
                    metrics.append(MetricSeries(condition: cond + [("layer", "\(l)")], metric: "code_accuracy", scale: .proportion, perSeed: e.map { $0.codeAccuracy[l] }))
                }
                metrics.append(MetricSeries(condition: cond, metric: "action_l1_error", unit: "action units", scale: .log, perSeed: e.map(\.actionError)))
                metrics.append(MetricSeries(condition: cond, metric: "success_rate", scale: .proportion, perSeed: e.map(\.successRate)))
                metrics.append(MetricSeries.wallClock(condition: cond, metric: "training_seconds", unit: "s", perSeed: e.map(\.trainSeconds)))
            }
        }

        let judged = c.judged.map(String.init).joined(separator: ", ")
        let combos = c.judged.map { Self.combinations($0, layers: layers) }
        var blocks: [ResultBlock] = []
        let (ts, te) = (Format.parameter(spreads.success), Format.parameter(spreads.actionError))
        blocks.append(.figure(successAndErrorFigure(c, cells, spreads: spreads), caption:
            "Closed-loop success over \(c.episodes) episodes per seed (left) and held-out action error (right, L1 per action value of the most likely codes' windows with their offsets) against the codebook size K of each of the \(layers) residual layers; lines join the judged sizes' means over \(cells.count) seed(s), bands their 95 % intervals (success: a proportion interval, inside 0 to 100 %; error: geometric mean and log-scale interval); sizes the claims do not judge are hollow grey markers with error bars. The claims are judged over K = \(judged) (\(Format.integer(combos.first!)) to \(Format.integer(combos.last!)) code combinations). The dashed black lines are the claims' thresholds from the experiment file, drawn on the means: success must stay above (1 - \(ts)) x the best judged size's mean success (relative spread < \(ts)), the action error below (1 + \(te)) x the lowest judged mean error (relative spread < \(te)); the verdicts take the spreads seed by seed, which are wider than the spread of the means."))
        blocks.append(.figure(usageFigure(c, cells), caption:
            "Codes the held-out windows use in each layer (solid, geometric means with log-scale 95 % bands) and each layer's perplexity, the effective number of codes (dashed), against K; the black dashed line is y = K, every code used. Codes that are never used are dead."))
        blocks.append(.table(sizeTable(c, cells), caption:
            "Per codebook size: held-out reconstruction MSE with every code (action units²), codes used and dead codes per layer (primary / secondary\(layers > 2 ? " / ..." : "")), perplexity per layer, the policy's code accuracy (share of held-out windows whose most likely code is the tokenizer's code; secondary: layer 1\(layers > 2 ? ", averaged over layers 1 to \(layers - 1)" : "")), held-out action error, closed-loop success, and seconds to fit the tokenizer and train the policy. Intervals are 95 % over \(cells.count) seed(s); usage and times are means."))
        blocks.append(.text("Unquantised floor: the same encoder and decoder, settings and steps, trained and measured with no quantiser, reach a held-out reconstruction MSE of \(Format.interval(SeedSummary(floors, scale: .log))) action units² (95 % interval over \(cells.count) seed(s)); the table's reconstruction MSE above it is what quantisation with K codes per layer adds."))
        blocks.append(.table(spreadTable(c, cells), caption:
            "The claims' statistics seed by seed, over K = \(judged): the best and worst size and the relative spread of success, (best - worst) / best, and of the action error, (worst - best) / best. Each claim's measured value is the mean of its column over seeds. A spread taken per seed includes that seed's episode noise, so it is an upper estimate of the spread of the mean success rates."))

        let statistic: (String, ParameterReader) throws -> [[Double]] = { name, select in
            // Either statistic takes `recipe` (default: the reference recipe, the judged one).
            func chosen() throws -> [[Int: Cell]] {
                try Recipe.read(select, earlierMeasured: earlierCells != nil) == .earlier ? earlierCells! : cells
            }
            switch name {
            case "success_relative_spread":
                return try chosen().map { [Self.successSpread($0, judged: c.judged)] }
            case "action_error_relative_spread":
                return try chosen().map { [Self.actionErrorSpread($0, judged: c.judged)] }
            default:
                throw ConfigError(location: select.location, key: "statistic", problem: "unknown statistic '\(name)'; this experiment computes success_relative_spread, action_error_relative_spread")
            }
        }
        var outcome = ExperimentOutcome(metrics: metrics, blocks: blocks, inputDataHash: inputHash, statistic: statistic)
        if let earlier = c.earlier, let earlierCells {
            outcome.blocks.append(.table(sizeTable(c, earlierCells), caption:
                "The same tokenizers with the earlier policy recipe (an ablation: codes drawn at temperature \(Format.parameter(earlier.temperature)), offset weight \(Format.parameter(earlier.offsetWeight)), offsets at the \(earlier.offsetCodes.rawValue) codes, \(earlier.trainSteps) steps), columns as in the table above; the tokenizer columns repeat it."))
            outcome.blocks.append(.table(try outcome.claimsTable(claims, settings: Recipe.claimSettings, location: "training/codebook-size"), caption:
                "The claims under each policy recipe, each decided by its own pre-registered rule; the reference recipe (LeRobot's: temperature \(Format.parameter(c.policy.temperature)), offset weight \(Format.parameter(c.policy.offsetWeight)), offsets at the \(c.policy.offsetCodes.rawValue) codes, \(c.policy.trainSteps) steps) is judged and enters the ledger, the earlier recipe is an ablation, shown and not entered."))
        }
        return outcome
    }

    /// `K^layers`, the code combinations of a residual VQ.
    static func combinations(_ K: Int, layers: Int) -> Int { (0..<layers).reduce(1) { p, _ in p * K } }

    /// The mean share of held-out windows whose most likely code is right in layers 1 and later.
    static func secondaryAccuracy(_ cell: Cell) -> Double { Statistics.mean(Array(cell.codeAccuracy.dropFirst())) }

    func sizeTable(_ c: Config, _ cells: [[Int: Cell]]) -> MarkdownTable {
        func perLayer(_ K: Int, _ f: (Cell, Int) -> Double) -> String {
            (0..<c.tokenizer.layers).map { l in Format.number(Statistics.mean(cells.map { f($0[K]!, l) })) }.joined(separator: " / ")
        }
        let rows = c.sizes.map { K -> [String] in
            func interval(_ f: (Cell) -> Double, _ scale: StatisticScale) -> String { Format.interval(SeedSummary(cells.map { f($0[K]!) }, scale: scale)) }
            func percent(_ f: (Cell) -> Double) -> String { Format.percentInterval(SeedSummary(cells.map { f($0[K]!) }, scale: .proportion)) }
            let seconds = Format.number(Statistics.mean(cells.map { $0[K]!.fitSeconds })) + " + " + Format.number(Statistics.mean(cells.map { $0[K]!.trainSeconds }))
            return ["\(K)" + (c.judged.contains(K) ? "" : " (not judged)"), Format.integer(Self.combinations(K, layers: c.tokenizer.layers)),
                    interval({ $0.reconstructionMSE }, .log), perLayer(K) { Double($0.codesUsed[$1]) }, perLayer(K) { Double($0.deadCodes[$1]) },
                    perLayer(K) { $0.perplexity[$1] }, percent { $0.codeAccuracy[0] }, percent { Self.secondaryAccuracy($0) },
                    interval({ $0.actionError }, .log), percent { $0.successRate }, seconds]
        }
        return MarkdownTable(header: ["K", "combinations", "reconstruction MSE", "codes used per layer", "dead codes per layer", "perplexity per layer",
                                      "primary code accuracy", "secondary code accuracy", "action error", "success", "time (s), tokenizer + policy"], rows: rows)
    }

    func spreadTable(_ c: Config, _ cells: [[Int: Cell]]) -> MarkdownTable {
        let rows = cells.enumerated().map { i, row -> [String] in
            let bySuccess = c.judged.sorted { row[$0]!.successRate > row[$1]!.successRate }     // stable: ties keep the smaller K first
            let byError = c.judged.sorted { row[$0]!.actionError < row[$1]!.actionError }
            return ["\(i + 1)",
                    "K = \(bySuccess.first!) (\(Format.percent(row[bySuccess.first!]!.successRate)))",
                    "K = \(bySuccess.last!) (\(Format.percent(row[bySuccess.last!]!.successRate)))",
                    Format.number(Self.successSpread(row, judged: c.judged)),
                    "K = \(byError.first!) (\(Format.number(row[byError.first!]!.actionError)))",
                    "K = \(byError.last!) (\(Format.number(row[byError.last!]!.actionError)))",
                    Format.number(Self.actionErrorSpread(row, judged: c.judged))]
        }
        return MarkdownTable(header: ["seed", "best success", "worst success", "success spread", "best action error", "worst action error", "action error spread"], rows: rows)
    }

    /// The codebook sizes on a logarithmic axis with a tic at every size run (spaced as log2 K).
    func sizeAxis(_ c: Config) -> Axis {
        Axis("codebook size K (codes per layer)", log: true, range: (Double(c.sizes.first!) / 1.3)...(Double(c.sizes.last!) * 1.3),
             tics: c.sizes.map { (Double($0), String($0)) })
    }

    /// A mean line with its 95 % band over the judged sizes, in one colour, and the sizes the
    /// claims do not judge as hollow grey markers with their error bars, named in the legend.
    func meanWithBand(_ name: String, _ c: Config, color: Int, scale: StatisticScale = .log, factor: Double = 1, _ values: (Int) -> [Double]) -> [Series] {
        func point(_ K: Int) -> Series.Point {
            let s = SeedSummary(values(K), scale: scale).scaled(by: factor)
            return Series.Point(x: Double(K), y: s.mean, low: s.n > 1 ? s.low : nil, high: s.n > 1 ? s.high : nil)
        }
        let judged = c.sizes.filter { c.judged.contains($0) }.map(point)
        let unjudged = c.sizes.filter { !c.judged.contains($0) }.map(point)
        var out: [Series] = []
        if judged.contains(where: { $0.low != nil }) { out.append(Series("\(name) interval", style: .band, points: judged, color: color, inLegend: false)) }
        if !judged.isEmpty { out.append(Series("\(name), judged sizes", style: .linePoints, points: judged, color: color)) }
        if !unjudged.isEmpty {
            out.append(Series("not judged (K = \(c.sizes.filter { !c.judged.contains($0) }.map(String.init).joined(separator: ", ")))",
                              style: .errorBars, points: unjudged, color: Palette.neutral, marker: .hollowCircle))
        }
        return out
    }

    /// Success and action error against K, each with the band its claim allows the judged sizes:
    /// success above (1 - `spreads.success`) x the best judged mean, error below
    /// (1 + `spreads.actionError`) x the lowest judged mean.
    func successAndErrorFigure(_ c: Config, _ cells: [[Int: Cell]], spreads: (success: Double, actionError: Double)) -> Figure {
        let successSeries = meanWithBand("success", c, color: Palette.tokenizer("rvq"), scale: .proportion, factor: 100) { K in cells.map { $0[K]!.successRate } }
        let errorSeries = meanWithBand("action error", c, color: Palette.tokenizer("rvq")) { K in cells.map { $0[K]!.actionError } }
        let judgedSuccess = c.judged.map { K in 100 * SeedSummary(cells.map { $0[K]!.successRate }, scale: .proportion).mean }
        let judgedError = c.judged.map { K in SeedSummary(cells.map { $0[K]!.actionError }, scale: .log).mean }
        let successFloor = (1 - spreads.success) * judgedSuccess.max()!
        let errorCeiling = (1 + spreads.actionError) * judgedError.min()!
        let success = Panel(title: "closed-loop success", x: sizeAxis(c), y: Axis("success", unit: "%", range: 0...105),
                            series: successSeries, legend: .bottomRight,
                            references: [Reference(.horizontal, at: successFloor, label: "spread < \(Format.parameter(spreads.success)): above this",
                                                   inLegend: false, note: "floor: (1 - \(Format.parameter(spreads.success))) x best")])
        // A linear error axis fitted to every point, interval and the ceiling (a reference needs a fixed range).
        let ys = errorSeries.flatMap { $0.points.flatMap { [$0.low ?? $0.y, $0.high ?? $0.y] } } + [errorCeiling]
        // Headroom above the ceiling for the legend.
        let pad = 0.08 * (ys.max()! - ys.min()!) + 1e-12
        let error = Panel(title: "held-out action error", x: sizeAxis(c),
                          y: Axis("action L1 error", unit: "action units", range: max(0, ys.min()! - pad)...(ys.max()! + 5 * pad)),
                          series: errorSeries, legend: .topLeft,
                          references: [Reference(.horizontal, at: errorCeiling, label: "spread < \(Format.parameter(spreads.actionError)): below this",
                                                 inLegend: false, note: "ceiling: (1 + \(Format.parameter(spreads.actionError))) x lowest")])
        return Figure(name: "success-and-error", title: "Success and action error against codebook size", panels: [success, error],
                      columns: 2, width: 1100, height: 460)
    }

    func usageFigure(_ c: Config, _ cells: [[Int: Cell]]) -> Figure {
        let names = ["primary", "secondary"] + (2..<max(c.tokenizer.layers, 2)).map { "layer \($0)" }
        var series: [Series] = [Series("y = K", style: .line, points: c.sizes.map { Series.Point(x: Double($0), y: Double($0)) }, color: Palette.reference, dashed: true)]
        // Layers are not tokenizers: the first layers take the book's first colours.
        for l in 0..<c.tokenizer.layers {
            let points = c.sizes.map { K -> Series.Point in
                let s = SeedSummary(cells.map { Double($0[K]!.codesUsed[l]) }, scale: .log)
                return Series.Point(x: Double(K), y: s.mean, low: s.n > 1 ? s.low : nil, high: s.n > 1 ? s.high : nil)
            }
            if points.contains(where: { $0.low != nil }) { series.append(Series("\(names[l]) interval", style: .band, points: points, color: l, inLegend: false)) }
            series.append(Series("\(names[l]): codes used", style: .linePoints, points: points, color: l))
            series.append(Series("\(names[l]): perplexity", style: .line, points: c.sizes.map { K in
                Series.Point(x: Double(K), y: Statistics.mean(cells.map { $0[K]!.perplexity[l] }))
            }, color: l, dashed: true))
        }
        return Figure(name: "code-usage", title: "Code usage against codebook size",
                      x: sizeAxis(c), y: Axis("codes", log: true), series: series, legend: .topLeft)
    }
}
