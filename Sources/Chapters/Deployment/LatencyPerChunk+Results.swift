import Figures
import Foundation
import Lab
import Metrics
import Support
import Experiments

extension LatencyPerChunk {
    /// Metrics, figures, tables and the claim statistics from every seed's latencies.
    func outcome(_ c: Config, perSeed: [SeedCells], inputHash: String) throws -> ExperimentOutcome {
        func result(_ cells: SeedCells, _ name: String, _ rate: Double, _ width: Int) -> ChunkLatency.Result {
            cells.latency[Key(rate: rate, width: width)]!.first { $0.name == name }!
        }
        func median(_ cells: SeedCells, _ name: String, _ rate: Double, _ width: Int) -> Double { result(cells, name, rate, width).median }
        func summary(_ name: String, _ rate: Double, _ width: Int, _ value: (ChunkLatency.Result) -> Double) -> SeedSummary {
            SeedSummary(perSeed.map { value(result($0, name, rate, width)) }, scale: .log)
        }

        // Measurements for results.json: times are wall-clock (kept out of `workbench verify`'s
        // comparison); tokens and evaluations per chunk are determined by the seed.
        var metrics: [MetricSeries] = []
        for name in c.contenders {
            for rate in c.rates {
                for width in c.widths {
                    let cond: [(name: String, value: String)] = [("contender", name), ("rate_hz", Format.parameter(rate)), ("width", String(width))]
                    let unit = "s / chunk (machine-dependent)"
                    for (metric, value) in [("latency_median", \ChunkLatency.Result.median), ("latency_lower_quartile", \.lowerQuartile),
                                            ("latency_upper_quartile", \.upperQuartile), ("model_seconds_median", \.modelMedian),
                                            ("decode_seconds_median", \.decodeMedian)] as [(String, KeyPath<ChunkLatency.Result, Double>)] {
                        metrics.append(.wallClock(condition: cond, metric: metric, unit: unit, perSeed: perSeed.map { result($0, name, rate, width)[keyPath: value] }))
                    }
                    let r = perSeed.map { result($0, name, rate, width) }
                    if let _ = r[0].tokens {
                        metrics.append(MetricSeries(condition: cond, metric: "tokens_per_chunk", unit: "tokens", scale: .linear, perSeed: r.map { $0.tokens! }))
                    } else {
                        metrics.append(MetricSeries(condition: cond, metric: "network_evaluations_per_chunk", unit: "evaluations", scale: .linear, perSeed: r.map { $0.functionEvaluations! }))
                    }
                }
            }
        }

        let top = c.rates.last!, middle = c.widths[c.widths.count / 2]
        let blocks: [ResultBlock] = [
            .figure(rateFigure(c, summary: summary), caption:
                "Seconds to produce one \(Format.parameter(c.chunkSeconds)) s chunk at batch 1 against the control rate, one panel per model width (`d_model`; \(c.policy.layers) layers, \(c.policy.heads) heads for every contender). Points are geometric means over seeds of each seed's median over \(c.repetitions) timed calls; bars are 95 % intervals over seeds on the log scale. Token contenders (tokenizer colours) generate their tokens with the KV cache, then decode them\(c.vqbet ? "; vqbet (the residual VQ's colour, dashed, squares) is VQ-BeT's own policy, one pass per window" : ""); flow matching (brown) and diffusion (olive) are marked by their network evaluations per chunk. The y axis is logarithmic."),
            .figure(widthFigure(c, summary: summary), caption:
                "The same latencies at \(Format.parameter(top)) Hz against the model width (log-log)."),
            .table(latencyTable(c, summary: summary), caption:
                "Seconds per chunk at \(Format.parameter(top)) Hz, in milliseconds: geometric mean over seeds of each seed's median [95 % interval over seeds], and the ratio to `\(c.reference)` at each width (geometric mean of the per-seed ratios). Tokens are those of the held-out chunk with the median token count; evaluations are network evaluations per chunk. The last column places each contender on the inference-delay axis of the next section: the control periods of \(Format.number(1000 / top)) ms its latency spans at the smallest width, rounded up."),
            .table(breakdownTable(c, rate: top, width: middle, perSeed: perSeed, summary: summary), caption:
                "Where the time goes at \(Format.parameter(top)) Hz and width \(middle): medians of the model's share (token generation, or the network evaluations) and of the tokenizer's decode, in milliseconds (geometric means over seeds), and the spread of the \(c.repetitions) calls of the first seed (quartiles and extremes)."),
            .table(tokensTable(c, perSeed: perSeed), caption:
                "Tokens per \(Format.parameter(c.chunkSeconds)) s chunk of each token contender against the control rate (the held-out chunk of median token count; mean over seeds). Per-step binning emits one token per dimension and step; BEAST a fixed number of control points per dimension; FAST what its transform and merges leave; the residual VQ one code per layer and window."),
        ]

        let statistic: (String, ParameterReader) throws -> [[Double]] = { name, select in
            let lo = try select.double("min_rate_hz", default: 0), hi = try select.double("max_rate_hz", default: .greatestFiniteMagnitude)
            let wlo = try select.int("min_width", default: 0), whi = try select.int("max_width", default: .max)
            let rates = c.rates.filter { $0 >= lo && $0 <= hi }, widths = c.widths.filter { $0 >= wlo && $0 <= whi }
            guard !rates.isEmpty, !widths.isEmpty else {
                throw ConfigError(location: select.location, key: rates.isEmpty ? "min_rate_hz" : "min_width",
                                  problem: "selects no measured condition (rates \(c.rates.map { Format.parameter($0) }.joined(separator: ", ")) Hz; widths \(c.widths.map(String.init).joined(separator: ", ")))")
            }
            let contender = try select.string("contender", allowed: c.contenders)
            func tokenOthers() throws -> [String] {
                guard c.tokenizers.contains(contender) else {
                    throw ConfigError(location: select.location, key: "contender", problem: "\(name) compares token contenders; \(contender) is not one (\(c.tokenizers.joined(separator: ", ")))")
                }
                return c.tokenizers.filter { $0 != contender }
            }
            let value: (SeedCells, Double, Int) -> Double
            switch name {
            case "latency_ratio":
                let reference = try select.string("reference", allowed: c.contenders)
                value = { median($0, contender, $1, $2) / median($0, reference, $1, $2) }
            case "latency_vs_fastest_other":
                let others = try tokenOthers()
                value = { cells, r, w in median(cells, contender, r, w) / others.map { median(cells, $0, r, w) }.min()! }
            case "latency_vs_slowest_other":
                let others = try tokenOthers()
                value = { cells, r, w in median(cells, contender, r, w) / others.map { median(cells, $0, r, w) }.max()! }
            case "rate_growth":
                return perSeed.map { cells in widths.map { median(cells, contender, c.rates.last!, $0) / median(cells, contender, c.rates[0], $0) } }
            default:
                throw ConfigError(location: select.location, key: "statistic", problem: "unknown statistic '\(name)'; this experiment computes \(statistics.keys.sorted().joined(separator: ", "))")
            }
            return perSeed.map { cells in rates.flatMap { r in widths.map { value(cells, r, $0) } } }
        }
        return ExperimentOutcome(metrics: metrics, blocks: blocks, inputDataHash: inputHash, statistic: statistic)
    }

    /// Colour, marker and dash of a contender: tokenizers in their colours, flow matching in brown
    /// and diffusion in olive, told apart by marker.
    func style(_ name: String, _ c: Config) -> (color: Int, marker: Marker?, dashed: Bool) {
        if c.tokenizers.contains(name) { return (Palette.tokenizer(name), nil, false) }
        if name == Self.vqbet { return (Palette.tokenizer("rvq"), .square, true) }
        let k = c.continuous.first { $0.name == name }!
        let family = k.method == "flow" ? c.continuous.filter { $0.method == "flow" } : c.continuous.filter { $0.method != "flow" }
        let markers: [Marker] = [.hollowCircle, .hollowSquare, .hollowTriangle, .hollowDiamond, .square, .triangle, .diamond]
        let i = family.firstIndex { $0.name == name }!
        return (Palette.tokenizer(k.method), name == c.reference ? .circle : markers[i % markers.count], name.hasPrefix("ddpm"))
    }

    /// A contender's points (geometric means with 95 % bars) and its error-bar twin.
    func series(_ name: String, _ c: Config, points: [Series.Point]) -> [Series] {
        let s = style(name, c)
        return [Series(name, style: .linePoints, points: points, color: s.color, dashed: s.dashed, marker: s.marker),
                Series("\(name) 95 % CI", style: .errorBars, points: points, color: s.color, inLegend: false)]
    }

    /// Latency against control rate, one panel per width (one y range for all), the legend beside the last.
    func rateFigure(_ c: Config, summary: (String, Double, Int, (ChunkLatency.Result) -> Double) -> SeedSummary) -> Figure {
        let all = c.contenders.flatMap { n in c.rates.flatMap { r in c.widths.map { summary(n, r, $0, \.median) } } }
        let range = Axis.logRange(centres: all.map(\.mean), bounds: all.flatMap { [$0.low, $0.high] }, margin: 1.5, reach: 2)
        let tics = c.rates.map { (value: $0, label: Format.parameter($0)) }
        let span = c.rates.last! - c.rates[0]
        let panels = c.widths.enumerated().map { i, width -> Panel in
            Panel(title: "width \(width)",
                  x: Axis("control rate", unit: "Hz", range: (c.rates[0] - 0.08 * span)...(c.rates.last! + 0.08 * span), tics: tics),
                  y: Axis("seconds per chunk", unit: "s", log: true, range: range),
                  series: c.contenders.flatMap { n in
                      series(n, c, points: c.rates.map { r in
                          let s = summary(n, r, width, \.median)
                          return Series.Point(x: r, y: s.mean, low: s.n > 1 ? s.low : nil, high: s.n > 1 ? s.high : nil)
                      })
                  },
                  legend: i == c.widths.count - 1 ? .outsideRight : .hidden)
        }
        return Figure(name: "latency-vs-rate", title: "Latency per chunk against control rate (batch 1)", panels: panels, width: 1200, height: 520)
    }

    /// Latency against width at the highest rate.
    func widthFigure(_ c: Config, summary: (String, Double, Int, (ChunkLatency.Result) -> Double) -> SeedSummary) -> Figure {
        let rate = c.rates.last!
        let all = c.contenders.flatMap { n in c.widths.map { summary(n, rate, $0, \.median) } }
        let range = Axis.logRange(centres: all.map(\.mean), bounds: all.flatMap { [$0.low, $0.high] }, margin: 1.5, reach: 2)
        let tics = c.widths.map { (value: Double($0), label: String($0)) }
        let x = Axis("model width (d_model)", log: true, range: (Double(c.widths[0]) / 1.25)...(Double(c.widths.last!) * 1.25), tics: tics)
        let series = c.contenders.flatMap { n in
            self.series(n, c, points: c.widths.map { w in
                let s = summary(n, rate, w, \.median)
                return Series.Point(x: Double(w), y: s.mean, low: s.n > 1 ? s.low : nil, high: s.n > 1 ? s.high : nil)
            })
        }
        return Figure(name: "latency-vs-width", title: "Latency per chunk at \(Format.parameter(rate)) Hz against model width (batch 1)",
                      x: x, y: Axis("seconds per chunk", unit: "s", log: true, range: range), series: series, legend: .outsideRight, width: 900, height: 520)
    }

    /// Milliseconds per chunk at the highest rate per width, with tokens or evaluations and the ratio to the reference.
    func latencyTable(_ c: Config, summary: (String, Double, Int, (ChunkLatency.Result) -> Double) -> SeedSummary) -> MarkdownTable {
        let rate = c.rates.last!
        var header = ["contender", "tokens / evaluations per chunk"]
        header += c.widths.map { "width \($0) (ms)" }
        header += c.widths.map { "÷ \(c.reference), width \($0)" }
        header.append("delay at \(Format.parameter(rate)) Hz, width \(c.widths[0]) (steps)")
        let rows = c.contenders.map { name -> [String] in
            let first = summary(name, rate, c.widths[0], { $0.tokens ?? $0.functionEvaluations ?? .nan })
            let count = c.tokenizers.contains(name) ? "\(Format.number(first.values.reduce(0, +) / Double(first.n))) tokens"
                : name == Self.vqbet ? "\(Int(first.values[0])) forward passes"
                : "\(Int(first.values[0])) evaluation\(first.values[0] == 1 ? "" : "s")"
            let ms = c.widths.map { Format.interval(summary(name, rate, $0, \.median).scaled(by: 1000)) }
            let ratios = c.widths.map { w -> String in
                let a = summary(name, rate, w, \.median).values, b = summary(c.reference, rate, w, \.median).values
                return Format.number(SeedSummary(zip(a, b).map { $0 / $1 }, scale: .log).mean)
            }
            // The inference delay this latency means at the rate: control periods it spans, rounded up.
            let delay = Int((summary(name, rate, c.widths[0], \.median).mean * rate).rounded(.up))
            return [name, count] + ms + ratios + [String(delay)]
        }
        return MarkdownTable(header: header, rows: rows)
    }

    /// Model and decode medians at one rate and width, and the first seed's spread.
    func breakdownTable(_ c: Config, rate: Double, width: Int, perSeed: [SeedCells],
                        summary: (String, Double, Int, (ChunkLatency.Result) -> Double) -> SeedSummary) -> MarkdownTable {
        let rows = c.contenders.map { name -> [String] in
            let model = summary(name, rate, width, \.modelMedian).mean * 1000
            let decodes = perSeed.map { $0.latency[Key(rate: rate, width: width)]!.first { $0.name == name }!.decodeMedian * 1000 }
            let decode = decodes.allSatisfy { $0 > 0 } ? SeedSummary(decodes, scale: .log).mean : 0
            let first = perSeed[0].latency[Key(rate: rate, width: width)]!.first { $0.name == name }!
            let ms = { (x: Double) in Format.number(x * 1000) }
            return [name, Format.number(model), name == Self.vqbet ? "in the model's" : decode == 0 ? "none" : Format.number(decode),
                    "\(ms(first.lowerQuartile)) – \(ms(first.upperQuartile))", "\(ms(first.fastest)) – \(ms(first.slowest))"]
        }
        return MarkdownTable(header: ["contender", "model (ms)", "decode (ms)", "quartiles, first seed (ms)", "fastest – slowest, first seed (ms)"], rows: rows)
    }

    /// Tokens per chunk of the token contenders against rate.
    func tokensTable(_ c: Config, perSeed: [SeedCells]) -> MarkdownTable {
        let rows = c.tokenizers.map { name -> [String] in
            [name] + c.rates.map { r in Format.number(Statistics.mean(perSeed.map { Double($0.tokens[r]![name]!) })) }
        }
        return MarkdownTable(header: ["tokenizer"] + c.rates.map { "\(Format.parameter($0)) Hz" }, rows: rows)
    }
}
