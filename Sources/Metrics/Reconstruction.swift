import ActionData

/// What a round trip through a tokenizer did to a set of chunks: the tokens, and the error.
///
/// ``compare(_:decoded:tokens:)`` measures a round trip made any way; the `Tokenizers` module adds
/// `Reconstruction.measure(_:on:)`, which encodes and decodes with a tokenizer first.
public struct Reconstruction: Sendable {
    /// The token ids of each chunk.
    public let tokens: [[Int]]
    /// Root mean square error per dimension, in the data's units.
    public let rmse: [Double]
    /// Standard deviation per dimension of the data measured on.
    public let std: [Double]

    /// The error of `decoded[i]` against `data.chunks[i]`; `tokens[i]` are chunk `i`'s ids.
    ///
    /// - Throws: `ActionDataError.shapeMismatch` when the decoded chunks or token lists do not
    ///   match the data one for one, with the data's shape.
    public static func compare(_ data: ChunkSet, decoded: [ActionChunk], tokens: [[Int]]) throws -> Reconstruction {
        guard tokens.count == data.count else {
            throw ActionDataError.shapeMismatch("reconstruction: expected \(data.count) token lists, one per chunk, found \(tokens.count)")
        }
        return Reconstruction(tokens: tokens, rmse: try Statistics.perDimensionRMSE(data, decoded: decoded),
                              std: Statistics.perDimensionStd(data))
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
