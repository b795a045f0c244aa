import ActionData
import Metrics

/// OpenVLA's binning: normalise each dimension by its 1st and 99th percentiles, then 256 uniform bins.
///
/// A value becomes `clip(2 (x - q01) / (q99 - q01 + 1e-8) - 1, -1, 1)` (a dimension whose minimum
/// equals its maximum maps to 0). Bin edges are `bins` evenly spaced points on [-1, 1], so there are
/// `bins - 1` bin centres; the token is the digitised index minus one, and decoding returns the
/// centre (the top id, reached only at the clip boundary 1.0, shares the last centre). Values past
/// the percentiles are clipped: the 1 % tails lose precision, the bulk keeps it.
public final class OpenVLABinning: PerDimensionBinning {
    private var q01: [Double] = []
    private var q99: [Double] = []
    private var constant: [Bool] = []
    private lazy var edges: [Double] = (0..<bins).map { -1 + 2 * Double($0) / Double(bins - 1) }

    /// Creates an unfitted tokenizer.
    public init(_ config: BinningConfig = BinningConfig()) {
        super.init(name: "openvla", bins: config.bins)
    }

    /// The fitted (q01, q99) of dimension `d`.
    public func percentiles(dimension d: Int) -> (q01: Double, q99: Double) { (q01[d], q99[d]) }

    override func stateEntries() -> [(key: String, values: [Double])] {
        [("q01", q01), ("q99", q99), ("constant", constant.map { $0 ? 1 : 0 })]
    }
    override func stateLayout(dims: Int) -> [(key: String, count: Int)] { [("q01", dims), ("q99", dims), ("constant", dims)] }
    override func stateProblem(_ a: [String: [Double]], dims: Int) -> (key: String, problem: String)? {
        if let d = (0..<dims).first(where: { a["q01"]![$0] > a["q99"]![$0] }) {
            return ("q99", "dimension \(d): the 99th percentile \(a["q99"]![d]) lies below the 1st, \(a["q01"]![d])")
        }
        if let d = a["constant"]!.firstIndex(where: { $0 != 0 && $0 != 1 }) {
            return ("constant", "dimension \(d) has \(a["constant"]![d]); expected 0 or 1")
        }
        return nil
    }
    override func restoreState(_ a: [String: [Double]], dims: Int) {
        q01 = a["q01"]!; q99 = a["q99"]!; constant = a["constant"]!.map { $0 != 0 }
    }

    override func fitDimensions(_ sorted: [[Double]]) throws {
        q01 = sorted.map { Statistics.quantile(sorted: $0, 0.01) }
        q99 = sorted.map { Statistics.quantile(sorted: $0, 0.99) }
        constant = sorted.map { $0.first! == $0.last! }
    }

    /// The normalised value in [-1, 1].
    func normalise(_ x: Double, _ d: Int) -> Double {
        if constant[d] { return 0 }
        return min(1, max(-1, 2 * (x - q01[d]) / (q99[d] - q01[d] + 1e-8) - 1))
    }

    // region: openvla-encode
    override func bin(_ x: Double, dimension d: Int) -> Int {
        let n = normalise(x, d)
        // numpy.digitize(n, edges) - 1: the number of edges <= n, minus one.
        var lo = 0, hi = edges.count
        while lo < hi { let mid = (lo + hi) / 2; if edges[mid] <= n { lo = mid + 1 } else { hi = mid } }
        return min(max(lo - 1, 0), bins - 1)
    }

    override func value(ofBin b: Int, dimension d: Int) -> Double {
        let i = min(b, bins - 2)                                  // bins - 1 centres
        let centre = (edges[i] + edges[i + 1]) / 2
        if constant[d] { return q01[d] }
        return (centre + 1) / 2 * (q99[d] - q01[d] + 1e-8) + q01[d]   // undo the normalisation
    }
    // endregion: openvla-encode
}
