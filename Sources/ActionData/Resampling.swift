/// Resamples uniformly sampled time series to another rate by linear interpolation in time.
///
/// A series of `n` samples at `from` Hz has its sample `k` at time `k / from`, so it spans
/// `duration = (n - 1) / from` seconds. The resampled series has
/// `max(1, round(duration * to))` samples, sample `j` at time `j / to`: it starts with the first
/// input sample and never extrapolates past the last one. Each output sample interpolates
/// linearly between the two input samples around its time, so signals that are linear in time
/// are reproduced exactly (up to the rounding of one multiply-add).
public enum Resampling {
    /// The number of samples `linear` returns for `samples` input samples.
    public static func outputCount(samples: Int, from: Double, to: Double) -> Int {
        guard samples > 0 else { return 0 }
        let duration = Double(samples - 1) / from
        return max(1, Int((duration * to).rounded()))
    }

    /// Resamples the rows of `series` (one row of values per time step) from `from` Hz to `to` Hz.
    ///
    /// All rows must have the same length; both rates must be positive and finite (checked with a
    /// precondition: callers validate user input first). An empty series stays empty.
    public static func linear(_ series: [[Double]], from: Double, to: Double) -> [[Double]] {
        precondition(from.isFinite && from > 0 && to.isFinite && to > 0, "sampling rates must be positive and finite")
        let n = series.count
        guard n > 1 else { return series }
        let m = outputCount(samples: n, from: from, to: to)
        var out: [[Double]] = []
        out.reserveCapacity(m)
        for j in 0..<m {
            let u = Double(j) * from / to          // position in input samples
            let i = min(n - 1, Int(u.rounded(.down)))
            let fraction = u - Double(i)
            if i == n - 1 || fraction == 0 {
                out.append(series[i])
            } else {
                let a = series[i], b = series[i + 1]
                out.append((0..<a.count).map { a[$0] + (b[$0] - a[$0]) * fraction })
            }
        }
        return out
    }

    /// Resamples a single-channel series; see ``linear(_:from:to:)``.
    public static func linear(_ values: [Double], from: Double, to: Double) -> [Double] {
        linear(values.map { [$0] }, from: from, to: to).map { $0[0] }
    }
}
