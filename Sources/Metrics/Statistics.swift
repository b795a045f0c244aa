/// Means, spreads, quantiles, shares and Student-t intervals of plain numbers.
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

    /// The `q`-quantile of already sorted values with linear interpolation (numpy's default method).
    public static func quantile(sorted v: [Double], _ q: Double) -> Double {
        precondition(!v.isEmpty, "quantile of an empty array")
        let pos = q * Double(v.count - 1)
        let lo = Int(pos.rounded(.down)), hi = min(lo + 1, v.count - 1)
        return v[lo] + (v[hi] - v[lo]) * (pos - Double(lo))
    }

    /// The share `count / total` (a success rate, a hit rate); 0 when `total` is 0.
    public static func proportion(_ count: Int, of total: Int) -> Double {
        Double(count) / Double(max(total, 1))
    }
}
