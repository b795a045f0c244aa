import Experiments
import Figures
import Foundation
import Lab
import Metrics
import Support

extension FrequencySweep {
    /// Mean and interval over seeds of one measure of one cell.
    typealias Summarize = (Key, KeyPath<SplinePrediction.Cell, Double>) -> SeedSummary

    func outcome(_ c: Config, perSeed seedCells: [SeedCells], inputHash: String) -> ExperimentOutcome {
        let perSeed = seedCells.map(\.tokens)
        func values(_ k: Key, _ f: KeyPath<SplinePrediction.Cell, Double>) -> [Double] { perSeed.map { $0[k]![keyPath: f] } }
        func continuous(_ k: Key, _ f: (SplinePrediction.ContinuousCell) -> Double) -> [Double] { seedCells.map { f($0.continuous[k]!) } }
        var metrics: [MetricSeries] = []
        let measures: [(String, String, StatisticScale, KeyPath<SplinePrediction.Cell, Double>)] = [
            ("mse", "squared units", .log, \.mse), ("relative_mse", "MSE / variance", .log, \.relativeMSE),
            ("reconstruction_mse", "squared units", .log, \.reconstructionMSE),
            ("copy_rate", "share", .proportion, \.copyRate), ("true_copy_rate", "share", .proportion, \.trueCopyRate),
            ("constant_share", "share", .proportion, \.constantShare), ("decode_failures", "share", .proportion, \.decodeFailures),
            ("tokens_per_sequence", "tokens", .log, \.tokensPerSequence), ("predicted_tokens", "tokens", .log, \.predictedTokens),
            ("final_training_loss", "nats/token", .log, \.finalLoss),
        ]
        // Every table and figure summarises a measure on its declared scale (shares as proportions).
        func summary(_ k: Key, _ f: KeyPath<SplinePrediction.Cell, Double>) -> SeedSummary {
            SeedSummary(values(k, f), scale: measures.first { $0.3 == f }?.2 ?? .log)
        }
        for name in c.tokenizers {
            for steps in c.rates {
                let k = Key(tokenizer: name, steps: steps)
                for (metric, unit, scale, f) in measures {
                    metrics.append(MetricSeries(condition: [("tokenizer", name), ("steps", String(steps))], metric: metric, unit: unit, scale: scale, perSeed: values(k, f)))
                }
                if perSeed[0][k]!.floorMSE != nil {
                    metrics.append(MetricSeries(condition: [("tokenizer", name), ("steps", String(steps))], metric: "unquantised_floor_mse", unit: "squared units", scale: .log, perSeed: values(k, \.floorMSEOrNaN)))
                }
            }
        }

        for name in c.methods {
            for steps in c.rates {
                let k = Key(tokenizer: name, steps: steps)
                let cond: [(name: String, value: String)] = [("policy", name), ("steps", String(steps))]
                metrics.append(MetricSeries(condition: cond, metric: "mse", unit: "squared units", scale: .log, perSeed: continuous(k, \.mse)))
                metrics.append(MetricSeries(condition: cond, metric: "relative_mse", unit: "MSE / variance", scale: .log, perSeed: continuous(k, \.relativeMSE)))
                metrics.append(MetricSeries(condition: cond, metric: "final_training_loss", unit: "objective MSE", scale: .log, perSeed: continuous(k, \.finalLoss)))
                metrics.append(MetricSeries(condition: cond, metric: "function_evaluations", unit: "per chunk", scale: .log, perSeed: continuous(k) { Double($0.functionEvaluations) }))
                metrics.append(MetricSeries.wallClock(condition: cond, metric: "chunk_time", unit: "s / chunk (machine-dependent)", perSeed: continuous(k, \.chunkSeconds)))
            }
        }
        for name in c.methods {
            for steps in c.rates {
                for (i, n) in c.setup.ablationSteps.enumerated() {
                    metrics.append(MetricSeries(condition: [("policy", name), ("steps", String(steps)), ("inference_steps", String(n))], metric: "mse",
                                                unit: "squared units", scale: .log, perSeed: continuous(Key(tokenizer: name, steps: steps)) { $0.ablation[i].mse }))
                }
            }
        }
        for name in c.tokenizers {
            for steps in c.rates {
                metrics.append(MetricSeries.wallClock(condition: [("tokenizer", name), ("steps", String(steps))], metric: "chunk_time",
                                                      unit: "s / chunk (machine-dependent)", perSeed: values(Key(tokenizer: name, steps: steps), \.chunkSeconds)))
            }
        }
        let continuousMSE: (String, Int) -> SeedSummary = { SeedSummary(continuous(Key(tokenizer: $0, steps: $1), \.mse), scale: .log) }

        var blocks: [ResultBlock] = []
        let continuousNote = c.methods.isEmpty ? "" : " Continuous policies (\(c.methods.joined(separator: ", "))) have no tokens and so no round-trip floor; they are drawn with hollow squares."
        blocks.append(.figure(errorFigure(c, summary: summary, continuous: continuousMSE), caption:
            "Mean squared error of the decoded prediction on held-out splines against the number of steps per sequence (log-log); lines are geometric means over seeds, bands their 95 % intervals on the log scale. Dashed lines in the same colour (named in the legend) are each tokenizer's own round-trip error on the true splines, the floor no model can go below." + continuousNote + " Colours are the book's colours. The FAST paper's Figure 3 shows the same axes for naive binning and FAST."))
        blocks.append(.table(mseTable(c, summary: summary, continuous: continuousMSE), caption:
            "Decoded prediction MSE per contender and steps per sequence (geometric mean over seeds, 95 % interval on the log scale)."
                + (c.methods.isEmpty ? "" : " The continuous policies run the same network width, depth, heads, optimiser, steps, batch and training splines as the token models; flow matching samples with \(c.methods.contains("flow") ? "its default number of" : "the default") Euler steps.")))
        if !c.methods.isEmpty, !c.setup.ablationSteps.isEmpty {
            var rows: [[String]] = []
            for name in c.methods {
                let reference = seedCells[0].continuous[Key(tokenizer: name, steps: c.rates[0])]!.functionEvaluations
                for (i, n) in c.setup.ablationSteps.enumerated() {
                    let evaluations = seedCells[0].continuous[Key(tokenizer: name, steps: c.rates[0])]!.ablation[i].functionEvaluations
                    rows.append([name, String(n) + (evaluations == reference ? " (default)" : ""), String(evaluations)]
                                + c.rates.map { s in Format.interval(SeedSummary(continuous(Key(tokenizer: name, steps: s)) { $0.ablation[i].mse }, scale: .log)) })
                }
            }
            blocks.append(.table(MarkdownTable(header: ["policy", "inference steps", "network evaluations per chunk"] + c.rates.map { "\($0) steps" }, rows: rows), caption:
                "The number-of-function-evaluations ablation: each trained continuous model sampled again with each number of inference steps, on the same held-out splines from the same starting noise; decoded MSE per steps per sequence (geometric mean over seeds, 95 % interval on the log scale)."))
        }
        blocks.append(.table(diagnosticsTable(c, summary: summary), caption:
            "What each model did: tokens per held-out sequence, the share of predicted tokens that repeat the previous one (and the same share in the true token sequences), the share of predictions that are one repeated token, decode failures (FAST: sequences strict decoding rejects), the final training loss, the tokenizer's own round-trip MSE and, for a learned tokenizer, its unquantised floor (its encoder and decoder, same settings and steps, trained with no quantiser: the round trip's error that is not quantisation's). Means over seeds."))
        blocks.append(.figure(overlayFigure(c, cells: seedCells[0]), caption:
            "The first held-out spline of the run's first seed at \(c.rates.last!) steps per sequence: the true spline (black) and each contender's prediction."))
        blocks.append(.figure(tokensFigure(c, summary: summary), caption:
            "Tokens per held-out sequence against steps per sequence (log-log), means over seeds; per-step tokenizers spend one token per step."))

        let statistic: (String, ParameterReader) throws -> [[Double]] = { name, select in
            let lo = c.rates.first!, hi = c.rates.last!
            func cell(_ cells: [Key: SplinePrediction.Cell], _ t: String, _ s: Int) -> SplinePrediction.Cell { cells[Key(tokenizer: t, steps: s)]! }
            // A continuous policy is selected by `policy`, and only for the error statistics.
            if select.value("policy") != nil {
                let method = try select.string("policy", allowed: c.methods)
                func mse(_ seed: SeedCells, _ s: Int) -> SplinePrediction.ContinuousCell { seed.continuous[Key(tokenizer: method, steps: s)]! }
                switch name {
                case "error_growth": return seedCells.map { [mse($0, hi).mse / mse($0, lo).mse] }
                case "error_trend": return seedCells.map { seed in [PredictionMetrics.spearman(c.rates.map(Double.init), c.rates.map { mse(seed, $0).mse })] }
                case "relative_mse": return seedCells.map { seed in c.rates.map { mse(seed, $0).relativeMSE } }
                default:
                    throw ConfigError(location: select.location, key: "statistic", problem: "'\(name)' is not computed for a continuous policy; these are: error_growth, error_trend, relative_mse")
                }
            }
            let tok = try select.string("tokenizer", allowed: c.tokenizers)
            switch name {
            case "error_growth":
                // Decoded MSE at the highest rate over the same at the lowest rate.
                return perSeed.map { [cell($0, tok, hi).mse / cell($0, tok, lo).mse] }
            case "error_trend":
                // Spearman rank correlation between the rate and the decoded MSE.
                return perSeed.map { cells in [PredictionMetrics.spearman(c.rates.map(Double.init), c.rates.map { cell(cells, tok, $0).mse })] }
            case "relative_mse":
                // Decoded MSE over the variance of the true values, at every rate.
                return perSeed.map { cells in c.rates.map { cell(cells, tok, $0).relativeMSE } }
            case "constant_share":
                // Share of predictions that are one repeated token, at the highest rate.
                return perSeed.map { [cell($0, tok, hi).constantShare] }
            case "token_ratio":
                // Baseline tokens per held-out sequence over this tokenizer's, at the highest rate.
                return perSeed.map { [cell($0, c.baseline, hi).tokensPerSequence / cell($0, tok, hi).tokensPerSequence] }
            default:
                throw ConfigError(location: select.location, key: "statistic", problem: "unknown statistic '\(name)'; this experiment computes error_growth, error_trend, relative_mse, constant_share, token_ratio")
            }
        }
        return ExperimentOutcome(metrics: metrics, blocks: blocks, inputDataHash: inputHash, statistic: statistic)
    }

    /// Decoded MSE against steps per sequence, in the book's tokenizer colours, with each
    /// tokenizer's round-trip floor (encode-decode error of the truth) dashed and in the legend.
    func errorFigure(_ c: Config, summary: Summarize, continuous: (String, Int) -> SeedSummary) -> Figure {
        var series: [Series] = []
        for name in c.tokenizers {
            let color = Palette.tokenizer(name)
            let pts = c.rates.map { s -> Series.Point in
                let values = summary(Key(tokenizer: name, steps: s), \.mse).values
                // Geometric mean and a log-scale interval; arithmetic mean if a seed is exactly 0.
                guard values.allSatisfy({ $0 > 0 && $0.isFinite }) else { return Series.Point(x: Double(s), y: max(Statistics.mean(values), 1e-9)) }
                let m = SeedSummary(values, scale: .log)
                return Series.Point(x: Double(s), y: m.mean, low: m.n > 1 ? m.low : nil, high: m.n > 1 ? m.high : nil)
            }
            if pts.contains(where: { $0.low != nil }) {
                series.append(Series("\(name) interval", style: .band, points: pts, color: color, inLegend: false))
            }
            series.append(Series(name, style: .linePoints, points: pts, color: color))
            series.append(Series("\(name) round-trip floor", style: .line, points: c.rates.map { s in
                Series.Point(x: Double(s), y: max(summary(Key(tokenizer: name, steps: s), \.reconstructionMSE).mean, 1e-9))
            }, color: color, dashed: true))
        }
        for name in c.methods {
            let color = Palette.tokenizer(name)
            let pts = c.rates.map { s -> Series.Point in
                let m = continuous(name, s)
                return Series.Point(x: Double(s), y: m.mean, low: m.n > 1 ? m.low : nil, high: m.n > 1 ? m.high : nil)
            }
            if pts.contains(where: { $0.low != nil }) {
                series.append(Series("\(name) interval", style: .band, points: pts, color: color, inLegend: false))
            }
            series.append(Series("\(name) (continuous)", style: .linePoints, points: pts, color: color, marker: .hollowSquare))
        }
        return Figure(name: "mse-vs-rate", title: "Prediction error as the sampling rate rises",
                      x: rateAxis(c),
                      y: Axis("decoded MSE", unit: nil, log: true), series: series, legend: .outsideRight, width: 1000, height: 560)
    }

    /// Steps per sequence on a log axis, with a tic at every rate of the sweep.
    func rateAxis(_ c: Config) -> Axis {
        Axis("steps per sequence", unit: nil, log: true, range: (Double(c.rates.first!) / 1.3)...(Double(c.rates.last!) * 1.3),
             tics: c.rates.map { (Double($0), String($0)) })
    }

    func overlayFigure(_ c: Config, cells: SeedCells) -> Figure {
        let hi = c.rates.last!
        let t = (0..<hi).map { Double($0) / Double(max(hi - 1, 1)) }
        func panel(_ name: String, truth: [Double], prediction: [Double]) -> Panel {
            Panel(title: name, x: Axis("time", unit: "s", range: 0...1), y: Axis("action", unit: nil),
                  series: [Series("true spline", style: .line, x: t, y: truth, color: Palette.reference),
                           Series("prediction", style: .line, x: t, y: prediction, color: Palette.tokenizer(name))],
                  legend: .hidden)
        }
        let panels = c.tokenizers.map { name -> Panel in
            let cell = cells.tokens[Key(tokenizer: name, steps: hi)]!
            return panel(name, truth: cell.exampleTruth, prediction: cell.examplePrediction)
        } + c.methods.map { name -> Panel in
            let cell = cells.continuous[Key(tokenizer: name, steps: hi)]!
            return panel(name, truth: cell.exampleTruth, prediction: cell.examplePrediction)
        }
        return Figure(name: "overlay", title: "A held-out spline and its predictions at \(hi) steps per sequence",
                      panels: panels, columns: min(panels.count, 2), height: 300 * ((panels.count + 1) / 2) + 40)
    }

    func tokensFigure(_ c: Config, summary: Summarize) -> Figure {
        let series = c.tokenizers.map { name in
            Series(name, style: .linePoints, points: c.rates.map { s in
                Series.Point(x: Double(s), y: summary(Key(tokenizer: name, steps: s), \.tokensPerSequence).mean)
            }, color: Palette.tokenizer(name))
        }
        return Figure(name: "tokens-vs-rate", title: "Tokens per sequence as the sampling rate rises",
                      x: rateAxis(c),
                      y: Axis("tokens per sequence", unit: nil, log: true), series: series, legend: .below, height: 480)
    }

    func mseTable(_ c: Config, summary: Summarize, continuous: (String, Int) -> SeedSummary) -> MarkdownTable {
        MarkdownTable(header: ["contender"] + c.rates.map { "\($0) steps" },
                      rows: c.tokenizers.map { name in [name] + c.rates.map { Format.interval(summary(Key(tokenizer: name, steps: $0), \.mse)) } }
                        + c.methods.map { name in ["\(name) (continuous)"] + c.rates.map { Format.interval(continuous(name, $0)) } })
    }

    /// A share as a percentage with three significant digits.
    func pct(_ x: Double) -> String { x.isFinite ? Format.number(100 * x) + " %" : "n/a" }

    func diagnosticsTable(_ c: Config, summary: Summarize) -> MarkdownTable {
        var rows: [[String]] = []
        for name in c.tokenizers {
            for s in c.rates {
                let k = Key(tokenizer: name, steps: s)
                func m(_ f: KeyPath<SplinePrediction.Cell, Double>) -> Double { summary(k, f).mean }
                rows.append([name, String(s), Format.number(m(\.tokensPerSequence)),
                             "\(pct(m(\.copyRate))) (\(pct(m(\.trueCopyRate))))",
                             pct(m(\.constantShare)), pct(m(\.decodeFailures)),
                             Format.number(m(\.finalLoss)), Format.number(m(\.reconstructionMSE)),
                             m(\.floorMSEOrNaN).isNaN ? "—" : Format.number(m(\.floorMSEOrNaN))])
            }
        }
        return MarkdownTable(header: ["tokenizer", "steps", "tokens/seq", "copy rate (true)", "constant", "decode failures", "final loss", "round-trip MSE", "unquantised floor MSE"],
                             rows: rows)
    }
}
