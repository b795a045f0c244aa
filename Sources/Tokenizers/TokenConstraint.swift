/// Which token may come next in a sequence a tokenizer can decode: the mask of constrained decoding.
///
/// A decoder asks, before each token, which ids may follow what it has produced so far and whether
/// the sequence may end there; it then picks only among those. Followed to the end, the sequence
/// decodes strictly into the chunk shape the constraint was made for (every id known, every
/// position filled). Nothing is repaired afterwards: a sequence either satisfies the constraint
/// or was not produced under it.
public protocol TokenConstraint: Sendable {
    /// The ids the constraint speaks about: `0..<vocabularySize`.
    var vocabularySize: Int { get }
    /// Sets `allowed[id]` (for `id` in `0..<vocabularySize`) to whether `id` may follow `prefix`,
    /// and returns whether the sequence may end after `prefix`.
    func next(after prefix: [Int], allowed: inout [Bool]) -> Bool
}

/// A tokenizer that can say which of its sequences decode into a given chunk shape.
public protocol ConstrainsDecoding: ActionTokenizer {
    /// The constraint for sequences that decode into `steps` x `dims` (the tokenizer must be fitted).
    func tokenConstraint(steps: Int, dims: Int) throws -> any TokenConstraint
}

/// FAST's constraint: any id whose BPE expansion still fits in the coefficients missing, and the
/// end only when exactly `steps * dims` coefficients have been produced.
public struct FASTConstraint: TokenConstraint {
    /// Coefficients (base symbols) each id expands to.
    public let expansionLengths: [Int]
    /// Coefficients a complete sequence holds: `steps * dims`.
    public let coefficients: Int

    public init(expansionLengths: [Int], coefficients: Int) {
        self.expansionLengths = expansionLengths; self.coefficients = coefficients
    }

    public var vocabularySize: Int { expansionLengths.count }

    /// Coefficients still missing after `prefix` (negative when it already has too many).
    public func missing(after prefix: [Int]) -> Int {
        coefficients - prefix.reduce(0) { $0 + (expansionLengths.indices.contains($1) ? expansionLengths[$1] : 0) }
    }

    public func next(after prefix: [Int], allowed: inout [Bool]) -> Bool {
        let left = missing(after: prefix)
        for id in expansionLengths.indices { allowed[id] = expansionLengths[id] <= left }
        return left == 0
    }
}

/// The residual VQ's constraint: position `p` of a window takes a code of layer `p mod layers`,
/// and the sequence ends after exactly `windows * layers` tokens.
public struct LayerConstraint: TokenConstraint {
    public let layers: Int, codebookSize: Int, length: Int

    public init(layers: Int, codebookSize: Int, length: Int) {
        self.layers = layers; self.codebookSize = codebookSize; self.length = length
    }

    public var vocabularySize: Int { layers * codebookSize }

    public func next(after prefix: [Int], allowed: inout [Bool]) -> Bool {
        let p = prefix.count
        let layer = p % layers
        for id in 0..<vocabularySize { allowed[id] = p < length && id / codebookSize == layer }
        return p == length
    }
}

extension FASTTokenizer: ConstrainsDecoding {
    public func tokenConstraint(steps: Int, dims: Int) throws -> any TokenConstraint {
        guard let model else { throw TokenizerError.notFitted(name) }
        guard steps > 0, dims > 0 else { throw TokenizerError.shapeMismatch(name, "cannot constrain to \(steps) steps x \(dims) dims") }
        return FASTConstraint(expansionLengths: (0..<model.vocabularySize).map { model.expand($0).count }, coefficients: steps * dims)
    }
}

extension ResidualVQTokenizer: ConstrainsDecoding {
    public func tokenConstraint(steps: Int, dims: Int) throws -> any TokenConstraint {
        guard fittedDims > 0 else { throw TokenizerError.notFitted(name) }
        guard dims == fittedDims, let length = tokensPerChunk(steps: steps, dims: dims), steps > 0 else {
            throw TokenizerError.shapeMismatch(name, "cannot constrain to \(steps) steps x \(dims) dims")
        }
        return LayerConstraint(layers: config.layers, codebookSize: config.codebookSize, length: length)
    }
}
