import Foundation

extension ChunkSet {
    /// Reads chunks from `path`: an `.npy` file, or one array of an `.npz` archive named as
    /// `file.npz:NAME` (or `file.npz` alone when it holds one array).
    ///
    /// The array must be 3-D, `(chunks, steps, dims)`; a 2-D `(steps, dims)` array is read as one
    /// chunk only with `singleChunk`, so a mistaken shape is an error rather than one long chunk.
    /// Non-finite values are rejected with the chunk, step and dimension of the first one.
    public static func read(_ path: String, singleChunk: Bool = false) throws -> ChunkSet {
        let (array, source) = try readArray(path)
        return try ChunkSet(array, source: source, singleChunk: singleChunk)
    }

    /// Reads chunks from the `.npy` file at `url` (see ``read(_:singleChunk:)``).
    public static func readNPY(_ url: URL, singleChunk: Bool = false) throws -> ChunkSet {
        try ChunkSet(try NPY.read(contentsOf: url), source: url.path, singleChunk: singleChunk)
    }

    /// The array at `path` (`.npy`, `file.npz:NAME` or a one-array `file.npz`) and the name errors use for it.
    static func readArray(_ path: String) throws -> (NPYArray, String) {
        if let r = path.range(of: ".npz:", options: .backwards) {
            let file = String(path[..<r.lowerBound]) + ".npz", name = String(path[r.upperBound...])
            return (try NPZ.array(named: name, contentsOf: URL(fileURLWithPath: file)), path)
        }
        if path.hasSuffix(".npz") {
            let arrays = try NPZ.read(contentsOf: URL(fileURLWithPath: path))
            guard arrays.count == 1 else { throw NPYError.ambiguousNPZ(source: path, names: arrays.map(\.name)) }
            return (arrays[0].array, "\(path):\(arrays[0].name)")
        }
        return (try NPY.read(contentsOf: URL(fileURLWithPath: path)), path)
    }

    /// Chunks from `a`, named `source` in errors (see ``read(_:singleChunk:)`` for the shapes).
    init(_ a: NPYArray, source: String, singleChunk: Bool) throws {
        let shape: [Int]
        switch a.shape.count {
        case 3: shape = a.shape
        case 2 where singleChunk: shape = [1] + a.shape
        case 2:
            throw ActionDataError.shapeMismatch("\(source) has shape \(a.shape); expected (chunks, steps, dims) — a 2-D (steps, dims) array is one chunk only when asked for (--single-chunk)")
        default:
            throw ActionDataError.shapeMismatch("\(source) has shape \(a.shape); expected (chunks, steps, dims)")
        }
        let (n, t, d) = (shape[0], shape[1], shape[2])
        guard n > 0, t > 0, d > 0 else { throw ActionDataError.empty("\(source) has shape \(a.shape)") }
        let per = t * d
        let chunks = try (0..<n).map { c -> ActionChunk in
            do { return try ActionChunk(steps: t, dims: d, values: Array(a.values[c * per..<(c + 1) * per])) } catch ActionDataError.nonFinite(let at) {
                throw ActionDataError.nonFinite("\(source), chunk \(c), \(at)")
            }
        }
        try self.init(chunks: chunks)
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
