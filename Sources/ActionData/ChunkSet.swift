import Support

/// A set of action chunks of one shape, with names for the dimensions.
public struct ChunkSet: Sendable, Equatable {
    /// The chunks, all `steps x dims`.
    public let chunks: [ActionChunk]
    /// Steps per chunk.
    public let steps: Int
    /// Dimensions per step.
    public let dims: Int
    /// One name per dimension (e.g. `dx`, `gripper`).
    public let dimensionNames: [String]
    /// Control frequency in Hz, when known.
    public let frequency: Double?

    /// Creates a set; all chunks must share one shape and there must be at least one.
    public init(chunks: [ActionChunk], dimensionNames: [String]? = nil, frequency: Double? = nil) throws {
        guard let first = chunks.first else { throw ActionDataError.empty("a chunk set needs at least one chunk") }
        if let bad = chunks.firstIndex(where: { $0.steps != first.steps || $0.dims != first.dims }) {
            throw ActionDataError.shapeMismatch("chunk \(bad) is \(chunks[bad].steps) x \(chunks[bad].dims), chunk 0 is \(first.steps) x \(first.dims)")
        }
        let names = dimensionNames ?? (0..<first.dims).map { "a\($0)" }
        guard names.count == first.dims else {
            throw ActionDataError.shapeMismatch("\(names.count) dimension names for \(first.dims) dimensions")
        }
        self.chunks = chunks; self.steps = first.steps; self.dims = first.dims
        self.dimensionNames = names; self.frequency = frequency
    }

    /// Number of chunks.
    public var count: Int { chunks.count }

    /// Every value of dimension `d`, over all chunks and steps (chunk-major, then time).
    public func values(dimension d: Int) -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(count * steps)
        for c in chunks { for t in 0..<steps { out.append(c.values[t * dims + d]) } }
        return out
    }

    /// All values flattened chunk by chunk (the layout of an `N x T x D` array).
    public var flatValues: [Double] { chunks.flatMap(\.values) }

    /// SHA-256 over the shape and raw values: identifies the input data in provenance.
    public var contentHash: String {
        StableHash.sha256Hex([Double(count), Double(steps), Double(dims)] + flatValues)
    }

    /// Returns a set with the same names and frequency but other chunks.
    public func replacing(chunks new: [ActionChunk]) throws -> ChunkSet {
        try ChunkSet(chunks: new, dimensionNames: dimensionNames, frequency: frequency)
    }
}
