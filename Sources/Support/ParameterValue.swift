/// A configuration value read from an experiment file or a command line, independent of its syntax.
///
/// TOML (or any other format) is converted to this tree once; everything downstream reads it
/// through ``ParameterReader``, which names the file, the key and the expectation on any error.
public indirect enum ParameterValue: Equatable, Sendable, CustomStringConvertible {
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([ParameterValue])
    /// A table with its keys in file order (never a Dictionary, so order is deterministic).
    case table([(key: String, value: ParameterValue)])

    public static func == (a: ParameterValue, b: ParameterValue) -> Bool {
        switch (a, b) {
        case let (.bool(x), .bool(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.double(x), .double(y)): return x == y || (x.isNaN && y.isNaN)
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.table(x), .table(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    /// A short human description of the value's type and content, for error messages.
    public var description: String {
        switch self {
        case .bool(let b): return "boolean \(b)"
        case .int(let i): return "integer \(i)"
        case .double(let d): return "number \(d)"
        case .string(let s): return "string \"\(s)\""
        case .array(let a): return "array of \(a.count)"
        case .table: return "table"
        }
    }

    /// The table's value for `key`, if this is a table that has it.
    public subscript(key: String) -> ParameterValue? {
        guard case .table(let entries) = self else { return nil }
        return entries.first { $0.key == key }?.value
    }

    /// Returns a table where `overrides`' keys replace (tables: merge recursively) this table's.
    public func merged(with overrides: ParameterValue) -> ParameterValue {
        guard case .table(var base) = self, case .table(let over) = overrides else { return overrides }
        for (key, value) in over {
            if let i = base.firstIndex(where: { $0.key == key }) {
                base[i].value = base[i].value.merged(with: value)
            } else {
                base.append((key, value))
            }
        }
        return .table(base)
    }

    /// A canonical JSON rendering (keys in table order), used for hashing and provenance.
    public var canonicalJSON: String {
        switch self {
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return JSONNumber.format(d)
        case .string(let s): return JSONNumber.quote(s)
        case .array(let a): return "[" + a.map(\.canonicalJSON).joined(separator: ",") + "]"
        case .table(let t): return "{" + t.map { JSONNumber.quote($0.key) + ":" + $0.value.canonicalJSON }.joined(separator: ",") + "}"
        }
    }
}

/// Deterministic JSON scalar formatting shared by every JSON writer in the workbench.
public enum JSONNumber {
    /// Shortest round-tripping decimal for finite values; `null` for NaN and infinities.
    public static func format(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) + ".0" }
        return "\(d)"
    }

    /// A JSON string literal with the required escapes.
    public static func quote(_ s: String) -> String {
        QuotedLiteral.quote(s) { scalar in
            switch scalar {
            case "\r": return "\\r"
            case "\t": return "\\t"
            default: return scalar.value < 0x20 ? String(format: "\\u%04x", scalar.value) : nil
            }
        }
    }
}
