import Figures
import Foundation
import Metrics
import Support
import Experiments

extension TokenConflation {
    /// The thresholds the figure draws, read from the pre-registered claims.
    struct Thresholds { let failures: Double, languageTokens: Double }

    /// The relative RMSE of the chunks that decoded: each dimension's RMSE over the fitted chunks'
    /// standard deviation, averaged over dimensions (nil when no chunk decoded).
    static func relativeError(_ w: Written, scale: [Double], steps: Int) -> Double? {
        guard w.decoded > 0 else { return nil }
        let n = Double(w.decoded * steps)
        return Statistics.mean(zip(w.squaredError, scale).map { sqrt($0 / n) / max($1, 1e-12) })
    }

    /// Metrics, the figure, the tables and the claim statistics from every seed's contenders.
    func outcome(_ c: Config, perSeed: [[String: ContenderCells]], thresholds: Thresholds, inputHash: String) throws -> ExperimentOutcome {
        let families = c.families.map(\.rawValue)
        func written(_ cells: [String: ContenderCells], _ t: String, _ key: Key) -> Written { cells[t]!.written[key]! }
        func error(_ cells: [String: ContenderCells], _ t: String, _ key: Key) -> Double? {
            Self.relativeError(written(cells, t, key), scale: cells[t]!.scale, steps: cells[t]!.steps)
        }
        func ratio(_ cells: [String: ContenderCells], _ t: String, _ family: String, _ d: Decoding) -> Double {
            guard let free = error(cells, t, Key(family: family, constrained: false, decoding: d)),
                  let masked = error(cells, t, Key(family: family, constrained: true, decoding: d)) else { return .nan }
            return masked / free
        }
        let ways: [(constrained: Bool, decoding: Decoding)] = c.decodings.flatMap { d in [(false, d), (true, d)] }
        func wayName(_ constrained: Bool, _ d: Decoding) -> String { "\(constrained ? "constrained" : "unconstrained"), \(d.rawValue)" }

        var metrics: [MetricSeries] = []
        for t in c.rows {
            metrics.append(MetricSeries(condition: [("contender", t)], metric: "final_training_loss", unit: "cross-entropy (nats)", scale: .log, perSeed: perSeed.map { $0[t]!.finalLoss }))
            metrics.append(MetricSeries(condition: [("contender", t)], metric: "action_loss_training_chunks", unit: "cross-entropy (nats)", scale: .log, perSeed: perSeed.map { $0[t]!.actionLoss.last!.training }))
            metrics.append(MetricSeries(condition: [("contender", t)], metric: "action_loss_held_out", unit: "cross-entropy (nats)", scale: .log, perSeed: perSeed.map { $0[t]!.actionLoss.last!.heldOut }))
            metrics.append(MetricSeries(condition: [("contender", t)], metric: "lowest_held_out_loss_step", unit: "steps", scale: .linear, perSeed: perSeed.map { Double(Self.lowestHeldOut($0[t]!.actionLoss).step) }))
            metrics.append(MetricSeries(condition: [("contender", t)], metric: "corpus_share_on_action_ids", scale: .proportion, perSeed: perSeed.map { $0[t]!.corpusShareOnActionIds }))
            for f in families {
                for (constrained, d) in ways {
                    let key = Key(family: f, constrained: constrained, decoding: d)
                    let cond: [(name: String, value: String)] = [("contender", t), ("family", f), ("constraint", constrained ? "constrained" : "none"), ("decoding", d.rawValue)]
                    metrics.append(MetricSeries(condition: cond, metric: "tokens_per_chunk", unit: "tokens", scale: .linear, perSeed: perSeed.map { Double(written($0, t, key).tokens) / Double(written($0, t, key).chunks) }))
                    metrics.append(MetricSeries(condition: cond, metric: "conflated_share", scale: .proportion, perSeed: perSeed.map { written($0, t, key).languageShare }))
                    metrics.append(MetricSeries(condition: cond, metric: "decode_failure_share", scale: .proportion, perSeed: perSeed.map { written($0, t, key).failureShare }))
                    metrics.append(MetricSeries(condition: cond, metric: "language_failure_share", scale: .proportion, perSeed: perSeed.map { Double(written($0, t, key).languageFailures) / Double(written($0, t, key).chunks) }))
                    metrics.append(MetricSeries(condition: cond, metric: "relative_rmse_decoded", scale: .log, perSeed: perSeed.map { error($0, t, key) ?? .nan }))
                }
            }
        }

        let blocks: [ResultBlock] = [
            .figure(figure(c, perSeed: perSeed, ways: ways, wayName: wayName, thresholds: thresholds), caption:
                "Top: held-out chunks whose written tokens do not decode strictly, per contender; bottom: language tokens among the tokens written in action positions. Left the training family (\(families[0])), right the unseen one\(families.count > 2 ? "s" : ""). Each policy writes the same \(c.heldOutChunks) chunks per family without constraints and with constrained decoding, greedily (filled) and by sampling at temperature 1 (hollow); means over \(perSeed.count) seeds with 95 % intervals cut to [0, 100] %, the ways nudged sideways. The dashed lines are the claims' thresholds."),
            .table(table(c, perSeed: perSeed, ways: ways, error: error), caption:
                "Per contender, held-out family and way of writing: tokens written per chunk (mean over seeds), the share of them that are language tokens, the share of chunks that fail to decode (95 % intervals over seeds cut to [0, 100] %) and how many of those hold a language token (the rest are malformed action sequences), and the relative RMSE of the chunks that decode (each dimension's RMSE over the fitted chunks' standard deviation, averaged over dimensions; geometric mean over seeds with its 95 % interval). Without constraints, only the chunks that decode have an error; with them, every chunk does. Rows named with a number of chunks and steps are the ablation, never judged."),
            .table(trainingTable(c, perSeed: perSeed), caption:
                "The policies: action ids laid over the \(c.languageSize)-id language (its least-used ids), the share of the language corpus's tokens that sit on those ids (words the actions took over, still in the side task), the final training loss over both tasks, and the action task's teacher-forced loss at the end of training on \(c.heldOutChunks) training chunks and on the \(c.heldOutChunks) held-out chunks of the training family, with the step at which the held-out loss was lowest (checked every \(c.lossEvery) steps; losses: geometric mean over seeds with 95 % intervals; steps: every seed's). Each policy trains \(c.policy.trainingSteps) steps on \(c.fitChunks) arm chunks and \(c.languageSequences(c.fitChunks)) language sequences; the ablation's rows (\(c.ablationTokenizers.joined(separator: ", "))) train the same policy from the same start for \(c.ablationSteps) steps on \(c.ablationChunks) arm chunks and \(c.languageSequences(c.ablationChunks)) language sequences."),
            .figure(learningCurves(c, perSeed: perSeed), caption:
                "The action task's teacher-forced loss (nats per token, EOS included) during training, checked every \(c.lossEvery) steps: left on the held-out chunks of the training family, right on as many training chunks. Means over \(perSeed.count) seeds; dashed lines are the ablation's (more chunks and steps). A held-out loss that turns up while the training loss keeps falling is a policy learning its training chunks by heart; one still falling at the end is a policy that would gain from more steps."),
        ]

        let statistic: (String, ParameterReader) throws -> [[Double]] = { name, select in
            let decoding = Decoding(rawValue: try select.string("decoding", allowed: c.decodings.map(\.rawValue)))!
            let family = try select.string("family", default: "all", allowed: families + ["all"])
            let contender = try select.string("contender", default: "all", allowed: c.tokenizers + ["all"])
            let chosenFamilies = family == "all" ? families : [family]
            let contenders = contender == "all" ? c.tokenizers : [contender]
            switch name {
            case "conflated_share", "decode_failure_share":
                let constrained = try select.string("constraint", allowed: ["none", "constrained"]) == "constrained"
                return perSeed.map { cells in
                    chosenFamilies.flatMap { f in contenders.map { t in
                        let w = written(cells, t, Key(family: f, constrained: constrained, decoding: decoding))
                        return name == "conflated_share" ? w.languageShare : w.failureShare
                    } }
                }
            case "error_ratio":
                return perSeed.map { cells in chosenFamilies.flatMap { f in contenders.map { ratio(cells, $0, f, decoding) } }.filter { !$0.isNaN } }
            default:
                throw ConfigError(location: select.location, key: "statistic", problem: "unknown statistic '\(name)'; this experiment computes \(statistics.keys.sorted().joined(separator: ", "))")
            }
        }
        return ExperimentOutcome(metrics: metrics, blocks: blocks, inputDataHash: inputHash, statistic: statistic)
    }

    /// Failure and language-token shares per contender, a column of panels per family.
    func figure(_ c: Config, perSeed: [[String: ContenderCells]], ways: [(constrained: Bool, decoding: Decoding)],
                wayName: (Bool, Decoding) -> String, thresholds: Thresholds) -> Figure {
        // The ablation's rows are marked with a star (their full names are too long for a tic).
        let tics = (c.tokenizers + c.ablationTokenizers.map { "\($0)*" }).enumerated().map { (value: Double($0.offset + 1), label: $0.element) }
        let x = Axis("contender (*: \(c.ablationChunks) chunks and \(c.ablationSteps) steps, an ablation)", range: 0.5...(Double(c.rows.count) + 0.5), tics: tics)
        func panel(_ family: String, title: String, y: String, value: @escaping (Written) -> Double, threshold: Double, legend: Bool) -> Panel {
            var series: [Series] = []
            var highest = threshold * 100
            for (i, way) in ways.enumerated() {
                let shift = DeploymentFigures.nudge(i, of: ways.count)
                let points = c.rows.enumerated().map { j, t -> Series.Point in
                    let s = SeedSummary(perSeed.map { value($0[t]!.written[Key(family: family, constrained: way.constrained, decoding: way.decoding)]!) }, scale: .proportion)
                    highest = max(highest, s.n > 1 ? s.high * 100 : s.mean * 100)
                    return Series.Point(x: Double(j + 1) + shift, y: s.mean * 100, low: s.n > 1 ? s.low * 100 : nil, high: s.n > 1 ? s.high * 100 : nil)
                }
                let color = way.constrained ? Palette.reference : Palette.neutral
                let marker: Marker = way.decoding == .greedy ? (way.constrained ? .square : .circle) : (way.constrained ? .hollowSquare : .hollowCircle)
                series.append(Series(wayName(way.constrained, way.decoding), style: .points, points: points, color: color, marker: marker))
                series.append(Series("\(wayName(way.constrained, way.decoding)) 95 % CI", style: .errorBars, points: points, color: color, inLegend: false))
            }
            // The panel with the legend keeps its top third free for it.
            return Panel(title: title, x: x, y: Axis(y, unit: "%", range: 0...max(1, min(100, highest * (legend ? 1.6 : 1.15)))), series: series,
                         legend: legend ? .topLeft : .hidden, references: [.horizontal(threshold * 100, "claim's threshold", color: Palette.goal)])
        }
        let families = c.families.map(\.rawValue)
        let top = families.enumerated().map { i, f in
            panel(f, title: "\(f)\(i == 0 ? " (training family)" : " (unseen)")", y: "chunks failing to decode",
                  value: \.failureShare, threshold: thresholds.failures, legend: false)
        }
        // The legend goes where the shares are lowest: the training family's language-token panel.
        let bottom = families.enumerated().map { i, f in
            panel(f, title: "", y: "language tokens in action positions", value: \.languageShare, threshold: thresholds.languageTokens, legend: i == 0)
        }
        return Figure(name: "conflation", title: "Decode failures and language tokens, without and with constrained decoding",
                      panels: Array(top + bottom), columns: families.count, width: 1100, height: 760)
    }

    /// Every contender, family and way of writing.
    func table(_ c: Config, perSeed: [[String: ContenderCells]], ways: [(constrained: Bool, decoding: Decoding)],
               error: ([String: ContenderCells], String, Key) -> Double?) -> MarkdownTable {
        var rows: [[String]] = []
        for t in c.rows {
            for f in c.families.map(\.rawValue) {
                for way in ways {
                    let key = Key(family: f, constrained: way.constrained, decoding: way.decoding)
                    let w = perSeed.map { $0[t]!.written[key]! }
                    let tokens = Statistics.mean(w.map { Double($0.tokens) / Double($0.chunks) })
                    let language = SeedSummary(w.map(\.languageShare), scale: .proportion)
                    let failures = SeedSummary(w.map(\.failureShare), scale: .proportion)
                    let withLanguage = w.map(\.languageFailures).reduce(0, +), all = w.map(\.failures).reduce(0, +)
                    let errors = perSeed.map { error($0, t, key) }
                    let decoded = w.map(\.decoded).reduce(0, +), chunks = w.map(\.chunks).reduce(0, +)
                    let err = errors.allSatisfy { $0 != nil } ? Format.interval(SeedSummary(errors.map { $0! }, scale: .log))
                        : (errors.contains { $0 != nil } ? "\(Format.number(Statistics.mean(errors.compactMap { $0 }))) (seeds with a decoded chunk)" : "none decoded")
                    rows.append([t, f, way.constrained ? "constrained" : "none", way.decoding.rawValue, Format.number(tokens),
                                 Format.percentInterval(language), Format.percentInterval(failures),
                                 all == 0 ? "—" : "\(withLanguage) of \(all)", err, "\(decoded) of \(chunks)"])
                }
            }
        }
        return MarkdownTable(header: ["contender", "held-out family", "constraint", "decoding", "tokens per chunk", "language tokens",
                                      "chunks failing to decode", "failures holding a language token", "relative RMSE, decoded chunks", "chunks decoded (all seeds)"],
                             rows: rows, align: ["l", "l", "l", "l", "r", "r", "r", "r", "r", "r"])
    }

    /// The point of `curve` with the lowest held-out loss (the earliest, on a tie).
    static func lowestHeldOut(_ curve: [ActionLoss]) -> ActionLoss {
        curve.dropFirst().reduce(curve[0]) { $1.heldOut < $0.heldOut ? $1 : $0 }
    }

    /// Per contender: its action ids, the corpus share on them, the final losses and the step of the lowest held-out loss.
    func trainingTable(_ c: Config, perSeed: [[String: ContenderCells]]) -> MarkdownTable {
        let rows = c.rows.map { t -> [String] in
            [t, String(perSeed[0][t]!.actionIds), Format.percentInterval(SeedSummary(perSeed.map { $0[t]!.corpusShareOnActionIds }, scale: .proportion)),
             Format.interval(SeedSummary(perSeed.map { $0[t]!.finalLoss }, scale: .log)),
             Format.interval(SeedSummary(perSeed.map { $0[t]!.actionLoss.last!.training }, scale: .log)),
             Format.interval(SeedSummary(perSeed.map { $0[t]!.actionLoss.last!.heldOut }, scale: .log)),
             perSeed.map { String(Self.lowestHeldOut($0[t]!.actionLoss).step) }.joined(separator: ", ")]
        }
        return MarkdownTable(header: ["contender", "action ids", "language corpus on action ids", "final training loss",
                                      "action loss, training chunks", "action loss, held-out chunks", "lowest held-out loss at step (per seed)"],
                             rows: rows, align: ["l", "r", "r", "r", "r", "r", "r"])
    }

    /// The action task's loss against training steps per contender: held-out chunks left, training chunks right.
    func learningCurves(_ c: Config, perSeed: [[String: ContenderCells]]) -> Figure {
        func panel(_ title: String, _ value: @escaping (ActionLoss) -> Double, legend: Bool) -> Panel {
            let series = c.rows.map { t -> Series in
                let curves = perSeed.map { $0[t]!.actionLoss }
                let points = curves[0].indices.map { i in
                    Series.Point(x: Double(curves[0][i].step), y: Statistics.mean(curves.map { value($0[i]) }))
                }
                let tokenizer = c.tokenizers.first { c.ablationName($0) == t } ?? t
                return Series(t, style: .line, points: points, color: Palette.tokenizer(tokenizer), dashed: t != tokenizer)
            }
            return Panel(title: title, x: Axis("training step"), y: Axis("action loss", unit: "nats per token", log: true),
                         series: series, legend: legend ? .bottomRight : .hidden)   // below the curves, right of the judged policies' steps
        }
        return Figure(name: "learning-curves", title: "The action task's loss during training, held-out and training chunks",
                      panels: [panel("held-out chunks (\(c.families[0].rawValue))", \.heldOut, legend: true),
                               panel("training chunks", \.training, legend: false)],
                      columns: 2, width: 1100, height: 440)
    }
}
