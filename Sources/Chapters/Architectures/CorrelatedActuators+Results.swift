import ActionData
import Figures
import Foundation
import Metrics
import Support
import Experiments

extension CorrelatedActuators {
    static let dims = RobotArmGenerator.dimensionNames.count

    /// Metrics, the figure, the tables and the claim statistic from the per-seed results.
    /// `passRatio` is the claim's threshold (min-max's bits over the VQ's), drawn as the pass mark.
    func outcome(_ c: Config, _ results: [SeedResult], seeds: [UInt64], inputHash: String, passRatio: Double, claims: [ClaimSpec] = []) throws -> ExperimentOutcome {
        let all = settings(c)
        var metrics: [MetricSeries] = []
        for s in all {
            let cond = condition(s)
            metrics.append(MetricSeries(condition: cond, metric: "bits_per_chunk", unit: "bits", scale: .log, perSeed: results.map { _ in s.bits(window: c.window, dims: Self.dims) }))
            metrics.append(MetricSeries(condition: cond, metric: "relative_rmse", unit: "RMSE / std, mean over the continuous dimensions", scale: .log, perSeed: results.map { $0.relativeRMSE[s]! }))
            for (d, name) in RobotArmGenerator.dimensionNames.enumerated() {
                metrics.append(MetricSeries(condition: cond + [("dimension", name)], metric: "relative_rmse", unit: "RMSE / std", scale: .log, perSeed: results.map { $0.perDimension[s]![d] }))
            }
            if s.family == .vq {
                metrics.append(MetricSeries(condition: cond, metric: "codes_used_per_layer", scale: .linear, perSeed: results.map { $0.codesUsed[s]! }))
            }
        }
        for k in c.codebookSizes {
            let cond: [(name: String, value: String)] = [("tokenizer", "rvq"), ("layers", "\(c.vq.layers)"), ("codebook_size", "\(k)")]
            metrics.append(MetricSeries.wallClock(condition: cond, metric: "fit_seconds", unit: "s", perSeed: results.map { $0.fitSeconds[k]! }))
            metrics.append(MetricSeries(condition: cond, metric: "training_l1_half_way", unit: "standardised units", scale: .log, perSeed: results.map { $0.trainingL1[k]!.half }))
            metrics.append(MetricSeries(condition: cond, metric: "training_l1_end", unit: "standardised units", scale: .log, perSeed: results.map { $0.trainingL1[k]!.end }))
        }
        let floorCondition: [(name: String, value: String)] = [("tokenizer", "rvq"), ("quantiser", "none")]
        metrics.append(MetricSeries(condition: floorCondition, metric: "relative_rmse", unit: "RMSE / std, mean over the continuous dimensions", scale: .log, perSeed: results.map { $0.floor.relativeRMSE }))
        for (d, name) in RobotArmGenerator.dimensionNames.enumerated() {
            metrics.append(MetricSeries(condition: floorCondition + [("dimension", name)], metric: "relative_rmse", unit: "RMSE / std", scale: .log, perSeed: results.map { $0.floor.perDimension[d] }))
        }
        metrics.append(MetricSeries.wallClock(condition: floorCondition, metric: "fit_seconds", unit: "s", perSeed: results.map { $0.floor.seconds }))
        metrics.append(MetricSeries(condition: floorCondition, metric: "training_l1_half_way", unit: "standardised units", scale: .log, perSeed: results.map { $0.floor.trainingL1.half }))
        metrics.append(MetricSeries(condition: floorCondition, metric: "training_l1_end", unit: "standardised units", scale: .log, perSeed: results.map { $0.floor.trainingL1.end }))
        let cheapest = try cheapestBits(c, results)
        for family in cheapest.keys.sorted() {
            metrics.append(MetricSeries(condition: [("tokenizer", family)], metric: "bits_at_target", unit: "bits (infinite: target never reached)", scale: .log, perSeed: cheapest[family]!))
        }
        var variantCheapest: [String: [Double]] = [:]
        for v in c.variants {
            metrics += variantMetrics(c, v, results)
            variantCheapest[v.name] = try cheapestVQ(c, v, results)
            metrics.append(MetricSeries(condition: [("tokenizer", "rvq"), ("variant", v.name)], metric: "bits_at_target", unit: "bits (infinite: target never reached)",
                                        scale: .log, perSeed: variantCheapest[v.name]!))
        }

        let n = results.count
        var blocks: [ResultBlock] = []
        blocks.append(.figure(figure(c, results, passRatio: passRatio), caption:
            "Held-out relative RMSE (RMSE / std per end-effector dimension, mean over the six; the gripper is encoded but not judged) against bits per window of \(c.window) steps. Binning spends \(c.window) x 7 tokens of log2(bins) bits; the residual VQ spends one code of log2(K) bits per layer, and each VQ line is one model with \(c.vq.layers) layers of K codes decoded from its first 1, 2, ... layers. The dashed black line is the target, \(Format.parameter(c.target)); the dashed blue vertical line is the cheapest min-max setting reaching it (on the seed means), and the solid black vertical line the claim's pass mark at 1/\(Format.parameter(passRatio)) of those bits: the residual VQ passes if it reaches the target left of it. The dashed line in the residual VQ's colour is the unquantised floor: the same encoder and decoder trained with no quantiser, which no number of codes can beat by much. Means over \(n) seed(s); bands are 95 % intervals, cut at a tenth of the mean on the log axis."))
        blocks.append(.table(settingsTable(c, results), caption:
            "Every setting: bits per window, held-out relative RMSE (95 % interval over \(n) seed(s)), and in how many seeds it reaches the target of \(Format.parameter(c.target)). For the residual VQ, the distinct codes each layer uses on the held-out windows (mean over the layers decoded). The last row is the unquantised floor: the residual VQ's encoder and decoder, same settings, trained and measured with the quantiser bypassed (no codes, so no bits)."))
        blocks.append(.table(seedTable(c, results, cheapest, seeds: seeds), caption:
            "Per seed: the cheapest setting of each tokenizer that reaches the target (∞: none does), and the claim's ratio, min-max binning's bits over the residual VQ's (0 when only binning reaches the target; undefined, and the verdict inconclusive, when neither does)."))
        blocks.append(.table(dimensionTable(c, results), caption:
            "Relative RMSE per dimension (mean over seeds): every min-max setting, the residual VQ with all \(c.vq.layers) layers, and the unquantised floor. The gripper column is shown but not part of the target."))
        blocks.append(.table(fitTable(c, results), caption:
            "The residual VQ fits: \(c.vq.trainSteps) steps of \(c.vq.batchSize) windows, latent width \(c.vq.latentDim), hidden widths \(c.vq.hidden.map(String.init).joined(separator: "-")); the L1 reconstruction loss of a training batch (standardised units) half-way through and at the end, and the wall-clock fitting time (means over seeds). The last row is the unquantised floor's training, the same steps with no quantiser and no commitment term."))

        if !c.variants.isEmpty {
            blocks.append(.table(variantTable(c, results, variantCheapest), caption:
                "Ablations of the residual VQ's training, measured beside the sweep and never judged: each is the sweep's VQ (\(c.vq.layers) layers, the same seeds) with the settings shown laid over it, decoded from the same prefixes of layers. Per codebook size: held-out relative RMSE with 1, 2, ... layers (means over seeds), the distinct codes used per layer with all layers, and the training L1 half-way and at the end (a curve still falling at the end is not converged). Its own unquantised floor where measured. Last column: the cheapest setting reaching the target of \(Format.parameter(c.target)) in each seed (∞: none)."))
        }
        let statistic: (String, ParameterReader) throws -> [[Double]] = { name, select in
            guard name == "bits_ratio_at_target" else {
                throw ConfigError(location: select.location, key: "statistic", problem: "unknown statistic '\(name)'; this experiment computes bits_ratio_at_target")
            }
            let binning = try select.string("binning", default: "minmax", allowed: c.binning)
            let variant = try select.string("variant", default: "", allowed: [""] + c.variants.map(\.name))
            let vq = variant.isEmpty ? cheapest["rvq"]! : variantCheapest[variant]!
            return zip(cheapest[binning]!, vq).map { [BitsAtTarget.ratio($0, $1)] }
        }
        var outcome = ExperimentOutcome(metrics: metrics, blocks: blocks, inputDataHash: inputHash, statistic: statistic)
        if !c.variants.isEmpty {
            let settings = [ClaimSetting("the sweep (judged)")] + c.variants.map { ClaimSetting("variant: \($0.name) (ablation)", select: [("variant", .string($0.name))]) }
            outcome.blocks.append(.table(try outcome.claimsTable(claims, settings: settings, location: "architectures/correlated-actuators"), caption:
                "The claim decided by its own rule with each variant's residual VQ in place of the sweep's (against the same binning; a variant reaches only the bits its codebook sizes and layers give). Only the sweep's verdict enters the ledger."))
        }
        return outcome
    }

    /// A variant's metrics: its settings as the sweep's (with `variant = name`), its fits and its floor.
    func variantMetrics(_ c: Config, _ v: Variant, _ results: [SeedResult]) -> [MetricSeries] {
        var metrics: [MetricSeries] = []
        let tag: [(name: String, value: String)] = [("variant", v.name)]
        for k in v.codebookSizes {
            for l in c.layers {
                let s = Setting.vq(layers: l, codebookSize: k), cond = condition(s) + tag
                metrics.append(MetricSeries(condition: cond, metric: "relative_rmse", unit: "RMSE / std, mean over the continuous dimensions", scale: .log,
                                            perSeed: results.map { $0.variants[v.name]!.relativeRMSE[s]! }))
                metrics.append(MetricSeries(condition: cond, metric: "codes_used_per_layer", scale: .linear, perSeed: results.map { $0.variants[v.name]!.codesUsed[s]! }))
            }
            let cond: [(name: String, value: String)] = [("tokenizer", "rvq"), ("layers", "\(c.vq.layers)"), ("codebook_size", "\(k)")] + tag
            metrics.append(MetricSeries.wallClock(condition: cond, metric: "fit_seconds", unit: "s", perSeed: results.map { $0.variants[v.name]!.fitSeconds[k]! }))
            metrics.append(MetricSeries(condition: cond, metric: "training_l1_half_way", unit: "standardised units", scale: .log, perSeed: results.map { $0.variants[v.name]!.trainingL1[k]!.half }))
            metrics.append(MetricSeries(condition: cond, metric: "training_l1_end", unit: "standardised units", scale: .log, perSeed: results.map { $0.variants[v.name]!.trainingL1[k]!.end }))
        }
        if v.floor {
            let cond: [(name: String, value: String)] = [("tokenizer", "rvq"), ("quantiser", "none")] + tag
            metrics.append(MetricSeries(condition: cond, metric: "relative_rmse", unit: "RMSE / std, mean over the continuous dimensions", scale: .log,
                                        perSeed: results.map { $0.variants[v.name]!.floor!.relativeRMSE }))
            metrics.append(MetricSeries(condition: cond, metric: "training_l1_half_way", unit: "standardised units", scale: .log, perSeed: results.map { $0.variants[v.name]!.floor!.trainingL1.half }))
            metrics.append(MetricSeries(condition: cond, metric: "training_l1_end", unit: "standardised units", scale: .log, perSeed: results.map { $0.variants[v.name]!.floor!.trainingL1.end }))
        }
        return metrics
    }

    /// A variant's cheapest setting reaching the target, per seed (its codebook sizes and the sweep's layers).
    func cheapestVQ(_ c: Config, _ v: Variant, _ results: [SeedResult]) throws -> [Double] {
        let ss = v.codebookSizes.flatMap { k in c.layers.map { Setting.vq(layers: $0, codebookSize: k) } }
        return try results.map { r in try BitsAtTarget.cheapest(ss.map { ($0.bits(window: c.window, dims: Self.dims), r.variants[v.name]!.relativeRMSE[$0]!) }, target: c.target) }
    }

    func variantTable(_ c: Config, _ results: [SeedResult], _ cheapest: [String: [Double]]) -> MarkdownTable {
        var rows: [[String]] = []
        for v in c.variants {
            let changed = Format.settings(v.overrides)
            let atTarget = cheapest[v.name]!.map { $0.isFinite ? Format.number($0) + " bits" : "∞" }.joined(separator: ", ")
            for k in v.codebookSizes {
                let errors = c.layers.map { l in Format.number(SeedSummary(results.map { $0.variants[v.name]!.relativeRMSE[.vq(layers: l, codebookSize: k)]! }, scale: .log).mean) }
                let used = Statistics.mean(results.map { $0.variants[v.name]!.codesUsed[.vq(layers: c.vq.layers, codebookSize: k)]! })
                let l1 = results.map { $0.variants[v.name]!.trainingL1[k]! }
                rows.append([v.name, changed, "\(c.vq.layers) x \(k) codes", errors.joined(separator: " / "), Format.number(used) + " of \(k)",
                             Format.number(Statistics.mean(l1.map(\.half))) + " → " + Format.number(Statistics.mean(l1.map(\.end))), atTarget])
            }
            if v.floor {
                let f = results.map { $0.variants[v.name]!.floor! }
                rows.append([v.name, changed, "unquantised floor", Format.interval(SeedSummary(f.map(\.relativeRMSE), scale: .log)), "—",
                             Format.number(Statistics.mean(f.map(\.trainingL1.half))) + " → " + Format.number(Statistics.mean(f.map(\.trainingL1.end))), "—"])
            }
        }
        return MarkdownTable(header: ["variant", "settings laid over the sweep's", "fit", "relative RMSE with " + c.layers.map(String.init).joined(separator: ", ") + " layers",
                                      "codes used per layer", "training L1, half-way → end", "cheapest at target, per seed"], rows: rows)
    }

    /// The condition columns of a setting in results.json.
    func condition(_ s: Setting) -> [(name: String, value: String)] {
        switch s.family {
        case .binning(let name): return [("tokenizer", name), ("bins", "\(s.bins)")]
        case .vq: return [("tokenizer", "rvq"), ("layers", "\(s.layers)"), ("codebook_size", "\(s.codebookSize)")]
        }
    }

    /// Per tokenizer (each binning name, and `rvq`), the bits of its cheapest setting reaching the target in each seed.
    func cheapestBits(_ c: Config, _ results: [SeedResult]) throws -> [String: [Double]] {
        var out: [String: [Double]] = [:]
        for name in c.binning + ["rvq"] {
            let ss = settings(c).filter { $0.familyName == name }
            out[name] = try results.map { r in try BitsAtTarget.cheapest(ss.map { ($0.bits(window: c.window, dims: Self.dims), r.relativeRMSE[$0]!) }, target: c.target) }
        }
        return out
    }

    /// The settings of `family` that cost `bits` and reach the target in seed result `r`, for the per-seed table.
    func settingLabel(_ c: Config, _ r: SeedResult, family: String, bits: Double) -> String {
        guard bits.isFinite else { return "none (∞)" }
        let ss = settings(c).filter { $0.familyName == family && $0.bits(window: c.window, dims: Self.dims) == bits && r.relativeRMSE[$0]! <= c.target }
        let names = ss.map { $0.family == .vq ? "\($0.layers) x \($0.codebookSize) codes" : "\($0.bins) bins" }
        return names.joined(separator: " or ") + ", \(Format.number(bits)) bits"
    }

    func settingsTable(_ c: Config, _ results: [SeedResult]) -> MarkdownTable {
        let rows = settings(c).map { s -> [String] in
            let e = results.map { $0.relativeRMSE[s]! }
            let tokenizer: String, setting: String
            switch s.family {
            case .binning(let name): tokenizer = name; setting = "\(s.bins) bins"
            case .vq: tokenizer = "residual VQ"; setting = "\(s.layers) x \(s.codebookSize) codes"
            }
            let used = s.family == .vq ? Format.number(Statistics.mean(results.map { $0.codesUsed[s]! })) + " of \(s.codebookSize)" : "—"
            return [tokenizer, setting, Format.number(s.bits(window: c.window, dims: Self.dims)), Format.interval(SeedSummary(e, scale: .log)),
                    "\(e.filter { $0 <= c.target }.count) of \(e.count)", used]
        }
        let f = results.map { $0.floor.relativeRMSE }
        let floorRow = ["autoencoder, unquantised (floor)", "no quantiser", "—", Format.interval(SeedSummary(f, scale: .log)), "\(f.filter { $0 <= c.target }.count) of \(f.count)", "—"]
        return MarkdownTable(header: ["tokenizer", "setting", "bits per window", "relative RMSE", "reaches target", "codes used per layer"], rows: rows + [floorRow])
    }

    func seedTable(_ c: Config, _ results: [SeedResult], _ cheapest: [String: [Double]], seeds: [UInt64]) -> MarkdownTable {
        let families = c.binning + ["rvq"]
        let rows = seeds.indices.map { i -> [String] in
            ["\(seeds[i])"] + families.map { settingLabel(c, results[i], family: $0, bits: cheapest[$0]![i]) }
                + [Format.number(BitsAtTarget.ratio(cheapest["minmax"]![i], cheapest["rvq"]![i]))]
        }
        return MarkdownTable(header: ["seed"] + families.map { $0 == "rvq" ? "cheapest residual VQ" : "cheapest \($0)" } + ["ratio, min-max / VQ"], rows: rows)
    }

    func dimensionTable(_ c: Config, _ results: [SeedResult]) -> MarkdownTable {
        let chosen = settings(c).filter { $0.family == .binning("minmax") || ($0.family == .vq && $0.layers == c.vq.layers) }
        let rows = chosen.map { s -> [String] in
            [s.label] + (0..<Self.dims).map { d in Format.number(Statistics.mean(results.map { $0.perDimension[s]![d] })) }
        }
        let floorRow = ["unquantised floor"] + (0..<Self.dims).map { d in Format.number(Statistics.mean(results.map { $0.floor.perDimension[d] })) }
        return MarkdownTable(header: ["setting"] + RobotArmGenerator.dimensionNames, rows: rows + [floorRow])
    }

    func fitTable(_ c: Config, _ results: [SeedResult]) -> MarkdownTable {
        MarkdownTable(header: ["codebook", "training L1, half-way", "training L1, end", "fit time"], rows: c.codebookSizes.map { k in
            ["\(c.vq.layers) x \(k) codes", Format.number(Statistics.mean(results.map { $0.trainingL1[k]!.half })),
             Format.number(Statistics.mean(results.map { $0.trainingL1[k]!.end })),
             Format.number(Statistics.mean(results.map { $0.fitSeconds[k]! })) + " s"]
        } + [["unquantised (floor)", Format.number(Statistics.mean(results.map { $0.floor.trainingL1.half })),
              Format.number(Statistics.mean(results.map { $0.floor.trainingL1.end })),
              Format.number(Statistics.mean(results.map { $0.floor.seconds })) + " s"]])
    }

    /// The claim whose threshold the figure draws as the pass mark.
    static let claimID = "joint-code-needs-fewer-bits"

    /// Relative RMSE against bits per window: one line per binning tokenizer and per VQ codebook
    /// size, the target, min-max's cost at the target and the pass mark at 1 / `passRatio` of it.
    func figure(_ c: Config, _ results: [SeedResult], passRatio: Double) -> Figure {
        func points(_ ss: [Setting]) -> [Series.Point] {
            ss.map { s in
                let e = SeedSummary(results.map { $0.relativeRMSE[s]! }, scale: .log)
                return Series.Point(x: s.bits(window: c.window, dims: Self.dims), y: e.mean,
                                    low: e.n > 1 ? max(e.low, e.mean / 10) : nil, high: e.n > 1 ? e.high : nil)
            }
        }
        let display = ["minmax": "min-max", "openvla": "OpenVLA", "equal-mass": "equal-mass"]
        var lines: [(String, [Series.Point])] = c.binning.map { name in
            ("\(display[name] ?? name) binning", points(c.bins.map { Setting.binning(name, bins: $0) }))
        }
        lines += c.codebookSizes.map { k in ("residual VQ, K = \(k)", points(c.layers.map { Setting.vq(layers: $0, codebookSize: k) })) }
        // Binning in each tokenizer's colour; every VQ codebook size in the residual VQ's colour, told apart by marker.
        let colors = c.binning.map { Palette.tokenizer($0) } + c.codebookSizes.map { _ in Palette.tokenizer("rvq") }
        let markers = c.binning.map { _ in Marker?.none } + c.codebookSizes.indices.map { Optional([Marker.circle, .square, .triangle, .diamond][$0 % 4]) }
        var series: [Series] = []
        for (i, (name, pts)) in lines.enumerated() {
            series.append(Series("\(name) interval", style: .band, points: pts, color: colors[i], inLegend: false))
            series.append(Series(name, style: .linePoints, points: pts, color: colors[i], marker: markers[i]))
        }
        // The pass mark: the claim needs the VQ to reach the target with at most 1 / passRatio of the
        // bits of the cheapest min-max setting that reaches it (read on the seed means here).
        let minmax = c.bins.map { Setting.binning("minmax", bins: $0) }
        let minmaxBits = (try? BitsAtTarget.cheapest(zip(minmax, points(minmax)).map { ($0.0.bits(window: c.window, dims: Self.dims), $0.1.y) }, target: c.target)) ?? .infinity
        let passMark = minmaxBits / passRatio
        let xs = lines.flatMap { $0.1.map(\.x) } + (minmaxBits.isFinite ? [passMark] : [])
        let lo = exp2((log2(xs.min()!)).rounded(.down)), hi = exp2((log2(xs.max()!)).rounded(.up))
        let floor = SeedSummary(results.map { $0.floor.relativeRMSE }, scale: .log).mean
        series.append(Series("unquantised floor", style: .line, points: [Series.Point(x: lo, y: floor), Series.Point(x: hi, y: floor)], color: Palette.tokenizer("rvq"), dashed: true))
        series.append(Series("target", style: .line, points: [Series.Point(x: lo, y: c.target), Series.Point(x: hi, y: c.target)], color: Palette.reference, dashed: true))
        let references: [Reference] = minmaxBits.isFinite
            ? [Reference(.vertical, at: minmaxBits, label: "min-max at target: \(Format.number(minmaxBits)) bits", color: Palette.tokenizer("minmax"), dashed: true),
               Reference(.vertical, at: passMark, label: "pass mark: VQ at target by \(Format.number(passMark)) bits", color: Palette.reference, dashed: false)]
            : []
        let ys = lines.flatMap { $0.1.flatMap { [$0.low ?? $0.y, $0.high ?? $0.y] } } + [c.target, floor]
        let yRange = (ys.min()! / 1.5)...(ys.max()! * 1.25)
        let tics = stride(from: log2(lo), through: log2(hi), by: 1).map { (value: exp2($0), label: Format.parameter(exp2($0))) }
        return Figure(name: "bits-at-target", title: "Relative RMSE against bits per window on the arm (\(Format.parameter(c.frequency)) Hz, \(c.window)-step windows)",
                      x: Axis("bits per window", unit: "log scale", log: true, range: lo...hi, tics: tics),
                      y: Axis("relative RMSE", unit: "RMSE / std", log: true, range: yRange), series: series, legend: .outsideRight,
                      references: references, width: 1000, height: 560)
    }
}
