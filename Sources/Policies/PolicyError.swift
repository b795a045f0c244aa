/// Why a token policy or a token sequence set rejected its input; every case names the culprit.
public enum PolicyError: Error, CustomStringConvertible, Equatable {
    /// Sequence `index` is unusable (e.g. an id outside the vocabulary, or too long).
    case badSequence(index: Int, problem: String)
    /// Condition `index` is unusable (wrong length, or a non-finite value).
    case badCondition(index: Int, problem: String)
    /// A set does not fit the policy (vocabulary, prefix shape, longest sequence).
    case mismatch(String)
    /// Any other argument outside what the operation accepts.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .badSequence(i, p): return "token sequence \(i): \(p)"
        case let .badCondition(i, p): return "condition \(i): \(p)"
        case let .mismatch(m): return "token sequence set does not fit the policy: \(m)"
        case let .invalidArgument(m): return "invalid argument: \(m)"
        }
    }
}
