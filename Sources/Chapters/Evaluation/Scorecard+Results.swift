import Figures
import Foundation
import Lab
import Metrics
import Support
import Experiments

extension Scorecard {
    /// The measured class of `name` from prediction errors `mse` (by tokenizer) and tokens at the
    /// highest arm rate (by tokenizer), by the rule in the experiment file; `nil` without a prediction.
    /// A prediction whose error is not finite (a diverged model) is best avoided.
    ///
    /// A continuous policy (no entry in `tokens`) is classed against the same best tokenizer by its
    /// error alone: it writes no tokens, so the token budget of best in class does not apply, and
    /// its cost per chunk is shown beside it instead.
    func measuredClass(_ c: Config, _ name: String, mse: [String: Double], tokens: [String: Double]) -> Rating? {
        guard let own = mse[name] else { return nil }
        guard own.isFinite, let best = c.predictionTokenizers.compactMap({ mse[$0] }).filter(\.isFinite).min() else { return .avoid }
        let ratio = best > 0 ? own / best : (own == 0 ? 1 : .infinity)
        let withinBudget = tokens[name].map { $0 / tokens[c.baseline]! <= c.bestTokens } ?? true
        if ratio <= c.bestMSE && withinBudget { return .best }
        if ratio <= c.goodMSE { return .good }
        if ratio <= c.situationalMSE { return .situational }
        return .avoid
    }

    func outcome(_ c: Config, perSeed seedRows: [SeedRows], claims: [ClaimSpec], inputHash: String) throws -> ExperimentOutcome {
        let perSeed = seedRows.map(\.rows)
        func series(_ name: String, _ f: (Row) -> Double) -> [Double] { perSeed.map { f($0[name]!) } }
        func continuous(_ name: String, _ f: (SplinePrediction.ContinuousCell) -> Double) -> [Double] { seedRows.map { f($0.continuous[name]!) } }
        /// The measured classes of one seed under `recipe` (its variants in place of their tokenizers), by base name.
        func classes(_ seed: SeedRows, _ recipe: Recipe = .reference) -> [String: Rating] {
            let rows = seed.under(recipe, c.setup.settings).rows
            let mse = rows.compactMapValues { $0.prediction?.mse }.merging(seed.continuous.mapValues(\.mse)) { a, _ in a }
            let tokens = rows.mapValues { $0.tokens.last! }
            return Dictionary(uniqueKeysWithValues: (c.tokenizers + c.predictionPolicies).compactMap { n in measuredClass(c, n, mse: mse, tokens: tokens).map { (n, $0) } })
        }
        let hzLast = Format.parameter(c.frequencies.last!)

        var metrics: [MetricSeries] = []
        for (base, recipe) in c.measured {
            let name = recipe.key(base), cond = recipe.condition(base)
            for (i, hz) in c.frequencies.enumerated() {
                metrics.append(MetricSeries(condition: cond + [("frequency_hz", Format.parameter(hz))], metric: "tokens_per_chunk",
                                            unit: "tokens / 1 s chunk", scale: .log, perSeed: series(name) { $0.tokens[i] }))
            }
            metrics.append(MetricSeries(condition: cond + [("frequency_hz", hzLast)], metric: "relative_rmse", unit: "RMSE / std", scale: .log, perSeed: series(name, \.relativeRMSE)))
            if seedRows[0].rows[name]!.floorRelativeRMSE != nil {
                metrics.append(MetricSeries(condition: cond + [("quantiser", "none"), ("frequency_hz", hzLast)], metric: "relative_rmse", unit: "RMSE / std",
                                            scale: .log, perSeed: series(name) { $0.floorRelativeRMSE! }))
            }
            metrics.append(MetricSeries.wallClock(condition: cond + [("frequency_hz", hzLast)], metric: "encode_time", unit: "µs / chunk (machine-dependent)", perSeed: series(name, \.encodeMicros)))
            metrics.append(MetricSeries.wallClock(condition: cond + [("frequency_hz", hzLast)], metric: "decode_time", unit: "µs / chunk (machine-dependent)", perSeed: series(name, \.decodeMicros)))
            if c.predictionTokenizers.contains(base) {
                let steps: [(name: String, value: String)] = cond + [("steps", String(c.predictionSteps))]
                metrics.append(MetricSeries(condition: steps, metric: "prediction_mse", unit: "squared units", scale: .log, perSeed: series(name) { $0.prediction!.mse }))
                metrics.append(MetricSeries(condition: steps, metric: "decode_failures", unit: "share", scale: .proportion, perSeed: series(name) { $0.prediction!.decodeFailures }))
                metrics.append(MetricSeries(condition: steps, metric: "class_index", unit: "0 best ... 3 avoid",
                                            scale: .ordinal, perSeed: seedRows.map { seed in Double(Rating.allCases.firstIndex(of: classes(seed, recipe)[base]!)!) }))
                metrics.append(MetricSeries.wallClock(condition: steps, metric: "chunk_time", unit: "s / chunk (machine-dependent)", perSeed: series(name) { $0.prediction!.chunkSeconds }))
            }
        }
        for name in c.predictionPolicies {
            let steps: [(name: String, value: String)] = [("policy", name), ("steps", String(c.predictionSteps))]
            metrics.append(MetricSeries(condition: steps, metric: "prediction_mse", unit: "squared units", scale: .log, perSeed: continuous(name, \.mse)))
            metrics.append(MetricSeries(condition: steps, metric: "function_evaluations", unit: "per chunk", scale: .log, perSeed: continuous(name) { Double($0.functionEvaluations) }))
            metrics.append(MetricSeries(condition: steps, metric: "class_index", unit: "0 best ... 3 avoid",
                                        scale: .ordinal, perSeed: seedRows.map { seed in Double(Rating.allCases.firstIndex(of: classes(seed)[name]!)!) }))
            metrics.append(MetricSeries.wallClock(condition: steps, metric: "chunk_time", unit: "s / chunk (machine-dependent)", perSeed: continuous(name, \.chunkSeconds)))
        }

        // The table and the figure use the centres over seeds (errors: geometric means, as on
        // their log scale; token counts: arithmetic means), and the measured class of those centres.
        /// The centres under `recipe` by base name (each earlier variant in place of its tokenizer).
        func centres(_ recipe: Recipe) -> (mse: [String: Double], tokens: [String: Double]) {
            let key = { (name: String) in c.setup.settings.key(name, under: recipe) }
            let mse = Dictionary(uniqueKeysWithValues: c.predictionTokenizers.map { ($0, SeedSummary(series(key($0)) { $0.prediction!.mse }, scale: .log).mean) }
                + c.predictionPolicies.map { ($0, SeedSummary(continuous($0, \.mse), scale: .log).mean) })
            let tokens = Dictionary(uniqueKeysWithValues: c.tokenizers.map { ($0, Statistics.mean(series(key($0)) { $0.tokens.last! })) })
            return (mse, tokens)
        }
        let (meanMSE, meanTokens) = centres(.reference)
        var rows: [[String]] = []
        var measuredClasses: [String: Rating] = [:]
        for (base, recipe) in c.measured {
            let name = recipe.key(base), predicted = c.predictionTokenizers.contains(base)
            var row = [recipe.label(base), c.audit[base]?.label ?? "not rated"]
            row += c.frequencies.indices.map { i in Format.number(Statistics.mean(series(name) { $0.tokens[i] })) }
            row.append(Format.interval(SeedSummary(series(name, \.relativeRMSE), scale: .log)))
            if predicted {
                row.append(Format.interval(SeedSummary(series(name) { $0.prediction!.mse }, scale: .log)))
            } else {
                row.append("full profile")
            }
            row.append(Format.number(Statistics.mean(series(name, \.encodeMicros)), significant: 2))
            row.append(Format.number(Statistics.mean(series(name, \.decodeMicros)), significant: 2))
            row.append(predicted ? Format.number(100 * Statistics.mean(series(name) { $0.prediction!.decodeFailures })) + " %" : "—")
            row.append(predicted
                ? "\(Format.number(Statistics.mean(series(name) { $0.prediction!.predictedTokens }))) tokens, \(Format.number(1000 * Statistics.mean(series(name) { $0.prediction!.chunkSeconds }), significant: 2)) ms"
                : "—")
            let centre = recipe == .reference ? (meanMSE, meanTokens) : centres(recipe)
            let measured = measuredClass(c, base, mse: centre.0, tokens: centre.1)
            if recipe == .reference { measuredClasses[base] = measured }
            row.append(measured?.label ?? "—")
            if let measured, let audit = c.audit[base] {
                row.append(measured == audit ? "agrees" : "differs")
            } else {
                row.append("—")
            }
            rows.append(row)
        }
        for name in c.predictionPolicies {
            var row = [name + " (continuous)", c.audit[name]?.label ?? "not rated"]
            row += c.frequencies.map { _ in "—" } + ["—", Format.interval(SeedSummary(continuous(name, \.mse), scale: .log)), "—", "—", "—"]
            row.append("\(Format.number(Statistics.mean(continuous(name) { Double($0.functionEvaluations) }))) evaluations, \(Format.number(1000 * Statistics.mean(continuous(name, \.chunkSeconds)), significant: 2)) ms")
            let measured = measuredClass(c, name, mse: meanMSE, tokens: meanTokens)
            measuredClasses[name] = measured
            row.append(measured?.label ?? "—")
            row.append(measured.flatMap { m in c.audit[name].map { m == $0 ? "agrees" : "differs" } } ?? "—")
            rows.append(row)
        }
        let header = ["contender", "audit (high frequency)"] + c.frequencies.map { "tokens @ \(Format.parameter($0)) Hz" }
            + ["relative RMSE @ \(hzLast) Hz", "prediction MSE @ \(c.predictionSteps) steps", "encode µs", "decode µs", "decode failures",
               "cost per chunk @ \(c.predictionSteps) steps", "measured", "vs audit"]
        var blocks: [ResultBlock] = []
        if let figure = figure(c, perSeed: seedRows, measured: measuredClasses) {
            let bounds = Self.classBoundaries(c).map { "\($0.name) within \(Format.parameter($0.multiple))x" }.joined(separator: ", ")
            blocks.append(.figure(figure, caption:
                "The quantity the rating rule uses: each rated tokenizer's prediction MSE on the frequency sweep's spline task at \(c.predictionSteps) steps per sequence, in its palette colour; points are geometric means over \(perSeed.count) seed(s), bars 95 % intervals computed on the log scale (cut by the border where they run far beyond the data; none with one seed). The dashed lines are the rule's class boundaries from the experiment file, multiples of the lowest drawn error: \(bounds); best avoided beyond. Best in class also needs at most \(Format.percent(c.bestTokens)) of per-step binning's tokens at \(hzLast) Hz. Under each tokenizer: the audit's rating and the measured class of the table (the rule applied to the geometric means drawn here); the claims judge the class seed by seed."))
        }
        blocks.append(
            .table(MarkdownTable(header: header, rows: rows,
                                 align: header.indices.map { $0 < 2 || $0 >= header.count - 2 ? "l" : "r" }), caption:
                "Every registered tokenizer and continuous policy on the same axes. Tokens per one-second chunk and reconstruction error are measured on the synthetic 7-dimensional arm; prediction MSE is the frequency sweep's spline task at \(c.predictionSteps) steps per sequence (95 % intervals over seeds); decode failures are the predictions strict decoding rejects; encode and decode times are per chunk at \(hzLast) Hz on this machine (they vary between runs and machines). Cost per chunk is what one predicted spline of \(c.predictionSteps) steps takes: the tokens generated (one forward pass each, with the KV cache) or the network evaluations of a continuous policy, and the wall-clock milliseconds to produce one chunk alone on this machine. A continuous policy writes no tokens; it is classed by its error alone, against the same best tokenizer. The measured class: best in class within \(Format.parameter(c.bestMSE))x of the best prediction error with at most \(Format.percent(c.bestTokens)) of per-step binning's tokens at \(hzLast) Hz; good within \(Format.parameter(c.goodMSE))x; situational within \(Format.parameter(c.situationalMSE))x; best avoided beyond. The audit's ratings are from its section \"High-frequency performance\"."))
        let floored = c.tokenizers.filter { seedRows[0].rows[$0]!.floorRelativeRMSE != nil }
        if !floored.isEmpty {
            let parts = floored.map { name in
                "\(name): \(Format.interval(SeedSummary(series(name) { $0.floorRelativeRMSE! }, scale: .log))) with no quantiser, against \(Format.interval(SeedSummary(series(name, \.relativeRMSE), scale: .log))) with its codes"
            }
            blocks.append(.text("Unquantised floor at \(hzLast) Hz (the learned tokenizer's encoder and decoder, same settings and steps, trained and measured with the quantiser bypassed; relative RMSE, 95 % intervals over \(perSeed.count) seed(s)): \(parts.joined(separator: "; ")). The gap between the two is what quantisation costs; the floor is what the autoencoder itself leaves."))
        }
        let statistic: (String, ParameterReader) throws -> [[Double]] = { name, select in
            guard name == "class_index" else {
                throw ConfigError(location: select.location, key: "statistic", problem: "unknown statistic '\(name)'; this experiment computes class_index")
            }
            let tok = try select.string("tokenizer", allowed: c.predictionTokenizers)
            let recipe = try Recipe.read(select, earlierMeasured: !c.earlier.isEmpty, table: "[parameters.earlier_settings]")
            return seedRows.map { seed in [Double(Rating.allCases.firstIndex(of: classes(seed, recipe)[tok]!)!)] }
        }
        var outcome = ExperimentOutcome(metrics: metrics, blocks: blocks, inputDataHash: inputHash, statistic: statistic)
        if !c.earlier.isEmpty {
            let changed = c.earlier.map { "\($0) (\(Format.settings(c.setup.settings.earlierTables[$0]!)))" }.joined(separator: ", ")
            outcome.blocks.append(.table(try outcome.claimsTable(claims, settings: Recipe.claimSettings, location: "evaluation/scorecard"), caption:
                "The claims decided by their own rules under each recipe: the reference recipe (judged; the ledger's verdicts) and the book's earlier tokenizer recipe, an ablation in which \(changed) stand in for their tokenizers (fitted from the same seeds, with their own prediction models), and every class is taken again against that set's best."))
        }
        return outcome
    }
}
