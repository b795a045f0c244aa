/// The input an observation-history policy sees: the last `length` observations, standardised.
///
/// The mean and deviation are the training demonstrations' (population deviation, at least
/// 1e-6); before an episode's start the first observation is repeated. VQ-BeT and
/// ``TokenizedPolicy`` both read their observations through this.
public struct ObservationHistory: Sendable, Equatable {
    /// Observations per history (the current one last).
    public let length: Int
    /// Per-dimension mean and deviation used to standardise.
    public private(set) var mean: [Double], deviation: [Double]

    /// The identity standardisation (mean 0, deviation 1) for `dims`-wide observations.
    public init(length: Int, dims: Int) {
        self.length = length
        mean = Array(repeating: 0, count: dims); deviation = Array(repeating: 1, count: dims)
    }

    /// Sets the mean and deviation to those of every observation of `demos`.
    public mutating func fit(_ demos: Demonstrations) {
        let allObs = demos.episodes.flatMap(\.observations)
        for d in 0..<mean.count {
            let v = allObs.map { $0[d] }, m = v.reduce(0, +) / Double(v.count)
            mean[d] = m
            deviation[d] = max((v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count)).squareRoot(), 1e-6)
        }
    }

    /// The standardised history of ``length`` observations ending at `step`, flattened
    /// (`length x dims`; the first observation repeated before the start).
    public func values(_ observations: [[Double]], endingAt step: Int) -> [Float] {
        let H = length, D = mean.count
        var out = [Float](repeating: 0, count: H * D)
        for i in 0..<H {
            let o = observations[max(step - (H - 1) + i, 0)]
            for d in 0..<D { out[i * D + d] = Float((o[d] - mean[d]) / deviation[d]) }
        }
        return out
    }
}
