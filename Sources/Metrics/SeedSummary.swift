import Foundation

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
