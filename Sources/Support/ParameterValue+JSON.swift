/// Pretty, deterministic JSON for parameter trees (results files, resolved configs).
extension ParameterValue {
    /// Indented JSON with keys in table order; arrays of scalars stay on one line.
    public func prettyJSON(indent: String = "") -> String {
        let inner = indent + "  "
        switch self {
        case .array(let items):
            if items.isEmpty { return "[]" }
            if items.allSatisfy({ if case .table = $0 { return false }; if case .array = $0 { return false }; return true }) {
                return "[" + items.map(\.canonicalJSON).joined(separator: ", ") + "]"
            }
            return "[\n" + items.map { inner + $0.prettyJSON(indent: inner) }.joined(separator: ",\n") + "\n" + indent + "]"
        case .table(let entries):
            if entries.isEmpty { return "{}" }
            return "{\n" + entries.map { inner + JSONNumber.quote($0.key) + ": " + $0.value.prettyJSON(indent: inner) }.joined(separator: ",\n") + "\n" + indent + "}"
        default:
            return canonicalJSON
        }
    }
}
