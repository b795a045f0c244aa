/// Summary statistics over seeds: mean and a 95 % Student-t confidence interval.
public struct SeedSummary: Equatable, Sendable {
    /// Number of seeds.
    public let n: Int
    public let mean: Double
    /// Sample standard deviation (n - 1 in the denominator); 0 for one seed.
    public let std: Double
    /// Lower end of the 95 % confidence interval of the mean.
    public let low: Double
    /// Upper end of the 95 % confidence interval of the mean.
    public let high: Double

    /// Summarises per-seed values; with one seed the interval is unknown (infinite).
    public init(_ values: [Double]) {
        precondition(!values.isEmpty, "summary of no values")
        n = values.count
        mean = values.reduce(0, +) / Double(n)
        guard n > 1 else { std = 0; low = -.infinity; high = .infinity; return }
        let m = mean
        let ss = values.reduce(0) { $0 + ($1 - m) * ($1 - m) }
        std = (ss / Double(n - 1)).squareRoot()
        let half = Statistics.tQuantile975(degreesOfFreedom: n - 1) * std / Double(n).squareRoot()
        low = mean - half; high = mean + half
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
