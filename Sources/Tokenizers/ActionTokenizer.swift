import ActionData
import Support

/// The one protocol every action tokenizer implements, learned or not.
///
/// A tokenizer is first fitted on a set of chunks (binning learns ranges or quantiles, FAST learns
/// byte-pair merges, VQ learns codebooks), then maps a `steps x dims` chunk to integer token ids in
/// `0..<vocabularySize` and back. Decoding never guesses: an id outside the vocabulary or the wrong
/// number of tokens throws ``TokenizerError``; nothing silently returns zeros.
public protocol ActionTokenizer: AnyObject {
    /// The stable registry name (e.g. `minmax`), used in experiment files and on the command line.
    var name: String { get }
    /// Number of distinct token ids; every id is in `0..<vocabularySize`.
    var vocabularySize: Int { get }
    /// Whether ``fit(_:)`` has been called successfully.
    var isFitted: Bool { get }
    /// Tokens for one chunk of this shape, or `nil` when the count depends on the content.
    func tokensPerChunk(steps: Int, dims: Int) -> Int?
    /// Learns whatever the tokenizer needs from `data` (ranges, quantiles, merges, codebooks).
    func fit(_ data: ChunkSet) throws
    /// Maps a chunk to token ids.
    func encode(_ chunk: ActionChunk) throws -> [Int]
    /// Maps token ids back to a chunk of the given shape.
    func decode(_ tokens: [Int], steps: Int, dims: Int) throws -> ActionChunk
    /// Everything a fitted tokenizer needs to encode and decode, as a tree that is saved as JSON
    /// (see ``TokenizerFile``); the registry's `restore` rebuilds the tokenizer from it.
    func fittedState() throws -> ParameterValue
}

extension ActionTokenizer {
    /// Encodes then decodes `chunk`: the tokenizer's reconstruction.
    public func roundTrip(_ chunk: ActionChunk) throws -> ActionChunk {
        try decode(try encode(chunk), steps: chunk.steps, dims: chunk.dims)
    }

    /// Throws ``TokenizerError/notFitted(_:)`` unless fitted.
    func requireFitted() throws {
        guard isFitted else { throw TokenizerError.notFitted(name) }
    }

    /// Throws ``TokenizerError/shapeMismatch(_:_:)`` unless `dims` is the `fitted` number of
    /// dimensions; `what` words the other side, e.g. `chunk has` or `asked to decode`.
    func requireDims(_ dims: Int, fitted: Int, _ what: String) throws {
        guard dims == fitted else {
            throw TokenizerError.shapeMismatch(name, "fitted on \(fitted) dimensions, \(what) \(dims)")
        }
    }

    /// What encoding `chunk` checks first: the tokenizer is fitted, on the chunk's number of
    /// dimensions (`fitted`).
    func requireEncodable(_ chunk: ActionChunk, fitted: Int) throws {
        try requireFitted()
        try requireDims(chunk.dims, fitted: fitted, "chunk has")
    }

    /// What every decode checks first, in this order: the tokenizer is fitted, on `dims` dimensions
    /// (`fitted`), and `tokens` are valid for the shape (see ``validate(_:steps:dims:)``).
    func requireDecodable(_ tokens: [Int], steps: Int, dims: Int, fitted: Int) throws {
        try requireFitted()
        try requireDims(dims, fitted: fitted, "asked to decode")
        try validate(tokens, steps: steps, dims: dims)
    }

    /// Checks ids against the vocabulary and, when known, the count for this shape.
    func validate(_ tokens: [Int], steps: Int, dims: Int) throws {
        guard steps > 0, dims > 0 else {
            throw TokenizerError.shapeMismatch(name, "cannot decode into \(steps) steps x \(dims) dims")
        }
        if let expected = tokensPerChunk(steps: steps, dims: dims), tokens.count != expected {
            throw TokenizerError.wrongTokenCount(name, expected: expected, got: tokens.count)
        }
        if let i = tokens.firstIndex(where: { $0 < 0 || $0 >= vocabularySize }) {
            throw TokenizerError.unknownTokenId(name, id: tokens[i], position: i, vocabularySize: vocabularySize)
        }
    }
}

/// Errors raised by tokenizers; each names the tokenizer and the problem.
public enum TokenizerError: Error, CustomStringConvertible, Equatable {
    case notFitted(String)
    case emptyFittingSet(String)
    case shapeMismatch(String, String)
    case wrongTokenCount(String, expected: Int, got: Int)
    case unknownTokenId(String, id: Int, position: Int, vocabularySize: Int)
    case unknownTokenizer(String, available: [String])

    public var description: String {
        switch self {
        case .notFitted(let n): return "tokenizer '\(n)' is used before it was fitted; call fit(_:) on a chunk set first"
        case .emptyFittingSet(let n): return "tokenizer '\(n)' cannot be fitted on an empty set of chunks"
        case .shapeMismatch(let n, let s): return "tokenizer '\(n)': wrong shape: \(s)"
        case let .wrongTokenCount(n, e, g): return "tokenizer '\(n)': expected \(e) tokens for this chunk shape, got \(g)"
        case let .unknownTokenId(n, id, p, v): return "tokenizer '\(n)': token id \(id) at position \(p) is outside the vocabulary 0..<\(v)"
        case let .unknownTokenizer(n, a): return "unknown tokenizer '\(n)'; registered tokenizers: \(a.joined(separator: ", "))"
        }
    }
}

extension TokenizerError: InputError {}
