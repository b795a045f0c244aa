import Figures
import Foundation
import Lab
import Metrics
import Support
import Experiments

extension UniversalTokenizers {
    func outcome(_ c: Config, sources: [Source], cells: [Cell], claims: [ClaimSpec], inputHash: String) throws -> ExperimentOutcome {
        func rows(_ s: Source) -> [FASTRow] { cells.map { cell in cell.fast.first { $0.source == s.rawValue }! } }
        var metrics: [MetricSeries] = []
        for s in sources {
            let r = rows(s)
            for (variant, pick) in [("shared", { (x: FASTRow) in (x.tokensShared, x.failuresShared, x.errorShared) }),
                                    ("own", { (x: FASTRow) in (x.tokensOwn, x.failuresOwn, x.errorOwn) })] {
                let cond: [(name: String, value: String)] = [("held_out", s.rawValue), ("bpe", variant)]
                metrics.append(MetricSeries(condition: cond, metric: "tokens_per_chunk", unit: "tokens", scale: .log, perSeed: r.map { pick($0).0 }))
                metrics.append(MetricSeries(condition: cond, metric: "failed_round_trips", scale: .proportion, perSeed: r.map { pick($0).1 }))
                metrics.append(MetricSeries(condition: cond, metric: "round_trip_error", unit: "squared error over variance, mean over dimensions", scale: .log, perSeed: r.map { pick($0).2 }))
            }
            metrics.append(MetricSeries(condition: [("held_out", s.rawValue)], metric: "token_ratio", unit: "shared BPE's tokens over its own", scale: .log,
                                        perSeed: r.map { $0.tokensShared / $0.tokensOwn }))
        }
        let vq = cells.map(\.vq)
        let hasVQ = vq.allSatisfy { $0 != nil }
        if hasVQ {
            for (variant, pick) in Self.vqVariants {
                for (layers, part) in [("primary", \CoarseAndFineError.primary), ("all", \CoarseAndFineError.all)] {
                    metrics.append(MetricSeries(condition: [("vq", variant), ("codes", layers)], metric: "lasa_reconstruction_mse", unit: "(mm/s)²", scale: .log,
                                                perSeed: vq.map { pick($0!)[keyPath: part] }))
                }
            }
        }

        var blocks: [ResultBlock] = []
        let threshold = claims.first { $0.id == "shared-bpe-few-more-tokens" }?.threshold
        blocks.append(.figure(tokensFigure(sources, rows: rows, threshold: threshold), caption:
            "FAST's tokens per one-second chunk (\(Format.parameter(c.frequency)) Hz) of each held-out source. Left: with the BPE fitted on that source alone and with the BPE fitted on the other \(sources.count - 1) sources (each normalised on its own percentiles); mean over \(cells.count) seed(s), log scale. Right: their ratio, with its 95 % interval over seeds (log scale), and the pre-registered claim's threshold (dashed)."))
        blocks.append(.table(fastTable(sources, rows: rows), caption:
            "Per held-out source: FAST's tokens per chunk with its own BPE and with the shared one fitted without it (mean over seeds), their ratio (geometric mean and 95 % interval over seeds, log scale), the share of chunks whose round trip failed (a coefficient outside the shared alphabet, clipped, or strict decoding refused; mean over seeds) and the round-trip error (squared error over variance, mean over dimensions) with each."))
        if hasVQ {
            blocks.append(.table(vqTable(vq.map { $0! }), caption:
                "VQ-BeT's residual VQ (LeRobot's settings: \(c.vq.layers) layers of \(c.vq.codebookSize) codes, windows of \(c.vq.window) steps, \(c.vq.trainSteps) steps) reconstructing LASA's held-out demonstrations (velocities, one-second chunks at \(Format.parameter(c.frequency)) Hz): trained on LASA's other demonstrations; trained on \(c.syntheticChunks) synthetic planar motions (two independent cubic splines) and used as trained; the same with LASA's own per-dimension mean and spread in place of the synthetic ones. Mean squared error with the primary code alone and with every code (geometric mean and 95 % interval over seeds), and each over the in-domain VQ's."))
        } else {
            blocks.append(.text("The residual VQ's transfer to LASA was not measured: the LASA demonstrations are not installed (`bash scripts/install-deps.sh`, or `--input lasa=DIR`)."))
        }

        let statistic: (String, ParameterReader) throws -> [[Double]] = { name, select in
            func chosen() throws -> [Source] {
                try select.strings("sources", default: sources.map(\.rawValue), allowed: Source.allCases.map(\.rawValue)).compactMap { n in sources.first { $0.rawValue == n } }
            }
            switch name {
            case "token_ratio":
                // Per held-out source: tokens per chunk with the shared BPE over with its own.
                let list = try chosen()
                return cells.indices.map { i in list.map { s in let r = rows(s)[i]; return r.tokensShared / r.tokensOwn } }
            case "transfer_failures":
                // Per held-out source: the share of chunks whose round trip failed with the shared BPE.
                let list = try chosen()
                return cells.indices.map { i in list.map { rows($0)[i].failuresShared } }
            case "vq_ratio":
                // The synthetic-motion VQ's (as trained or restandardised) reconstruction error over the in-domain VQ's.
                let variant = try select.string("variant", allowed: ["synthetic", "restandardised"])
                let layers = try select.string("layers", allowed: ["primary", "all"])
                let part = layers == "primary" ? \CoarseAndFineError.primary : \CoarseAndFineError.all
                return vq.map { v in
                    guard let v else { return [.nan] }
                    let other = variant == "synthetic" ? v.synthetic : v.restandardised
                    return [other[keyPath: part] / v.own[keyPath: part]]
                }
            default:
                throw ConfigError(location: select.location, key: "statistic", problem: "unknown statistic '\(name)'; this experiment computes \(self.statistics.keys.sorted().joined(separator: ", "))")
            }
        }
        return ExperimentOutcome(metrics: metrics, blocks: blocks, inputDataHash: inputHash, statistic: statistic)
    }

    /// The VQ variants in table order: in domain, from synthetic motions as trained, and restandardised.
    static let vqVariants: [(String, (VQCell) -> CoarseAndFineError)] = [("lasa", { $0.own }), ("synthetic", { $0.synthetic }), ("restandardised", { $0.restandardised })]

    func fastTable(_ sources: [Source], rows: (Source) -> [FASTRow]) -> MarkdownTable {
        MarkdownTable(header: ["held-out source", "tokens, own BPE", "tokens, shared BPE", "shared / own", "failed round trips, own", "failed, shared",
                               "error, own", "error, shared"],
                      rows: sources.map { s in
                          let r = rows(s)
                          return [s.rawValue, Format.number(Statistics.mean(r.map(\.tokensOwn))), Format.number(Statistics.mean(r.map(\.tokensShared))),
                                  Format.interval(SeedSummary(r.map { $0.tokensShared / $0.tokensOwn }, scale: .log)),
                                  Format.number(100 * Statistics.mean(r.map(\.failuresOwn))) + " %", Format.number(100 * Statistics.mean(r.map(\.failuresShared))) + " %",
                                  Format.number(Statistics.mean(r.map(\.errorOwn))), Format.number(Statistics.mean(r.map(\.errorShared)))]
                      })
    }

    func vqTable(_ vq: [VQCell]) -> MarkdownTable {
        MarkdownTable(header: ["residual VQ", "primary code: MSE", "over in-domain", "every code: MSE", "over in-domain"],
                      rows: Self.vqVariants.map { name, pick in
                          [name == "lasa" ? "trained on LASA (in domain)" : name == "synthetic" ? "trained on synthetic motions" : "synthetic, LASA's mean and spread",
                           Format.interval(SeedSummary(vq.map { pick($0).primary }, scale: .log)),
                           Format.interval(SeedSummary(vq.map { pick($0).primary / $0.own.primary }, scale: .log)),
                           Format.interval(SeedSummary(vq.map { pick($0).all }, scale: .log)),
                           Format.interval(SeedSummary(vq.map { pick($0).all / $0.own.all }, scale: .log))]
                      })
    }

    func tokensFigure(_ sources: [Source], rows: (Source) -> [FASTRow], threshold: Double?) -> Figure {
        let xs = sources.indices.map(Double.init)
        let tics = sources.enumerated().map { (value: Double($0.offset), label: $0.element.rawValue) }
        let x = Axis("held-out source", range: -0.6...(Double(sources.count) - 0.4), tics: tics)
        let own = Series("BPE fitted on the source", style: .points, points: zip(xs, sources).map { Series.Point(x: $0 - 0.1, y: Statistics.mean(rows($1).map(\.tokensOwn))) },
                         color: Palette.tokenizer("fast"), marker: .circle)
        let shared = Series("BPE fitted on the other sources", style: .points, points: zip(xs, sources).map { Series.Point(x: $0 + 0.1, y: Statistics.mean(rows($1).map(\.tokensShared))) },
                            color: Palette.neutral, marker: .diamond)
        let ratios = zip(xs, sources).map { x, s -> Series.Point in
            let summary = SeedSummary(rows(s).map { $0.tokensShared / $0.tokensOwn }, scale: .log)
            return Series.Point(x: x, y: summary.mean, low: summary.low.isFinite ? summary.low : summary.mean, high: summary.high.isFinite ? summary.high : summary.mean)
        }
        var right = [Series("shared over own (95 % interval over seeds)", style: .errorBars, points: ratios, color: Palette.tokenizer("fast")),
                     Series("equal", style: .line, points: [Series.Point(x: -0.6, y: 1), Series.Point(x: Double(sources.count) - 0.4, y: 1)], color: Palette.neutral, inLegend: false)]
        if let threshold {
            right.append(Series("the claim's threshold", style: .line, points: [Series.Point(x: -0.6, y: threshold), Series.Point(x: Double(sources.count) - 0.4, y: threshold)],
                                color: Palette.reference, dashed: true))
        }
        let top = sources.map { s in max(Statistics.mean(rows(s).map(\.tokensOwn)), Statistics.mean(rows(s).map(\.tokensShared))) }.max() ?? 1
        let highest = max(ratios.compactMap(\.high).max() ?? 1, threshold ?? 1)
        return Figure(name: "leave-one-out-tokens", title: "FAST with a BPE fitted without the source", panels: [
            Panel(title: "tokens per chunk", x: x, y: Axis("tokens per one-second chunk", log: true, range: 1...(top * 2)), series: [own, shared], legend: .below),
            Panel(title: "the cost of the shared BPE", x: x, y: Axis("tokens with the shared BPE over its own", range: 0.8...(highest * 1.15)), series: right, legend: .below),
        ], columns: 2, width: 1120, height: 520)
    }
}
