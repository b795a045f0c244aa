import ActionData

/// Uniform binning between each dimension's minimum and maximum (RT-1, RT-2).
///
/// `bins` equal-width bins span `[min, max]` of the fitting data; a value decodes to its bin's
/// centre, so in-range values come back within half a bin width. Values outside the fitted range
/// are clamped into the first or last bin. A single outlier stretches the range and makes every
/// bin wider: the weakness the data chapter measures.
public final class MinMaxBinning: PerDimensionBinning {
    private var lower: [Double] = []
    private var width: [Double] = []

    /// Creates an unfitted tokenizer.
    public init(_ config: BinningConfig = BinningConfig()) {
        super.init(name: "minmax", bins: config.bins)
    }

    /// The fitted bin width of dimension `d`.
    public func binWidth(dimension d: Int) -> Double { width[d] }

    override func stateEntries() -> [(key: String, values: [Double])] { [("lower", lower), ("width", width)] }
    override func stateLayout(dims: Int) -> [(key: String, count: Int)] { [("lower", dims), ("width", dims)] }
    override func stateProblem(_ a: [String: [Double]], dims: Int) -> (key: String, problem: String)? {
        a["width"]!.firstIndex { $0 < 0 }.map { ("width", "dimension \($0) has width \(a["width"]![$0]); a fitted bin width is at least 0") }
    }
    override func restoreState(_ a: [String: [Double]], dims: Int) { lower = a["lower"]!; width = a["width"]! }

    override func fitDimensions(_ sorted: [[Double]]) throws {
        lower = sorted.map { $0.first! }
        width = sorted.map { ($0.last! - $0.first!) / Double(bins) }
    }

    // region: minmax-encode
    override func bin(_ x: Double, dimension d: Int) -> Int {
        guard width[d] > 0 else { return 0 }                 // a constant dimension: one bin
        let b = Int(((x - lower[d]) / width[d]).rounded(.down))
        return min(max(b, 0), bins - 1)                       // the maximum falls in the last bin
    }

    override func value(ofBin b: Int, dimension d: Int) -> Double {
        lower[d] + (Double(b) + 0.5) * width[d]               // the bin's centre
    }
    // endregion: minmax-encode
}
