import Support
/// A window of robot actions: `steps` time steps of `dims` action dimensions, row-major.
///
/// Values are finite by construction: the initialiser rejects NaN and infinities, so downstream
/// code (tokenizers, metrics) never sees them.
public struct ActionChunk: Equatable, Sendable {
    /// Number of time steps (rows).
    public let steps: Int
    /// Number of action dimensions (columns).
    public let dims: Int
    /// `steps * dims` values, time-major: `values[t * dims + d]`.
    public let values: [Double]

    /// Creates a chunk, checking the shape and that every value is finite.
    public init(steps: Int, dims: Int, values: [Double]) throws {
        guard steps > 0, dims > 0 else {
            throw ActionDataError.shapeMismatch("a chunk needs at least one step and one dimension, got \(steps) x \(dims)")
        }
        guard values.count == steps * dims else {
            throw ActionDataError.shapeMismatch("\(steps) steps x \(dims) dims needs \(steps * dims) values, got \(values.count)")
        }
        if let i = values.firstIndex(where: { !$0.isFinite }) {
            throw ActionDataError.nonFinite("step \(i / dims), dimension \(i % dims): \(values[i])")
        }
        self.steps = steps; self.dims = dims; self.values = values
    }

    /// Creates a chunk from rows (one array of `dims` values per step).
    public init(rows: [[Double]]) throws {
        guard let first = rows.first else { throw ActionDataError.shapeMismatch("a chunk needs at least one step") }
        if let bad = rows.firstIndex(where: { $0.count != first.count }) {
            throw ActionDataError.shapeMismatch("step \(bad) has \(rows[bad].count) values, step 0 has \(first.count)")
        }
        try self.init(steps: rows.count, dims: first.count, values: rows.flatMap { $0 })
    }

    /// The value at step `t`, dimension `d`.
    @inlinable public subscript(t: Int, d: Int) -> Double { values[t * dims + d] }

    /// The time series of dimension `d`.
    public func column(_ d: Int) -> [Double] { (0..<steps).map { values[$0 * dims + d] } }
}

/// Errors in action data: shapes, non-finite values, empty sets.
public enum ActionDataError: Error, CustomStringConvertible, Equatable {
    case shapeMismatch(String)
    case nonFinite(String)
    case empty(String)
    case invalidParameter(String)

    public var description: String {
        switch self {
        case .shapeMismatch(let s): return "action data has the wrong shape: \(s)"
        case .nonFinite(let s): return "action data contains a non-finite value (NaN or infinity) at \(s)"
        case .empty(let s): return "action data is empty: \(s)"
        case .invalidParameter(let s): return "invalid action-data parameter: \(s)"
        }
    }
}

extension ActionDataError: InputError {}
