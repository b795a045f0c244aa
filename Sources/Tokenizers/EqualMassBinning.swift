import ActionData
import Metrics

/// Equal-mass (quantile) binning: every bin holds the same share of the fitting data.
///
/// This is the audit's `floor(quantile(a) x 255)` formula, generalised to `bins` bins: the token
/// is `floor(F(x) x bins)` (clamped to the last bin), where `F` is the empirical distribution of
/// the fitting data. A bin decodes to the median of the fitting values that fell into it (the
/// quantile at its middle mass `(b + 0.5) / bins` when none did), so a value that many samples
/// share exactly (a gripper that is mostly fully open or closed) decodes to itself. Dense regions
/// get narrow bins and sparse regions wide ones; when many fitting values are identical, several
/// edges coincide and the bins between them can never be used.
public final class EqualMassBinning: PerDimensionBinning {
    private var edges: [[Double]] = []       // bins - 1 inner edges per dimension
    private var centres: [[Double]] = []

    /// Creates an unfitted tokenizer.
    public init(_ config: BinningConfig = BinningConfig()) {
        super.init(name: "equal-mass", bins: config.bins)
    }

    override func stateEntries() -> [(key: String, values: [Double])] {
        [("edges", edges.flatMap { $0 }), ("centres", centres.flatMap { $0 })]
    }
    override func stateLayout(dims: Int) -> [(key: String, count: Int)] { [("edges", dims * (bins - 1)), ("centres", dims * bins)] }
    override func stateProblem(_ a: [String: [Double]], dims: Int) -> (key: String, problem: String)? {
        let e = a["edges"]!, n = bins - 1
        for d in 0..<dims where n > 1 {
            if let i = (1..<n).first(where: { e[d * n + $0] < e[d * n + $0 - 1] }) {
                return ("edges", "dimension \(d): edge \(i) (\(e[d * n + i])) lies below edge \(i - 1) (\(e[d * n + i - 1])); fitted edges never decrease")
            }
        }
        return nil
    }
    override func restoreState(_ a: [String: [Double]], dims: Int) {
        let e = a["edges"]!, c = a["centres"]!
        edges = (0..<dims).map { Array(e[$0 * (bins - 1)..<($0 + 1) * (bins - 1)]) }
        centres = (0..<dims).map { Array(c[$0 * bins..<($0 + 1) * bins]) }
    }

    override func fitDimensions(_ sorted: [[Double]]) throws {
        edges = sorted.map { v in (1..<bins).map { Statistics.quantile(sorted: v, Double($0) / Double(bins)) } }
        centres = zip(sorted, edges).map { v, e in
            (0..<bins).map { b in
                // Members of bin b: e[b-1] < x <= e[b] (open-ended at both extremes).
                let start = b == 0 ? 0 : Self.countBelowOrEqual(v, e[b - 1])
                let end = b == bins - 1 ? v.count : Self.countBelowOrEqual(v, e[b])
                guard end > start else { return Statistics.quantile(sorted: v, (Double(b) + 0.5) / Double(bins)) }
                let mid = start + (end - start) / 2
                return (end - start) % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2
            }
        }
    }

    /// The number of values in sorted `v` that are at most `x`.
    static func countBelowOrEqual(_ v: [Double], _ x: Double) -> Int {
        var lo = 0, hi = v.count
        while lo < hi { let mid = (lo + hi) / 2; if v[mid] <= x { lo = mid + 1 } else { hi = mid } }
        return lo
    }

    // region: equal-mass-encode
    override func bin(_ x: Double, dimension d: Int) -> Int {
        // The number of inner edges strictly below x: bin b holds edges[b-1] < x <= edges[b].
        let e = edges[d]
        var lo = 0, hi = e.count
        while lo < hi { let mid = (lo + hi) / 2; if e[mid] < x { lo = mid + 1 } else { hi = mid } }
        return lo
    }

    override func value(ofBin b: Int, dimension d: Int) -> Double { centres[d][b] }
    // endregion: equal-mass-encode
}
