import ActionData
import Figures
import Foundation
import Lab
import Metrics
import Support
import Tokenizers
import Experiments

extension TokenStasis {
    /// The two evaluated sets, in table order.
    enum EvalSet: String, CaseIterable { case inFamily = "in-family", unseen }

    /// The per-seed measure of `tok` on `set`.
    static func measure(_ r: SeedResult, _ tok: String, _ set: EvalSet) -> Measure { set == .inFamily ? r.inFamily[tok]! : r.unseen[tok]! }

    /// The error of `tok` on `set` in one seed, on `scale`.
    static func error(_ r: SeedResult, _ tok: String, _ set: EvalSet, _ scale: ErrorScale) -> Double {
        error(measure(r, tok, set), fitStd: r.fitStd, scale: scale)
    }

    /// The error of `tok`'s unquantised floor on `set` in one seed, on `scale` (the yardstick of ``error(_:_:_:_:)``).
    static func floorError(_ r: SeedResult, _ tok: String, _ set: EvalSet, _ scale: ErrorScale) -> Double {
        var m = measure(r, tok, set)
        m.rmse = set == .inFamily ? r.floor[tok]!.inFamily : r.floor[tok]!.unseen
        return error(m, fitStd: r.fitStd, scale: scale)
    }

    /// Unseen error over in-family error of `tok` in one seed.
    static func degradation(_ r: SeedResult, _ tok: String, _ scale: ErrorScale) -> Double {
        error(r, tok, .unseen, scale) / error(r, tok, .inFamily, scale)
    }

    /// The claim's statistic in one seed: `tok`'s degradation over the median degradation of the
    /// training-free tokenizers; under the earlier recipe, each tokenizer measured under it stands
    /// in for itself (the others are the same under both recipes).
    static func degradationRatio(_ r: SeedResult, _ tok: String, _ c: Config, _ scale: ErrorScale, _ recipe: Recipe = .reference) -> Double {
        let key = { (t: String) in c.settings.key(t, under: recipe) }
        return degradation(r, key(tok), scale) / median(c.trainingFree.map { degradation(r, key($0), scale) })
    }

    /// A share as a percentage with three significant digits, e.g. `13.3 %`.
    static func percent(_ share: Double) -> String { Format.number(share * 100) + " %" }

    /// The median (the mean of the middle two for an even count).
    static func median(_ v: [Double]) -> Double {
        let s = v.sorted(), n = s.count
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
    }

    /// Metrics, figures, tables and the claim statistics from the per-seed results.
    func outcome(_ c: Config, _ results: [SeedResult], claims: [ClaimSpec], inputHash: String) throws -> ExperimentOutcome {
        let names = RobotArmGenerator.dimensionNames
        let units = ["m/step", "m/step", "m/step", "rad/step", "rad/step", "rad/step", "command"]
        var metrics: [MetricSeries] = []
        for (name, recipe) in c.measured {
            let tok = recipe.key(name), t = recipe.condition(name)
            for set in EvalSet.allCases {
                let cond = t + [("set", set.rawValue)]
                for scale in ErrorScale.allCases {
                    metrics.append(MetricSeries(condition: cond, metric: "error_\(scale.rawValue)_scale", unit: "RMSE / std",
                                                scale: .log, perSeed: results.map { Self.error($0, tok, set, scale) }))
                }
                metrics.append(MetricSeries(condition: cond, metric: "tokens_per_chunk", scale: .log, perSeed: results.map { Self.measure($0, tok, set).tokensPerChunk }))
                if Self.measure(results[0], tok, set).clipped != nil {
                    metrics.append(MetricSeries(condition: cond, metric: "clipped_share", scale: .proportion, perSeed: results.map { Self.measure($0, tok, set).clipped! }))
                }
                for (d, dn) in names.enumerated() {
                    metrics.append(MetricSeries(condition: cond + [("dimension", dn)], metric: "rmse", unit: units[d], scale: .log, perSeed: results.map { Self.measure($0, tok, set).rmse[d] }))
                }
                if results[0].usage[tok] != nil {
                    let usage = { (r: SeedResult) in set == .inFamily ? r.usage[tok]!.inFamily : r.usage[tok]!.unseen }
                    for l in 0..<usage(results[0]).counts.count {
                        metrics.append(MetricSeries(condition: cond + [("layer", "\(l)")], metric: "codes_used", scale: .linear, perSeed: results.map { Double(usage($0).distinctCodes[l]) }))
                        metrics.append(MetricSeries(condition: cond + [("layer", "\(l)")], metric: "perplexity", scale: .log, perSeed: results.map { usage($0).perplexity[l] }))
                    }
                    metrics.append(MetricSeries(condition: cond, metric: "code_combinations", scale: .linear, perSeed: results.map { Double(usage($0).combinations) }))
                }
            }
            for scale in ErrorScale.allCases {
                metrics.append(MetricSeries(condition: t, metric: "unseen_over_in_family_\(scale.rawValue)_scale", scale: .log, perSeed: results.map { Self.degradation($0, tok, scale) }))
            }
            if results[0].floor[tok] != nil {
                for set in EvalSet.allCases {
                    for scale in ErrorScale.allCases {
                        metrics.append(MetricSeries(condition: t + [("quantiser", "none"), ("set", set.rawValue)], metric: "error_\(scale.rawValue)_scale", unit: "RMSE / std",
                                                    scale: .log, perSeed: results.map { Self.floorError($0, tok, set, scale) }))
                    }
                }
            }
            // The fit's loss at a tenth, half and all of its steps: a flat curve shows it converged.
            if let curve = results[0].fitLoss[tok], let last = curve.last?.step {
                for (label, step) in [("tenth", last / 10), ("half_way", last / 2), ("end", last)] {
                    metrics.append(MetricSeries(condition: t, metric: "fit_loss_\(label)", unit: "L1, standardised units", scale: .log,
                                                perSeed: results.map { $0.fitLoss[tok]!.loss(nearestTo: step) }))
                }
            }
        }
        for recipe in c.earlier.isEmpty ? [Recipe.reference] : Recipe.allCases {
            for tok in c.learned {
                for scale in ErrorScale.allCases {
                    metrics.append(MetricSeries(condition: recipe.condition(tok), metric: "degradation_ratio_\(scale.rawValue)_scale",
                                                scale: .log, perSeed: results.map { Self.degradationRatio($0, tok, c, scale, recipe) }))
                }
            }
        }
        for (d, dn) in names.enumerated() {
            let cond: [(name: String, value: String)] = [("dimension", dn)]
            metrics.append(MetricSeries(condition: cond, metric: "fit_family_std", unit: units[d], scale: .log, perSeed: results.map { $0.fitStd[d] }))
            metrics.append(MetricSeries(condition: cond, metric: "unseen_family_std", unit: units[d], scale: .log, perSeed: results.map { $0.unseen[c.learned[0]]!.std[d] }))
            metrics.append(MetricSeries(condition: cond, metric: "unseen_outside_fitted_range", scale: .proportion, perSeed: results.map { $0.outsideRange[d] }))
            metrics.append(MetricSeries(condition: cond, metric: "unseen_outside_fitted_percentiles", scale: .proportion, perSeed: results.map { $0.outsidePercentiles[d] }))
        }

        let scaleText = c.errorScale == .fit
            ? "each dimension's RMSE divided by that dimension's standard deviation over the fitting chunks (\(c.fitFamily.rawValue)), averaged over the 7 dimensions; the same yardstick for both sets"
            : "each dimension's RMSE divided by the evaluated set's own standard deviation, averaged over the dimensions that vary in it"
        var blocks: [ResultBlock] = []
        blocks.append(.figure(exampleFigure(c, results[0]), caption:
            "The first held-out chunk of each family (first seed, \(Format.parameter(c.chunkSeconds)) s at \(Format.parameter(c.frequency)) Hz): the translation actions dx (filled circles) and dy (hollow triangles) in black, and what \(c.learned[0]), fitted on \(c.fitFamily.rawValue), decodes from its tokens (dashed, in its palette colour)."))
        blocks.append(.figure(errorFigure(c, results), caption:
            "Reconstruction error of every tokenizer on held-out \(c.fitFamily.rawValue) chunks (in family) and on \(c.unseenFamily.rawValue) chunks (unseen), all fitted on \(c.fitChunks) \(c.fitFamily.rawValue) chunks; error is \(scaleText). Each tokenizer in its palette colour, in family as filled circles (left), unseen as hollow squares (right). Points are geometric means over \(results.count) seed(s), bars 95 % intervals on the log scale; log axis."))
        blocks.append(.table(errorTable(c, results), caption:
            "Reconstruction error (\(scaleText)) on \(c.evalChunks) held-out chunks of each family, its ratio, and tokens per chunk; 95 % intervals over \(results.count) seed(s). A learned tokenizer's *unquantised floor* row is its encoder and decoder, same settings and steps, trained and measured with the quantiser bypassed: the part of its error that no choice of codes removes. Clipped: the share of FAST's DCT coefficients outside its fitted alphabet and of BEAST's control points outside their fitted bounds while encoding the unseen chunks (values outside the fitted range or percentiles, which the binning tokenizers clamp, as FAST's normalisation does only when set to clip, are in Table 3)."))
        blocks.append(.table(dimensionTable(c, results), caption:
            "Reconstruction error per dimension, in family → unseen (RMSE divided by the dimension's standard deviation over the fitting chunks, means over seeds; the gripper of the unseen family is constant). On the `fit` scale, Table 1's error is the mean of a column's seven values."))
        blocks.append(.table(dataTable(c, results), caption:
            "The two families dimension by dimension (means over seeds): standard deviation, and the share of unseen values outside the fitting values' range (where min-max binning clamps) and outside their 1st to 99th percentiles (where OpenVLA binning clips, and FAST's normalisation when set to clip)."))
        if let tok = c.learned.first(where: { results[0].usage[$0] != nil }) {
            blocks.append(.table(usageTable(tok, results), caption:
                "How many of \(tok)'s codes each set uses (means over seeds): distinct codes per layer, perplexity (the effective number of codes) per layer, and distinct combinations."))
        }
        blocks.append(.table(MarkdownTable(header: ["tokenizer", "settings (registry defaults unless the experiment file sets them)"],
                                           rows: c.measured.map { [$0.recipe.label($0.name), results[0].settings[$0.recipe.key($0.name)]!] },
                                           align: ["l", "l"]), caption:
            "Every tokenizer's resolved settings\(c.earlier.isEmpty ? "" : ", and those of the earlier recipe measured beside it (`[parameters.earlier_settings]` laid over them)"); the residual VQ's seed is drawn per seed."))
        let perSeed = c.learned.map { tok in "\(tok): " + results.map { Format.number(Self.degradationRatio($0, tok, c, c.errorScale)) }.joined(separator: ", ") }
        let other: ErrorScale = c.errorScale == .fit ? .evaluated : .fit
        let alt = c.learned.map { tok in "\(tok) \(Format.interval(SeedSummary(results.map { Self.degradationRatio($0, tok, c, other) }, scale: .log)))" }
        blocks.append(.text("Degradation ratio per seed (unseen over in-family error of the learned tokenizer, divided by the median of the same ratio over \(c.trainingFree.joined(separator: ", "))): \(perSeed.joined(separator: "; ")). With the other error scale (`\(other.rawValue)`, not the one the claim is judged on): \(alt.joined(separator: "; "))."))

        let statistic: (String, ParameterReader) throws -> [[Double]] = { name, select in
            func recipe() throws -> Recipe { try Recipe.read(select, earlierMeasured: !c.earlier.isEmpty, table: "[parameters.earlier_settings]") }
            switch name {
            case "degradation_ratio":
                let toks = try select.strings("tokenizer", default: c.learned, allowed: c.learned), rec = try recipe()
                return results.map { r in toks.map { Self.degradationRatio(r, $0, c, c.errorScale, rec) } }
            case "unseen_over_in_family":
                let toks = try select.strings("tokenizer", default: c.learned, allowed: c.tokenizers), rec = try recipe()
                return results.map { r in toks.map { Self.degradation(r, c.settings.key($0, under: rec), c.errorScale) } }
            default:
                throw ConfigError(location: select.location, key: "statistic", problem: "unknown statistic '\(name)'; this experiment computes degradation_ratio, unseen_over_in_family")
            }
        }
        var outcome = ExperimentOutcome(metrics: metrics, blocks: blocks, inputDataHash: inputHash, statistic: statistic)
        if !c.earlier.isEmpty {
            let changed = c.earlier.map { "\($0) (\(Format.settings(c.settings.earlierTables[$0]!)))" }.joined(separator: ", ")
            outcome.blocks.append(.table(try outcome.claimsTable(claims, settings: Recipe.claimSettings, location: "training/token-stasis"), caption:
                "The claim decided by its own rule under each recipe: the reference recipe (judged; the ledger's verdict) and the book's earlier tokenizer recipe, an ablation in which \(changed) stand in for their tokenizers, fitted from the same seeds."))
        }
        return outcome
    }


    func errorTable(_ c: Config, _ results: [SeedResult]) -> MarkdownTable {
        let rows = c.measured.flatMap { name, recipe -> [[String]] in
            let tok = recipe.key(name), shown = recipe.label(name)
            let kind = c.learned.contains(name) ? "learned" : "training-free"
            let clip = results[0].unseen[tok]!.clipped.map { _ in Self.percent(Statistics.mean(results.map { $0.unseen[tok]!.clipped! })) } ?? "–"
            let row = [shown, kind,
                       Format.interval(SeedSummary(results.map { Self.error($0, tok, .inFamily, c.errorScale) }, scale: .log)),
                       Format.interval(SeedSummary(results.map { Self.error($0, tok, .unseen, c.errorScale) }, scale: .log)),
                       Format.interval(SeedSummary(results.map { Self.degradation($0, tok, c.errorScale) }, scale: .log)),
                       Format.number(Statistics.mean(results.map { $0.inFamily[tok]!.tokensPerChunk })) + " / " + Format.number(Statistics.mean(results.map { $0.unseen[tok]!.tokensPerChunk })),
                       clip]
            guard results[0].floor[tok] != nil else { return [row] }
            let floorIn = results.map { Self.floorError($0, tok, .inFamily, c.errorScale) }, floorUnseen = results.map { Self.floorError($0, tok, .unseen, c.errorScale) }
            return [row, ["\(shown), unquantised floor", "its autoencoder, no codes",
                          Format.interval(SeedSummary(floorIn, scale: .log)), Format.interval(SeedSummary(floorUnseen, scale: .log)),
                          Format.interval(SeedSummary(zip(floorUnseen, floorIn).map { $0 / $1 }, scale: .log)), "—", "–"]]
        }
        return MarkdownTable(header: ["tokenizer", "kind", "in-family error", "unseen error", "unseen / in-family", "tokens per chunk (in / unseen)", "clipped (unseen)"], rows: rows)
    }

    func dimensionTable(_ c: Config, _ results: [SeedResult]) -> MarkdownTable {
        let rows = RobotArmGenerator.dimensionNames.enumerated().map { d, dn -> [String] in
            [dn] + c.tokenizers.map { tok in
                let e = EvalSet.allCases.map { set in Statistics.mean(results.map { Self.measure($0, tok, set).rmse[d] / $0.fitStd[d] }) }
                return Format.number(e[0]) + " → " + Format.number(e[1])
            }
        }
        return MarkdownTable(header: ["dimension"] + c.tokenizers, rows: rows)
    }

    func dataTable(_ c: Config, _ results: [SeedResult]) -> MarkdownTable {
        let rows = RobotArmGenerator.dimensionNames.enumerated().map { d, dn -> [String] in
            [dn, Format.number(Statistics.mean(results.map { $0.fitStd[d] })), Format.number(Statistics.mean(results.map { $0.unseen[c.learned[0]]!.std[d] })),
             Self.percent(Statistics.mean(results.map { $0.outsideRange[d] })), Self.percent(Statistics.mean(results.map { $0.outsidePercentiles[d] }))]
        }
        return MarkdownTable(header: ["dimension", "std, \(c.fitFamily.rawValue)", "std, \(c.unseenFamily.rawValue)", "unseen outside [min, max]", "unseen outside [1st, 99th] percentile"], rows: rows)
    }

    func usageTable(_ tok: String, _ results: [SeedResult]) -> MarkdownTable {
        let rows = EvalSet.allCases.map { set -> [String] in
            let u = results.map { set == .inFamily ? $0.usage[tok]!.inFamily : $0.usage[tok]!.unseen }
            let layers = u[0].counts.indices
            return [set.rawValue,
                    layers.map { l in Format.number(Statistics.mean(u.map { Double($0.distinctCodes[l]) })) }.joined(separator: " / "),
                    layers.map { l in Format.number(Statistics.mean(u.map { $0.perplexity[l] })) }.joined(separator: " / "),
                    Format.number(Statistics.mean(u.map { Double($0.combinations) }))]
        }
        return MarkdownTable(header: ["set", "codes used per layer", "perplexity per layer", "combinations"], rows: rows)
    }

    /// In-family and unseen error per tokenizer: points with 95 % intervals, log scale.
    func errorFigure(_ c: Config, _ results: [SeedResult]) -> Figure {
        let tics = c.tokenizers.enumerated().map { (value: Double($0.offset), label: $0.element) }
        let summaries = EvalSet.allCases.map { set in c.tokenizers.map { tok in SeedSummary(results.map { Self.error($0, tok, set, c.errorScale) }, scale: .log) } }
        let means = summaries.flatMap { $0.map(\.mean) }.filter { $0 > 0 }
        let yLow = pow(10, (log10(means.min()!) - 0.3).rounded(.down)), yHigh = pow(10, log10(means.max()!).rounded(.up) + 1)
        // Each tokenizer in its palette colour; in family left as filled circles, unseen right as hollow squares.
        var series: [Series] = []
        for (j, tok) in c.tokenizers.enumerated() {
            for (i, set) in EvalSet.allCases.enumerated() {
                let s = summaries[i][j]
                let point = Series.Point(x: Double(j) + (i == 0 ? -0.12 : 0.12), y: s.mean, low: s.n > 1 ? max(s.low, yLow) : nil, high: s.n > 1 ? s.high : nil)
                let label = set == .inFamily ? "\(tok), in family (\(c.fitFamily.rawValue))" : "\(tok), unseen (\(c.unseenFamily.rawValue))"
                series.append(Series(label, style: .points, points: [point], color: Palette.tokenizer(tok), marker: i == 0 ? .circle : .hollowSquare))
                if point.low != nil {
                    series.append(Series("\(label) 95 % CI", style: .errorBars, points: [point], color: Palette.tokenizer(tok), inLegend: false))
                }
            }
        }
        return Figure(name: "error-in-and-out-of-family", title: "Reconstruction error in and out of the fitted family",
                      x: Axis("tokenizer", range: -0.6...(Double(c.tokenizers.count) - 0.4), tics: tics),
                      y: Axis("reconstruction error", unit: "RMSE / std", log: true, range: yLow...yHigh), series: series, legend: .outsideRight,
                      width: 1000)
    }

    /// dx and dy of the first held-out chunk of each family and the first learned tokenizer's decoding of it.
    func exampleFigure(_ c: Config, _ r: SeedResult) -> Figure {
        let tok = c.learned[0]
        let sets: [(String, ActionChunk, ActionChunk)] = [
            ("\(c.fitFamily.rawValue) (in family)", r.heldOutExample, r.inFamily[tok]!.example),
            ("\(c.unseenFamily.rawValue) (unseen)", r.unseenExample, r.unseen[tok]!.example),
        ]
        let dt = 1 / c.frequency
        let all = sets.flatMap { [$0.1, $0.2] }.flatMap { ch in [0, 1].flatMap { ch.column($0) } }.map { abs($0) * 1000 }
        let top = (all.max()! * 1.5).rounded(.up)
        let panels = sets.map { title, truth, decoded -> Panel in
            var series: [Series] = []
            // The truth in black, the decoding in the tokenizer's colour; dx and dy told apart by marker.
            for (d, marker) in [(0, Marker.circle), (1, Marker.hollowTriangle)] {
                let name = RobotArmGenerator.dimensionNames[d]
                func points(_ chunk: ActionChunk) -> [Series.Point] {
                    (0..<chunk.steps).map { Series.Point(x: Double($0) * dt, y: chunk.column(d)[$0] * 1000) }
                }
                series.append(Series(name, style: .linePoints, points: points(truth), color: Palette.reference, marker: marker))
                series.append(Series("\(name), \(tok) decoded", style: .linePoints, points: points(decoded), color: Palette.tokenizer(tok), dashed: true, marker: marker))
            }
            return Panel(title: title, x: Axis("time", unit: "s"), y: Axis("translation action", unit: "mm/step", range: -top...top), series: series, legend: .below)
        }
        return Figure(name: "example-chunks", title: "One chunk of each motion family", panels: panels, columns: 2, width: 1000, height: 460)
    }
}
