/// What kind of number a statistic is, which fixes how its seeds are summarised and its interval built.
///
/// Every claim declares its scale in the experiment file (`scale = "log"`) before any run, and
/// every table and error bar uses the scale of what it shows, so no interval ever leaves the range
/// the quantity can take:
///
/// | scale | values | centre | 95 % interval |
/// |---|---|---|---|
/// | `linear` | any real | mean | Student t |
/// | `log` | positive ratios and errors | geometric mean | Student t of the logs, mapped back |
/// | `proportion` | shares and rates in [0, 1] | mean | Student t, cut to [0, 1] |
/// | `difference` | a difference of two proportions, in [-1, 1] | mean | Student t, cut to [-1, 1] |
/// | `correlation` | a rank correlation, in [-1, 1] | mean | Student t, cut to [-1, 1] |
/// | `ordinal` | class indices | majority class (else the median) | none: the per-seed classes are reported |
///
/// Cutting a Student-t interval to the range its mean must lie in keeps its coverage (the part cut
/// off holds no possible value) and, unlike a logit interval, copes with seeds at exactly 0 or 1,
/// which success rates and bin shares often are.
public enum StatisticScale: String, CaseIterable, Sendable, Codable {
    case linear, log, proportion, difference, correlation, ordinal

    /// The values a statistic of this scale can take.
    public var range: ClosedRange<Double> {
        switch self {
        case .linear, .ordinal: return -Double.infinity...Double.infinity
        case .log: return 0...Double.infinity
        case .proportion: return 0...1
        case .difference, .correlation: return -1...1
        }
    }

    /// A one-line description of how the interval is built, for captions.
    public var intervalMethod: String {
        switch self {
        case .linear: return "Student-t interval of the mean"
        case .log: return "geometric mean, Student-t interval of the logs"
        case .proportion: return "Student-t interval cut to [0, 1]"
        case .difference, .correlation: return "Student-t interval cut to [-1, 1]"
        case .ordinal: return "no interval: majority class and every seed's class"
        }
    }

    /// Why `values` cannot be of this scale, naming the first offending seed; `nil` when they fit.
    public func problem(with values: [Double]) -> String? {
        for (i, v) in values.enumerated() {
            if v.isNaN { return "seed \(i + 1) of \(values.count) is not a number" }
            if !range.contains(v) {
                return "seed \(i + 1) of \(values.count) is \(v), outside the \(rawValue) scale's range \(range.lowerBound)...\(range.upperBound)"
            }
            if self == .ordinal, v.rounded() != v { return "seed \(i + 1) of \(values.count) is \(v), not a class index" }
        }
        return nil
    }
}
