import Foundation

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

/// Summary statistics over seeds on a declared scale: a centre and a 95 % confidence interval.
public struct SeedSummary: Equatable, Sendable {
    /// Number of seeds.
    public let n: Int
    /// How the seeds were summarised.
    public let scale: StatisticScale
    /// The centre: the mean (geometric on the log scale; on the ordinal scale the majority class,
    /// or the median class when no class has more than half the seeds).
    public let mean: Double
    /// Sample standard deviation on the analysis scale (of the logs on the log scale); 0 for one seed.
    public let std: Double
    /// Lower end of the 95 % confidence interval (NaN on the ordinal scale, -∞ for one seed).
    public let low: Double
    /// Upper end of the 95 % confidence interval (NaN on the ordinal scale, +∞ for one seed).
    public let high: Double
    /// The per-seed values, in seed order.
    public let values: [Double]

    /// Summarises per-seed values on `scale`; with one seed the interval is unknown (infinite).
    ///
    /// Values outside the scale's range give a NaN centre and interval (the runner rejects them
    /// with a message before this happens; see ``StatisticScale/problem(with:)``).
    public init(_ values: [Double], scale: StatisticScale) {
        precondition(!values.isEmpty, "summary of no values")
        self.values = values
        self.scale = scale
        n = values.count
        if scale.problem(with: values) != nil {
            mean = .nan; std = .nan; low = .nan; high = .nan; return
        }
        switch scale {
        case .ordinal:
            mean = Self.majority(values); std = Statistics.std(values); low = .nan; high = .nan
        case .log:
            if values.allSatisfy({ $0 == values[0] }) {
                mean = values[0]; std = 0
                (low, high) = n > 1 ? (values[0], values[0]) : (0, .infinity)
            } else if values.contains(where: { $0 == 0 || $0 == .infinity }) {
                // A zero or an infinity has no finite log: the centre is exact, the spread unknown.
                let hasZero = values.contains(0), hasInfinity = values.contains(.infinity)
                mean = hasZero && hasInfinity ? .nan : hasZero ? 0 : .infinity
                std = .infinity; low = 0; high = .infinity
            } else {
                let t = Statistics.tInterval(values.map { Foundation.log($0) })
                mean = Foundation.exp(t.mean); std = t.std; low = Foundation.exp(t.low); high = Foundation.exp(t.high)
            }
        case .linear, .proportion, .difference, .correlation:
            let t = Statistics.tInterval(values)
            let r = scale.range
            mean = t.mean; std = t.std
            low = Swift.max(t.low, r.lowerBound); high = Swift.min(t.high, r.upperBound)
        }
    }

    /// The same summary with every value multiplied by a positive `factor` (e.g. 100 for percent).
    public func scaled(by factor: Double) -> SeedSummary {
        precondition(factor > 0, "scale factor must be positive")
        return SeedSummary(n: n, scale: scale, mean: mean * factor, std: scale == .log ? std : std * factor,
                           low: low * factor, high: high * factor, values: values.map { $0 * factor })
    }

    private init(n: Int, scale: StatisticScale, mean: Double, std: Double, low: Double, high: Double, values: [Double]) {
        self.n = n; self.scale = scale; self.mean = mean; self.std = std; self.low = low; self.high = high; self.values = values
    }

    /// The class more than half the seeds share; without such a majority, the median class (the
    /// lower of the two middle ones for an even count), the natural centre of ordered classes.
    static func majority(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        for v in sorted where sorted.filter({ $0 == v }).count * 2 > sorted.count { return v }
        return sorted[(sorted.count - 1) / 2]
    }
}

/// Small statistics helpers with no dependencies.
public enum Statistics {
    /// Two-sided 95 % critical values of Student's t for 1...30 degrees of freedom.
    static let t975: [Double] = [
        12.706204736174698, 4.302652729749464, 3.182446305284263, 2.7764451051977934, 2.5705818356363146,
        2.4469118511449692, 2.3646242515927844, 2.306004135204166, 2.2621571628540993, 2.2281388519862744,
        2.200985160082949, 2.1788128296634177, 2.1603686564627917, 2.1447866879169273, 2.131449545559323,
        2.1199052992210112, 2.1098155778331806, 2.10092204024096, 2.093024054408263, 2.0859634472658364,
        2.079613844727662, 2.0738730679040147, 2.0686576104190406, 2.0638985616280205, 2.059538552753294,
        2.055529438642871, 2.0518305164802833, 2.048407141795244, 2.0452296421327034, 2.0422724563012373,
    ]

    /// The 0.975 quantile of Student's t: a table up to 30 degrees of freedom, then the
    /// Cornish-Fisher expansion around the normal quantile (error below 1e-5 there).
    public static func tQuantile975(degreesOfFreedom df: Int) -> Double {
        precondition(df >= 1, "degrees of freedom must be positive")
        if df <= t975.count { return t975[df - 1] }
        let z = 1.959963984540054, v = Double(df)
        let z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z
        return z + (z3 + z) / (4 * v) + (5 * z5 + 16 * z3 + 3 * z) / (96 * v * v)
            + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * v * v * v)
    }

    /// Mean, sample standard deviation and the 95 % Student-t interval of the mean of finite values
    /// (an infinite interval for one value).
    public static func tInterval(_ values: [Double]) -> (mean: Double, std: Double, low: Double, high: Double) {
        let m = mean(values)
        guard values.count > 1 else { return (m, 0, -.infinity, .infinity) }
        let s = std(values)
        let half = tQuantile975(degreesOfFreedom: values.count - 1) * s / Double(values.count).squareRoot()
        return (m, s, m - half, m + half)
    }

    /// Root mean square of `values`.
    public static func rms(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        return (values.reduce(0) { $0 + $1 * $1 } / Double(values.count)).squareRoot()
    }

    /// Mean of `values` (0 when empty).
    public static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }

    /// Sample standard deviation of `values` (0 for fewer than two).
    public static func std(_ values: [Double]) -> Double {
        guard values.count > 1 else { return 0 }
        let m = mean(values)
        return (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)).squareRoot()
    }
}
