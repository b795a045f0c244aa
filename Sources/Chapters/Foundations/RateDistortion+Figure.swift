import Experiments
import Figures
import Foundation
import Metrics

extension RateDistortion {
    /// Spread between the per-step sweeps, which all spend the same tokens per second: each is
    /// drawn this factor further right than the one before, centred on the true rate.
    static let perStepOffset = 1.12

    /// The error against tokens (left) and bits (right) per second, with the claim's token budget.
    ///
    /// Sweeps whose settings never change the token rate (per-step binning: one token per
    /// dimension per step) would stack in one column; they are drawn as hollow markers without a
    /// connecting line, side by side around that rate. The budget, the baseline setting's token
    /// rate, is a vertical line on the token panel.
    func figure(_ c: Config, dataset: String, perSeed: [[Key: Cell]]) -> Figure {
        func key(_ sweep: String, _ value: Double) -> Key { Key(dataset: dataset, sweep: sweep, value: value) }
        let budget = Statistics.mean(perSeed.map { $0[key(c.baseline, c.baselineValue)]!.tokensPerSecond })
        func fixedRate(_ s: Sweep) -> Bool {
            let rates = s.values.flatMap { v in perSeed.map { $0[key(s.label, v)]!.tokensPerSecond } }
            return rates.max()! <= rates.min()! * (1 + 1e-9)
        }
        let stacked = c.sweeps.filter(fixedRate).map(\.label)
        let markers: [Marker] = [.hollowCircle, .hollowSquare, .hollowTriangle, .hollowDiamond]
        func panel(_ title: String, _ xLabel: String, _ unit: String, tokens: Bool, _ x: @escaping (Cell) -> Double) -> Panel {
            var all: [Series.Point] = []
            let series = c.sweeps.flatMap { s -> [Series] in
                let k = stacked.firstIndex(of: s.label)
                // Offsets only on the token panel, where the stacked sweeps share one x.
                let shift = tokens && k != nil ? pow(Self.perStepOffset, Double(k!) - Double(stacked.count - 1) / 2) : 1
                let pts = s.values.map { v -> Series.Point in
                    let cells = perSeed.map { $0[key(s.label, v)]! }
                    let e = SeedSummary(cells.map(\.relativeRMSE), scale: .log)
                    return Series.Point(x: Statistics.mean(cells.map(x)) * shift, y: e.mean,
                                        low: e.n > 1 ? e.low : nil, high: e.n > 1 ? e.high : nil)
                }
                all += pts
                let color = Palette.tokenizer(s.tokenizer)
                // Two sweeps of one tokenizer (FAST's scale and vocabulary) differ by line style.
                let dashed = dashedSweeps(c).contains(s.label)
                if tokens, let k {
                    return [Series(s.label, style: .errorBars, points: pts, color: color, marker: markers[k % markers.count])]
                }
                return [Series(s.label, style: .linePoints, points: pts, color: color, dashed: dashed, marker: k.map { markers[$0 % markers.count] }),
                        Series("\(s.label) interval", style: .errorBars, points: pts, color: color, inLegend: false)]
            }
            let xs = all.map(\.x) + (tokens ? [budget] : [])
            return Panel(title: title,
                         x: Axis(xLabel, unit: unit, log: true, range: (xs.min()! / 1.4)...(xs.max()! * 1.4)),
                         y: Axis("relative RMSE", unit: "RMSE / std", log: true, range: Axis.logRange(centres: all.map(\.y), bounds: all.flatMap { [$0.low ?? $0.y, $0.high ?? $0.y] }, reach: 4)),
                         series: series, legend: .below,
                         references: tokens ? [.vertical(budget, "budget: \(c.baseline), \(Format.parameter(c.baselineValue)) bins")] : [])
        }
        let data = dataset == "arm" ? "the synthetic arm" : "the LASA demonstrations"
        return Figure(name: dataset == "arm" ? "rate-distortion" : "rate-distortion-\(dataset)",
                      title: "Reconstruction error against rate on \(data) at \(Format.parameter(c.frequency)) Hz",
                      panels: [panel("tokens", "tokens per second", "tokens/s", tokens: true, \.tokensPerSecond),
                               panel("bits", "bits per second", "bit/s", tokens: false, \.bitsPerSecond)],
                      width: 1000, height: 600)
    }

    /// The sweeps drawn dashed: every sweep after a tokenizer's first.
    func dashedSweeps(_ c: Config) -> [String] {
        c.sweeps.filter { s in c.sweeps.first { $0.tokenizer == s.tokenizer }?.label != s.label }.map(\.label)
    }

    /// The caption: what is drawn, where the budget is, and how the stacked sweeps are offset.
    func figureCaption(_ c: Config, dataset: String) -> String {
        (dataset == "arm" ? "The synthetic 7-dimensional arm. " : "The LASA handwriting demonstrations (2 dimensions; fitted on the first five of the seven demonstrations of every shape, measured on the other two). ")
            + "Each line is one tokenizer with one setting moving; the left panel counts tokens, the right panel bits (tokens x log2 of the vocabulary). Lower and further left is better. "
            + "The dashed black line is the claim's budget: the token rate of \(c.baseline) with \(Format.parameter(c.baselineValue)) bins; BEAST and FAST pass if some setting left of it has lower error than \(c.baseline) at that setting. "
            + "Per-step binning spends one token per dimension per step whatever its bins, so its sweeps share one token rate; on the left they are drawn as hollow markers without lines, side by side around that rate (offset by a factor of \(Format.parameter(Self.perStepOffset)) each, for legibility only). "
            + "Colours are the book's tokenizer colours; a tokenizer's second and later sweeps are dashed (\(dashedSweeps(c).joined(separator: ", "))). Geometric means over seeds, with error bars for the 95 % interval of the error on the log scale (cut by the plot border where it runs far beyond the data)."
    }
}
