import ActionData

extension Statistics {
    /// Root mean square error per dimension of `decoded[i]` against `data.chunks[i]`, pooled over
    /// every chunk and step, in the data's units.
    ///
    /// - Throws: `ActionDataError.shapeMismatch` unless there is one decoded chunk of the data's
    ///   shape per chunk.
    public static func perDimensionRMSE(_ data: ChunkSet, decoded: [ActionChunk]) throws -> [Double] {
        let dims = data.dims
        guard decoded.count == data.count,
              zip(decoded, data.chunks).allSatisfy({ $0.steps == $1.steps && $0.dims == dims }) else {
            throw ActionDataError.shapeMismatch("reconstruction: expected \(data.count) decoded chunks of \(data.steps) x \(dims), found \(decoded.count)")
        }
        var sq = [Double](repeating: 0, count: dims)
        for (chunk, back) in zip(data.chunks, decoded) {
            for i in chunk.values.indices { let e = back.values[i] - chunk.values[i]; sq[i % dims] += e * e }
        }
        let n = Double(data.count * data.steps)
        return sq.map { ($0 / n).squareRoot() }
    }

    /// Sample standard deviation per dimension (n - 1 in the denominator; 0 for a single value),
    /// over every chunk and step.
    public static func perDimensionStd(_ data: ChunkSet) -> [Double] {
        (0..<data.dims).map { d -> Double in
            let v = data.values(dimension: d)
            let m = v.reduce(0, +) / Double(v.count)
            return (v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(max(1, v.count - 1))).squareRoot()
        }
    }
}
