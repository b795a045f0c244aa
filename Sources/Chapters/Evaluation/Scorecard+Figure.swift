import Figures
import Foundation
import Metrics
import Support
import Experiments

extension Scorecard {
    /// Short names of the ratings for tic labels (the table's labels carry emoji gnuplot may not draw).
    static func shortName(_ r: Rating) -> String {
        switch r {
        case .best: return "best in class"
        case .good: return "good"
        case .situational: return "situational"
        case .avoid: return "best avoided"
        }
    }

    /// The rating rule's class boundaries on the prediction error, lowest first: each class's
    /// multiple of the best tokenizer's error (from `[parameters.rating]`) and its name.
    static func classBoundaries(_ c: Config) -> [(multiple: Double, name: String)] {
        [(c.bestMSE, "best in class"), (c.goodMSE, "good"), (c.situationalMSE, "situational")]
    }

    /// Prediction error of each rated tokenizer on a log axis, with the rating rule's class
    /// boundaries and each tokenizer's audit rating beside its measured class.
    ///
    /// Points are geometric means over seeds with their log-scale 95 % intervals, each in its
    /// tokenizer's colour. The boundaries are the rule's multiples of the lowest drawn mean
    /// (`measured` is the table's class, from the geometric means of the errors over seeds). A tokenizer whose
    /// error is not finite or not positive in some seed is listed on the axis but not drawn; `nil`
    /// when no tokenizer can be drawn.
    func figure(_ c: Config, perSeed: [SeedRows], measured: [String: Rating]) -> Figure? {
        let tokenizers = c.tokenizers.filter(c.predictionTokenizers.contains), names = tokenizers + c.predictionPolicies
        var summaries: [String: SeedSummary] = [:]
        for name in names {
            let mse = perSeed.map { $0.rows[name]?.prediction?.mse ?? $0.continuous[name]!.mse }
            if mse.allSatisfy({ $0.isFinite && $0 > 0 }) { summaries[name] = SeedSummary(mse, scale: .log) }
        }
        let tics = names.enumerated().map { i, name -> (value: Double, label: String) in
            let audit = c.audit[name].map(Self.shortName) ?? "not rated"
            let own = measured[name].map(Self.shortName) ?? "—"
            return (Double(i), "\(name)\(summaries[name] == nil ? " (diverged)" : "")\naudit: \(audit)\nmeasured: \(own)")
        }
        var series: [Series] = []
        for (i, name) in names.enumerated() {
            guard let s = summaries[name] else { continue }
            let point = Series.Point(x: Double(i), y: s.mean, low: s.n > 1 ? s.low : nil, high: s.n > 1 ? s.high : nil)
            series.append(Series(name, style: .points, points: [point], color: Palette.tokenizer(name), inLegend: false,
                                 marker: tokenizers.contains(name) ? .circle : .hollowSquare))
            if point.low != nil {
                series.append(Series("\(name) 95 % interval", style: .errorBars, points: [point], color: Palette.tokenizer(name), inLegend: false))
            }
        }
        // The boundaries are multiples of the best tokenizer's error, as the rule says.
        let means = summaries.values.map(\.mean)
        guard let best = tokenizers.compactMap({ summaries[$0]?.mean }).min() else { return nil }
        let references = Self.classBoundaries(c).map { multiple, className in
            Reference(.horizontal, at: best * multiple, label: "\(className): within \(Format.parameter(multiple))x the lowest error",
                      inLegend: false, note: "\(className) ≤ \(Format.parameter(multiple))x lowest"
                          + (multiple == c.bestMSE && className == "best in class" ? " with ≤ \(Format.percent(c.bestTokens)) of \(c.baseline)'s tokens" : ""))
        }
        let top = best * c.situationalMSE
        let range = Axis.logRange(centres: means + [top], bounds: summaries.values.flatMap { [$0.low, $0.high] }, margin: 1.6, reach: 3)
        return Figure(
            name: "prediction-error-classes", title: "Prediction error and the rating rule's classes (spline task, \(c.predictionSteps) steps)",
            x: Axis("", range: -0.6...(Double(max(names.count, 1)) - 0.4), tics: tics),
            y: Axis("prediction MSE", unit: "squared units, log scale", log: true, range: range, tics: Self.logTics(range)),
            series: series,
            legend: .hidden, references: references, width: 1000, height: 560)
    }

    /// Tics at 1, 2 and 5 times each power of ten inside `range` (a log axis spanning less than a
    /// decade would otherwise show one tic or none).
    static func logTics(_ range: ClosedRange<Double>) -> [(value: Double, label: String)] {
        let first = Int(log10(range.lowerBound).rounded(.down)), last = Int(log10(range.upperBound).rounded(.up))
        return (first...last).flatMap { e in [1.0, 2, 5].map { $0 * pow(10, Double(e)) } }
            .filter(range.contains).map { ($0, Format.parameter($0)) }
    }
}
