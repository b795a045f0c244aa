import Foundation

extension ChunkSet {
    /// Reads chunks from an `.npy` array of shape `(N, T, D)`, or `(T, D)` for a single chunk.
    ///
    /// Non-finite values are rejected with the chunk, step and dimension of the first one.
    public static func readNPY(_ url: URL) throws -> ChunkSet {
        let a = try NPY.read(contentsOf: url)
        let shape: [Int]
        switch a.shape.count {
        case 3: shape = a.shape
        case 2: shape = [1] + a.shape
        default:
            throw ActionDataError.shapeMismatch("\(url.lastPathComponent) has shape \(a.shape); expected (chunks, steps, dims) or (steps, dims)")
        }
        let (n, t, d) = (shape[0], shape[1], shape[2])
        guard n > 0, t > 0, d > 0 else { throw ActionDataError.empty("\(url.lastPathComponent) has shape \(a.shape)") }
        let per = t * d
        let chunks = try (0..<n).map { c -> ActionChunk in
            do { return try ActionChunk(steps: t, dims: d, values: Array(a.values[c * per..<(c + 1) * per])) } catch ActionDataError.nonFinite(let at) {
                throw ActionDataError.nonFinite("\(url.lastPathComponent), chunk \(c), \(at)")
            }
        }
        return try ChunkSet(chunks: chunks)
    }

    /// Writes the chunks as an `(N, T, D)` array (float64 unless told otherwise).
    public func writeNPY(_ url: URL, dtype: NPYDType = .float64) throws {
        try NPY.write(NPYArray(shape: [count, steps, dims], values: flatValues, dtype: dtype), to: url)
    }

    /// A set whose dimensions are this set's followed by `other`'s (e.g. two arms side by side).
    public func concatenatingDimensions(with other: ChunkSet) throws -> ChunkSet {
        guard other.count == count, other.steps == steps else {
            throw ActionDataError.shapeMismatch("cannot place \(other.count) chunks of \(other.steps) steps beside \(count) chunks of \(steps) steps")
        }
        let chunks = try zip(chunks, other.chunks).map { a, b in
            try ActionChunk(rows: (0..<steps).map { t in Array(a.values[t * a.dims..<(t + 1) * a.dims]) + Array(b.values[t * b.dims..<(t + 1) * b.dims]) })
        }
        return try ChunkSet(chunks: chunks, dimensionNames: dimensionNames + other.dimensionNames, frequency: frequency)
    }
}
