/// Token sequences paired with the continuous conditions they are generated from; validated on creation.
///
/// Sequence `i` (any length, possibly empty; ids in `0..<vocabulary`) is conditioned on
/// `conditions[i]`: `prefixLength` vectors of width `conditionDim`, flattened row-major
/// (`prefixLength * conditionDim` finite values). The FAST didactic experiment uses the four
/// (x, y) control points of a spline: `prefixLength = 4`, `conditionDim = 2`. With
/// `prefixLength = 0` or `conditionDim = 0` the policy is unconditioned and every condition is empty.
public struct TokenSequenceSet: Sendable, Equatable {
    /// The token sequences.
    public let sequences: [[Int]]
    /// One flattened condition per sequence.
    public let conditions: [[Float]]
    /// Conditioning vectors per sequence.
    public let prefixLength: Int
    /// Width of each conditioning vector.
    public let conditionDim: Int
    /// Number of token ids (the policy adds two special ids above it).
    public let vocabulary: Int

    /// Checks every sequence and condition; throws ``PolicyError`` naming the first bad one.
    public init(sequences: [[Int]], conditions: [[Float]], prefixLength: Int, conditionDim: Int, vocabulary: Int) throws {
        guard vocabulary >= 1 else { throw PolicyError.invalidArgument("vocabulary must be ≥ 1, found \(vocabulary)") }
        guard prefixLength >= 0, conditionDim >= 0 else {
            throw PolicyError.invalidArgument("prefixLength (\(prefixLength)) and conditionDim (\(conditionDim)) must be ≥ 0")
        }
        guard !sequences.isEmpty else { throw PolicyError.invalidArgument("the set holds no sequences") }
        guard conditions.count == sequences.count else {
            throw PolicyError.invalidArgument("\(sequences.count) sequences but \(conditions.count) conditions")
        }
        for (i, s) in sequences.enumerated() {
            if let p = s.firstIndex(where: { $0 < 0 || $0 >= vocabulary }) {
                throw PolicyError.badSequence(index: i, problem: "token id \(s[p]) at position \(p) is outside the vocabulary 0..<\(vocabulary)")
            }
        }
        try Self.check(conditions, prefixLength: prefixLength, conditionDim: conditionDim)
        self.init(unchecked: sequences, conditions, prefixLength, conditionDim, vocabulary)
    }

    /// Stores already-validated contents.
    init(unchecked sequences: [[Int]], _ conditions: [[Float]], _ prefixLength: Int, _ conditionDim: Int, _ vocabulary: Int) {
        self.sequences = sequences; self.conditions = conditions
        self.prefixLength = prefixLength; self.conditionDim = conditionDim; self.vocabulary = vocabulary
    }

    /// Throws ``PolicyError/badCondition(index:problem:)`` for the first condition of the wrong
    /// length or holding a NaN or infinity.
    static func check(_ conditions: [[Float]], prefixLength: Int, conditionDim: Int) throws {
        let width = prefixLength * conditionDim
        for (i, c) in conditions.enumerated() {
            guard c.count == width else {
                throw PolicyError.badCondition(index: i, problem: "has \(c.count) values, expected \(width) (prefixLength \(prefixLength) × conditionDim \(conditionDim))")
            }
            if let p = c.firstIndex(where: { !$0.isFinite }) {
                throw PolicyError.badCondition(index: i, problem: "value \(c[p]) at position \(p) is not finite")
            }
        }
    }

    /// Number of sequences.
    public var count: Int { sequences.count }
    /// Length of the longest sequence.
    public var maxLength: Int { sequences.map(\.count).max() ?? 0 }
    /// Total number of tokens (end-of-sequence targets not included).
    public var tokenCount: Int { sequences.reduce(0) { $0 + $1.count } }

    /// The sequences (and their conditions) at `indices`, in that order.
    public func subset(_ indices: [Int]) -> TokenSequenceSet {
        TokenSequenceSet(unchecked: indices.map { sequences[$0] }, indices.map { conditions[$0] },
                         prefixLength, conditionDim, vocabulary)
    }
}
