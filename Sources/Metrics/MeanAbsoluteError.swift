/// The mean absolute difference between predicted and true values, accumulated batch by batch.
///
/// Values are summed in the order they are added, so the same additions give the same bits.
public struct MeanAbsoluteError: Sendable, Equatable {
    /// The sum of absolute differences so far.
    public private(set) var total = 0.0
    /// The number of values compared so far.
    public private(set) var count = 0

    /// An empty accumulator.
    public init() {}

    /// Adds `|predicted[j] - truth[j]|` for every index `j` of `truth` (`predicted` has at least as many values).
    public mutating func add(_ predicted: [Double], _ truth: [Double]) {
        precondition(predicted.count >= truth.count, "\(predicted.count) predicted values for \(truth.count) true ones")
        for j in 0..<truth.count { total += abs(predicted[j] - truth[j]) }
        count += truth.count
    }

    /// The mean absolute error (0 before any value).
    public var value: Double { total / Double(max(count, 1)) }
}
