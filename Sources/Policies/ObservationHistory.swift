import Support

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

/// What every policy over observation histories and action windows checks and builds alike
/// (``TokenizedPolicy``, ``ContinuousPolicy``).
extension ObservationHistory {
    /// Throws a ``ConfigError`` at `location` unless `history` and `window` are at least 1.
    static func validate(history: Int, window: Int, location: String) throws {
        guard history >= 1 else { throw ConfigError(location: location, key: "history", problem: "expected at least 1 observation, found \(history)") }
        guard window >= 1 else { throw ConfigError(location: location, key: "window", problem: "expected at least 1 action, found \(window)") }
    }

    /// Throws a ``PolicyError`` unless both widths are at least 1.
    static func checkWidths(observation: Int, action: Int) throws {
        guard observation >= 1, action >= 1 else {
            throw PolicyError.invalidArgument("observation and action widths must be ≥ 1, found \(observation) and \(action)")
        }
    }

    /// Throws a ``PolicyError`` unless `demos` have these widths.
    static func check(_ demos: Demonstrations, observation: Int, action: Int) throws {
        guard demos.observationDim == observation, demos.actionDim == action else {
            throw PolicyError.mismatch("demonstrations are \(demos.observationDim) -> \(demos.actionDim), the policy \(observation) -> \(action)")
        }
    }

    /// The history of every (episode, step) sample of `demos`, in ``Demonstrations/samples`` order.
    func conditions(_ demos: Demonstrations) -> [[Float]] {
        demos.samples.map { values(demos.episodes[$0.episode].observations, endingAt: $0.step) }
    }

    /// The standardised history an `act` call was given (the current observation last); throws a
    /// ``PolicyError`` for an empty history or an observation of the wrong width.
    func condition(acting history: [[Double]]) throws -> [Float] {
        guard !history.isEmpty, history.allSatisfy({ $0.count == mean.count }) else {
            throw PolicyError.invalidArgument("a history needs at least one observation, each of \(mean.count) values")
        }
        return values(history, endingAt: history.count - 1)
    }
}
