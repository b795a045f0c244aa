import Experiments
import Figures
import Foundation
import Lab
import Metrics
import Support

extension FrequencySweep {
    /// Mean and interval over seeds of one measure of one cell.
    typealias Summarize = (Key, KeyPath<SplinePrediction.Cell, Double>) -> SeedSummary

    func outcome(_ c: Config, perSeed: [[Key: SplinePrediction.Cell]], inputHash: String) -> ExperimentOutcome {
        func values(_ k: Key, _ f: KeyPath<SplinePrediction.Cell, Double>) -> [Double] { perSeed.map { $0[k]![keyPath: f] } }
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
            }
        }

        var blocks: [ResultBlock] = []
        blocks.append(.figure(errorFigure(c, summary: summary), caption:
            "Mean squared error of the decoded prediction on held-out splines against the number of steps per sequence (log-log); lines are geometric means over seeds, bands their 95 % intervals on the log scale. Dashed lines in the same colour (named in the legend) are each tokenizer's own round-trip error on the true splines, the floor no model can go below. Colours are the book's tokenizer colours. The FAST paper's Figure 3 shows the same axes for naive binning and FAST."))
        blocks.append(.table(mseTable(c, summary: summary), caption:
            "Decoded prediction MSE per tokenizer and steps per sequence (mean over seeds, 95 % interval)."))
        blocks.append(.table(diagnosticsTable(c, summary: summary), caption:
            "What each model did: tokens per held-out sequence, the share of predicted tokens that repeat the previous one (and the same share in the true token sequences), the share of predictions that are one repeated token, decode failures (FAST: sequences strict decoding rejects), the final training loss, and the tokenizer's own round-trip MSE. Means over seeds."))
        blocks.append(.figure(overlayFigure(c, cells: perSeed[0]), caption:
            "The first held-out spline of the run's first seed at \(c.rates.last!) steps per sequence: the true spline (black) and each tokenizer's decoded prediction."))
        blocks.append(.figure(tokensFigure(c, summary: summary), caption:
            "Tokens per held-out sequence against steps per sequence (log-log), means over seeds; per-step tokenizers spend one token per step."))

        let statistic: (String, ParameterReader) throws -> [[Double]] = { name, select in
            let tok = try select.string("tokenizer", allowed: c.tokenizers)
            let lo = c.rates.first!, hi = c.rates.last!
            func cell(_ cells: [Key: SplinePrediction.Cell], _ t: String, _ s: Int) -> SplinePrediction.Cell { cells[Key(tokenizer: t, steps: s)]! }
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
    func errorFigure(_ c: Config, summary: Summarize) -> Figure {
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
        return Figure(name: "mse-vs-rate", title: "Prediction error as the sampling rate rises",
                      x: rateAxis(c),
                      y: Axis("decoded MSE", unit: nil, log: true), series: series, legend: .outsideRight, width: 1000, height: 560)
    }

    /// Steps per sequence on a log axis, with a tic at every rate of the sweep.
    func rateAxis(_ c: Config) -> Axis {
        Axis("steps per sequence", unit: nil, log: true, range: (Double(c.rates.first!) / 1.3)...(Double(c.rates.last!) * 1.3),
             tics: c.rates.map { (Double($0), String($0)) })
    }

    func overlayFigure(_ c: Config, cells: [Key: SplinePrediction.Cell]) -> Figure {
        let hi = c.rates.last!
        let panels = c.tokenizers.map { name -> Panel in
            let cell = cells[Key(tokenizer: name, steps: hi)]!
            let t = (0..<hi).map { Double($0) / Double(max(hi - 1, 1)) }
            return Panel(title: name, x: Axis("time", unit: "s", range: 0...1), y: Axis("action", unit: nil),
                         series: [Series("true spline", style: .line, x: t, y: cell.exampleTruth, color: Palette.reference),
                                  Series("prediction", style: .line, x: t, y: cell.examplePrediction, color: Palette.tokenizer(name))],
                         legend: .hidden)
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

    func mseTable(_ c: Config, summary: Summarize) -> MarkdownTable {
        MarkdownTable(header: ["tokenizer"] + c.rates.map { "\($0) steps" },
                      rows: c.tokenizers.map { name in [name] + c.rates.map { Format.interval(summary(Key(tokenizer: name, steps: $0), \.mse)) } })
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
                             Format.number(m(\.finalLoss)), Format.number(m(\.reconstructionMSE))])
            }
        }
        return MarkdownTable(header: ["tokenizer", "steps", "tokens/seq", "copy rate (true)", "constant", "decode failures", "final loss", "round-trip MSE"],
                             rows: rows)
    }
}
