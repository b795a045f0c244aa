import ActionData

/// What a fitted tokenizer does to a set of chunks: the tokens, and the error of the round trip.
public struct Reconstruction: Sendable {
    /// The token ids of each chunk.
    public let tokens: [[Int]]
    /// Root mean square error per dimension, in the data's units.
    public let rmse: [Double]
    /// Standard deviation per dimension of the data measured on.
    public let std: [Double]

    /// Encodes and decodes every chunk of `data` with `tokenizer`.
    public static func measure(_ tokenizer: any ActionTokenizer, on data: ChunkSet) throws -> Reconstruction {
        let pairs = try data.chunks.map { chunk -> (tokens: [Int], decoded: ActionChunk) in
            let ids = try tokenizer.encode(chunk)
            return (ids, try tokenizer.decode(ids, steps: chunk.steps, dims: chunk.dims))
        }
        return try compare(data, decoded: pairs.map(\.decoded), tokens: pairs.map(\.tokens))
    }

    /// The error of `decoded[i]` against `data.chunks[i]`, for round trips made some other way
    /// (e.g. a residual VQ decoded from its first layers only); `tokens[i]` are chunk `i`'s ids.
    public static func compare(_ data: ChunkSet, decoded: [ActionChunk], tokens: [[Int]]) throws -> Reconstruction {
        let dims = data.dims
        guard decoded.count == data.count, tokens.count == data.count,
              zip(decoded, data.chunks).allSatisfy({ $0.steps == $1.steps && $0.dims == dims }) else {
            throw TokenizerError.shapeMismatch("reconstruction", "expected \(data.count) decoded chunks of \(data.steps) x \(dims), found \(decoded.count) (and \(tokens.count) token lists)")
        }
        var sq = [Double](repeating: 0, count: dims)
        for (chunk, back) in zip(data.chunks, decoded) {
            for i in chunk.values.indices { let e = back.values[i] - chunk.values[i]; sq[i % dims] += e * e }
        }
        let n = Double(data.count * data.steps)
        let std = (0..<dims).map { d -> Double in
            let v = data.values(dimension: d)
            let m = v.reduce(0, +) / Double(v.count)
            return (v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(max(1, v.count - 1))).squareRoot()
        }
        return Reconstruction(tokens: tokens, rmse: sq.map { ($0 / n).squareRoot() }, std: std)
    }

    /// RMSE divided by the dimension's standard deviation (0 for a constant dimension).
    public var relativeRMSE: [Double] { zip(rmse, std).map { $1 > 0 ? $0 / $1 : 0 } }

    /// The mean of ``relativeRMSE`` over `dims` (default: all dimensions).
    public func meanRelativeRMSE(dims: [Int]? = nil) -> Double {
        let r = relativeRMSE, ds = dims ?? Array(r.indices)
        return ds.map { r[$0] }.reduce(0, +) / Double(ds.count)
    }

    /// Mean tokens per chunk.
    public var tokensPerChunk: Double { Double(tokens.map(\.count).reduce(0, +)) / Double(max(1, tokens.count)) }
}
