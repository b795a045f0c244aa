/// The bits a tokenizer needs to reach a precision target, and the ratio of two such costs.
///
/// A tokenizer is swept over settings, each with a cost in bits per chunk and a measured error.
/// Its cost at the target is the fewest bits among the settings whose error is at most the
/// target; a tokenizer none of whose settings reaches the target needs infinitely many bits.
/// The ratio of two costs follows from that: finite / infinite is 0, infinite / finite is
/// infinite, and infinite / infinite is undefined (NaN), which the claim machinery reports as
/// inconclusive rather than dropping the seed.
enum BitsAtTarget {
    // region: bits-at-target
    /// The fewest bits among `settings` whose error is at most `target`; `+infinity` if none is.
    ///
    /// A NaN error is a failed measurement, not a miss, and stops the experiment.
    static func cheapest(_ settings: [(bits: Double, error: Double)], target: Double) throws -> Double {
        if let bad = settings.first(where: { $0.error.isNaN || !$0.bits.isFinite || $0.bits <= 0 }) {
            throw BitsAtTargetError(problem: "a setting of \(bad.bits) bits has error \(bad.error); every setting needs a positive, finite cost and a measured error")
        }
        return settings.filter { $0.error <= target }.map(\.bits).min() ?? .infinity
    }

    /// `numerator / denominator` for costs that may be infinite: x / inf = 0, inf / x = inf,
    /// inf / inf = NaN (undefined).
    static func ratio(_ numerator: Double, _ denominator: Double) -> Double {
        switch (numerator.isInfinite, denominator.isInfinite) {
        case (true, true): return .nan
        case (false, true): return 0
        case (true, false): return .infinity
        case (false, false): return numerator / denominator
        }
    }
    // endregion: bits-at-target
}

/// A sweep the target rule cannot judge (a NaN error or a non-positive cost).
struct BitsAtTargetError: Error, CustomStringConvertible {
    let problem: String
    var description: String { "bits at target: \(problem)" }
}
