import Figures
import Foundation
import Metrics
import Simulation
import Support
import Experiments

extension InferenceDelay {
    /// Metrics, figures, the tables and the claim statistics from every seed's episodes; with
    /// ablations, their figure and table and the claims decided under each demonstration set.
    func outcome(_ c: Config, perSeed: [SeedCells], inputHash: String, claims: [ClaimSpec] = []) throws -> ExperimentOutcome {
        /// One seed's measurements on demonstration set `v` (the judged set's, or an ablation's).
        func run(_ cells: SeedCells, _ v: String) -> Run {
            v == Self.bimodal ? Run(reports: cells.reports, expert: cells.expert, finalLoss: cells.finalLoss) : cells.ablations[v]!
        }
        func mean(_ cells: SeedCells, _ s: String, _ d: Int, _ value: (TrackingTask.Report) -> Double, _ v: String = Self.bimodal) -> Double {
            Statistics.mean(run(cells, v).reports[Key(strategy: s, delay: d)]!.map(value))
        }
        /// Summaries and the expert's means on demonstration set `v`.
        func summaries(_ v: String) -> Summaries {
            Summaries(summary: { s, d, scale, value in SeedSummary(perSeed.map { mean($0, s, d, value, v) }, scale: scale) },
                      expert: { s, d, value in
                          guard perSeed.allSatisfy({ run($0, v).expert[Key(strategy: s, delay: d)] != nil }) else { return nil }
                          return Statistics.mean(perSeed.map { Statistics.mean(run($0, v).expert[Key(strategy: s, delay: d)]!.map(value)) })
                      })
        }
        let judged = summaries(Self.bimodal)
        let summary = judged.summary, expert = judged.expert
        let names = c.strategies.map(\.name)

        var metrics: [MetricSeries] = [MetricSeries(condition: [], metric: "final_training_loss", unit: "MSE (scaled velocity)", scale: .log, perSeed: perSeed.map(\.finalLoss))]
        for s in names {
            for d in c.delays {
                let cond: [(name: String, value: String)] = [("strategy", s), ("delay_steps", String(d))]
                metrics.append(MetricSeries(condition: cond, metric: "within_tolerance", scale: .proportion, perSeed: perSeed.map { mean($0, s, d, \.withinTolerance) }))
                metrics.append(MetricSeries(condition: cond, metric: "mean_distance", unit: "task units", scale: .log, perSeed: perSeed.map { mean($0, s, d, \.meanDistance) }))
                metrics.append(MetricSeries(condition: cond, metric: "switch_jerk", unit: "task units / step", scale: .linear, perSeed: perSeed.map { mean($0, s, d, \.switchJerk) }))
                metrics.append(MetricSeries(condition: cond, metric: "within_chunk_jerk", unit: "task units / step", scale: .linear, perSeed: perSeed.map { mean($0, s, d, \.withinChunkJerk) }))
            }
        }

        for v in c.ablations {
            let tag: [(name: String, value: String)] = [("demonstrations", v)]
            metrics.append(MetricSeries(condition: tag, metric: "final_training_loss", unit: "MSE (scaled velocity)", scale: .log, perSeed: perSeed.map { run($0, v).finalLoss }))
            for s in names {
                for d in c.delays {
                    let cond: [(name: String, value: String)] = tag + [("strategy", s), ("delay_steps", String(d))]
                    metrics.append(MetricSeries(condition: cond, metric: "within_tolerance", scale: .proportion, perSeed: perSeed.map { mean($0, s, d, \.withinTolerance, v) }))
                    metrics.append(MetricSeries(condition: cond, metric: "switch_jerk", unit: "task units / step", scale: .linear, perSeed: perSeed.map { mean($0, s, d, \.switchJerk, v) }))
                }
            }
        }

        let reference = summary("synchronous", 0, .proportion, \.withinTolerance)
        var blocks: [ResultBlock] = [
            .figure(successFigure(c, summary: summary, expert: expert, reference: reference.mean), caption:
                "Share of control steps within \(Format.parameter(c.task.tolerance)) of the target against the inference delay, per execution strategy (\(c.episodes) episodes of \(c.task.steps) steps per seed and point, the same targets for all; means over seeds with 95 % intervals cut to [0, 100] %, each strategy nudged sideways). The delay is in control steps at \(Format.parameter(c.rate)) Hz; chunks hold \(c.chunkLength) actions, of which \(c.executed) run before the next chunk takes over. The dashed line is 90 % of synchronous execution's success at delay 0, the claims' threshold; delays right of the vertical line (a third of the chunk or more) are the ones judged. Hollow markers on dashed lines: the scripted expert that made the demonstrations, run under the same schedules (a random side per chunk; under real-time chunking it blends towards the actions it must keep and replans from them), what each schedule costs a policy that inpaints perfectly. `rtc-hard` is real-time chunking with hard inpainting, an ablation, never judged."),
            .figure(jerkFigure(c, summary: summary), caption:
                "Mean change of action at chunk switches (solid) and within chunks (dashed), per strategy, against the delay (means over seeds with 95 % intervals, each strategy nudged sideways). Synchronous execution's switches include the stop and restart around each wait."),
            .table(table(c, summary: summary, expert: expert), caption:
                "Per strategy and delay: the share of steps within tolerance and the mean distance to the target (95 % intervals over seeds), the jerk at switches and within chunks (means over seeds), and the scripted expert's share under the same schedule (mean over seeds). The policy's final training loss: \(Format.interval(SeedSummary(perSeed.map(\.finalLoss), scale: .log)))."),
        ]
        for v in c.ablations {
            let a = summaries(v)
            blocks.append(.figure(successFigure(c, summary: a.summary, expert: a.expert,
                                                reference: a.summary("synchronous", 0, .proportion, \.withinTolerance).mean, demonstrations: v), caption:
                "Ablation, never judged: the same as the first figure for a policy trained on \(v) demonstrations (the expert goes straight to the target, so two chunks cannot disagree about a side), from the same draws: positions, targets, weights, batches and sampling noise. The dashed line is 90 % of this policy's synchronous success at delay 0."))
            blocks.append(.table(table(c, summary: a.summary, expert: a.expert), caption:
                "Ablation, \(v) demonstrations: per strategy and delay, as in the table above. The policy's final training loss: \(Format.interval(SeedSummary(perSeed.map { run($0, v).finalLoss }, scale: .log)))."))
        }

        let statistic: (String, ParameterReader) throws -> [[Double]] = { name, select in
            let strategy = try select.string("strategy", allowed: names)
            let v = try select.string("demonstrations", default: Self.bimodal, allowed: [Self.bimodal] + c.ablations)
            let lo = try select.double("min_delay_share", default: 0), hi = try select.double("max_delay_share", default: 1)
            let delays = c.delays.filter { Double($0) / Double(c.chunkLength) >= lo && Double($0) / Double(c.chunkLength) <= hi }
            guard !delays.isEmpty else {
                throw ConfigError(location: select.location, key: "min_delay_share", problem: "selects no measured delay (delays \(c.delays.map(String.init).joined(separator: ", ")) of a \(c.chunkLength)-step chunk)")
            }
            switch name {
            case "success_retained":
                return perSeed.map { cells in delays.map { mean(cells, strategy, $0, \.withinTolerance, v) / mean(cells, "synchronous", 0, \.withinTolerance, v) } }
            case "switch_jerk_ratio":
                let versus = try select.string("versus", allowed: names)
                return perSeed.map { cells in delays.map { mean(cells, strategy, $0, \.switchJerk, v) / mean(cells, versus, $0, \.switchJerk, v) } }
            default:
                throw ConfigError(location: select.location, key: "statistic", problem: "unknown statistic '\(name)'; this experiment computes \(statistics.keys.sorted().joined(separator: ", "))")
            }
        }
        var outcome = ExperimentOutcome(metrics: metrics, blocks: blocks, inputDataHash: inputHash, statistic: statistic)
        if !c.ablations.isEmpty {
            let settings = [ClaimSetting("\(Self.bimodal) demonstrations (judged)")]
                + c.ablations.map { ClaimSetting("\($0) demonstrations (ablation)", select: [("demonstrations", .string($0))]) }
            outcome.blocks.append(.table(try outcome.claimsTable(claims, settings: settings, location: "deployment/inference-delay"), caption:
                "The claims decided by their own rules on each demonstration set (each against its own policy's synchronous success at delay 0). Only the judged set's verdicts enter the ledger."))
        }
        return outcome
    }

    /// A demonstration set's per-strategy-and-delay summaries over seeds and the expert's means (nil where it did not run).
    struct Summaries {
        let summary: (String, Int, StatisticScale, @escaping (TrackingTask.Report) -> Double) -> SeedSummary
        let expert: (String, Int, (TrackingTask.Report) -> Double) -> Double?
    }

    /// Palette colour of a strategy: synchronous black, naive asynchronous grey, real-time chunking
    /// flow's brown, its hard-inpainting ablation olive.
    static func color(_ s: String) -> Int {
        s == "synchronous" ? Palette.reference : s == "rtc" ? Palette.tokenizer("flow") : s == "rtc-hard" ? Palette.tokenizer("diffusion") : Palette.neutral
    }

    func delayAxis(_ c: Config) -> Axis {
        Axis("inference delay (control steps at \(Format.parameter(c.rate)) Hz; \(Format.number(1000 / c.rate)) ms each)",
             range: -0.5...(Double(c.delays.last!) + 0.5), tics: c.delays.map { (value: Double($0), label: String($0)) })
    }

    func successFigure(_ c: Config, summary: (String, Int, StatisticScale, @escaping (TrackingTask.Report) -> Double) -> SeedSummary,
                       expert: (String, Int, (TrackingTask.Report) -> Double) -> Double?, reference: Double,
                       demonstrations: String = InferenceDelay.bimodal) -> Figure {
        var series: [Series] = []
        let names = c.strategies.map(\.name)
        for (i, s) in names.enumerated() {
            let nudge = DeploymentFigures.nudge(i, of: names.count)
            let shown = c.delays.compactMap { d in expert(s, d, \.withinTolerance).map { Series.Point(x: Double(d), y: $0 * 100) } }
            if shown.count == c.delays.count {
                series.append(Series("expert, \(s)", style: .linePoints, points: shown, color: Self.color(s), dashed: true, marker: .hollowCircle))
            }
            let points = c.delays.map { d -> Series.Point in
                let v = summary(s, d, .proportion, \.withinTolerance)
                return Series.Point(x: Double(d) + nudge, y: v.mean * 100, low: v.n > 1 ? v.low * 100 : nil, high: v.n > 1 ? v.high * 100 : nil)
            }
            series.append(Series(s, style: .linePoints, points: points, color: Self.color(s)))
            series.append(Series("\(s) 95 % CI", style: .errorBars, points: points, color: Self.color(s), inLegend: false))
        }
        var references = [Reference(.horizontal, at: 90 * reference, label: "90 % of synchronous at delay 0", color: Palette.neutral,
                                    inLegend: false, note: "90 % of undelayed")]
        if let first = c.delays.first(where: { Double($0) / Double(c.chunkLength) >= 0.33 }) {
            references.append(Reference(.vertical, at: Double(first) - 0.5, label: "judged from here", color: Palette.neutral, inLegend: false, note: "(d) judged →"))
        }
        let judged = demonstrations == Self.bimodal
        return Figure(name: judged ? "success-vs-delay" : "success-vs-delay-\(demonstrations)",
                      title: judged ? "Tracking success against inference delay" : "Tracking success against inference delay, \(demonstrations) demonstrations (ablation)",
                      x: delayAxis(c), y: Axis("steps within tolerance", unit: "%", range: 0...100), series: series, legend: .bottomLeft,
                      references: references)
    }

    func jerkFigure(_ c: Config, summary: (String, Int, StatisticScale, @escaping (TrackingTask.Report) -> Double) -> SeedSummary) -> Figure {
        var series: [Series] = []
        var top = 0.0
        let names = c.strategies.map(\.name)
        for (i, s) in names.enumerated() {
            let nudge = DeploymentFigures.nudge(i, of: names.count)
            let switches = c.delays.map { d -> Series.Point in
                let v = summary(s, d, .linear, \.switchJerk)
                top = max(top, v.n > 1 ? v.high : v.mean)
                return Series.Point(x: Double(d) + nudge, y: v.mean, low: v.n > 1 ? max(0, v.low) : nil, high: v.n > 1 ? v.high : nil)
            }
            let within = c.delays.map { d in Series.Point(x: Double(d), y: summary(s, d, .linear, \.withinChunkJerk).mean) }
            series.append(Series("\(s) at switches", style: .linePoints, points: switches, color: Self.color(s)))
            series.append(Series("\(s) 95 % CI", style: .errorBars, points: switches, color: Self.color(s), inLegend: false))
            series.append(Series("\(s) within chunks", style: .linePoints, points: within, color: Self.color(s), dashed: true, marker: .hollowCircle))
        }
        return Figure(name: "jerk-vs-delay", title: "Change of action at chunk switches and within chunks",
                      x: delayAxis(c), y: Axis("mean change of action", unit: "units / step", range: 0...(top * 1.35)), series: series, legend: .topLeft)
    }

    func table(_ c: Config, summary: (String, Int, StatisticScale, @escaping (TrackingTask.Report) -> Double) -> SeedSummary,
               expert: (String, Int, (TrackingTask.Report) -> Double) -> Double?) -> MarkdownTable {
        var rows: [[String]] = []
        for s in c.strategies.map(\.name) {
            for d in c.delays {
                rows.append([s, "\(d) (\(Format.number(Double(d) / c.rate * 1000)) ms)",
                             Format.percentInterval(summary(s, d, .proportion, \.withinTolerance)),
                             Format.interval(summary(s, d, .log, \.meanDistance)),
                             Format.number(summary(s, d, .linear, \.switchJerk).mean),
                             Format.number(summary(s, d, .linear, \.withinChunkJerk).mean),
                             expert(s, d, \.withinTolerance).map { Format.number($0 * 100) + " %" } ?? "—"])
            }
        }
        return MarkdownTable(header: ["strategy", "delay (steps)", "steps within tolerance", "mean distance", "jerk at switches", "jerk within chunks", "expert within tolerance"], rows: rows)
    }
}
