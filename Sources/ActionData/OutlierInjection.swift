import Support

/// Replaces a fraction of the values in a chunk set with large outliers (sensor or logging glitches).
///
/// Exactly `round(fraction x N x T x D)` entries, drawn without replacement, are set to
/// `mean_d ± magnitude x std_d x u` with a random sign and `u` uniform in [0.5, 1.5], where the mean
/// and standard deviation are those of the clean dimension. Every dimension is eligible.
public struct OutlierInjection: Sendable, Equatable {
    /// Share of all values that become outliers, in [0, 0.5].
    public var fraction: Double
    /// Typical outlier distance from the mean, in standard deviations of the dimension.
    public var magnitude: Double

    public init(fraction: Double, magnitude: Double) {
        self.fraction = fraction; self.magnitude = magnitude
    }

    /// The contaminated set and the number of values replaced.
    public func apply(to data: ChunkSet, rng: inout SeededGenerator) throws -> (data: ChunkSet, replaced: Int) {
        guard fraction.isFinite, (0...0.5).contains(fraction) else { throw ActionDataError.invalidParameter("outlier fraction must be in [0, 0.5], got \(fraction)") }
        guard magnitude.isFinite, magnitude > 0 else { throw ActionDataError.invalidParameter("outlier magnitude must be positive, got \(magnitude)") }
        let total = data.count * data.steps * data.dims
        let k = Int((fraction * Double(total)).rounded())
        guard k > 0 else { return (data, 0) }
        let stats = (0..<data.dims).map { d -> (mean: Double, std: Double) in
            let v = data.values(dimension: d)
            let m = v.reduce(0, +) / Double(v.count)
            let s = (v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(max(1, v.count - 1))).squareRoot()
            return (m, s > 0 ? s : 1)
        }
        // Floyd's algorithm: k distinct indices from 0..<total, then sorted for a fixed order.
        var chosen = Set<Int>()
        for j in (total - k)..<total {
            let r = rng.nextInt(below: j + 1)
            if !chosen.insert(r).inserted { chosen.insert(j) }
        }
        var flat = data.flatValues
        for index in chosen.sorted() {
            let d = index % data.dims
            let sign: Double = rng.nextBool(probability: 0.5) ? 1 : -1
            flat[index] = stats[d].mean + sign * magnitude * stats[d].std * rng.nextUniform(0.5, 1.5)
        }
        let per = data.steps * data.dims
        let chunks = try (0..<data.count).map { c in
            try ActionChunk(steps: data.steps, dims: data.dims, values: Array(flat[c * per..<(c + 1) * per]))
        }
        return (try data.replacing(chunks: chunks), k)
    }
}
