import Foundation

/// A configuration error that names where it happened, the key, and what was expected.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    /// Where: a file and a key path, e.g. `experiments/data/outlier-sensitivity.toml: profiles.quick`.
    public var location: String
    /// The offending key (empty when the problem is the whole table or file).
    public var key: String
    /// What is wrong, in plain words.
    public var problem: String

    public init(location: String, key: String, problem: String) {
        self.location = location; self.key = key; self.problem = problem
    }

    public var description: String {
        key.isEmpty ? "\(location): \(problem)" : "\(location): key '\(key)': \(problem)"
    }
}

/// Reads typed values from a ``ParameterValue`` table and rejects unknown keys.
///
/// Each accessor records the key as known; ``finish()`` then fails on any key that nobody asked
/// for, so a typo such as `bnis = 128` is an error naming the key and the keys that are allowed.
public final class ParameterReader {
    /// Human-readable location used in errors (file and key path).
    public let location: String
    private let entries: [(key: String, value: ParameterValue)]
    private var known: [String] = []

    /// Creates a reader over `table`; `location` names the file and key path for error messages.
    public init(_ table: ParameterValue, location: String) throws {
        guard case .table(let entries) = table else {
            throw ConfigError(location: location, key: "", problem: "expected a table, found \(table)")
        }
        self.entries = entries
        self.location = location
    }

    /// An empty reader (all defaults).
    public static func empty(location: String) -> ParameterReader {
        try! ParameterReader(.table([]), location: location)
    }

    /// The keys present, in file order.
    public var keys: [String] { entries.map(\.key) }

    /// The raw value for `key`, marking it as known.
    public func value(_ key: String) -> ParameterValue? {
        if !known.contains(key) { known.append(key) }
        return entries.first { $0.key == key }?.value
    }

    private func fail(_ key: String, _ problem: String) -> ConfigError {
        ConfigError(location: location, key: key, problem: problem)
    }

    /// The value of `key` read by `parse`; an absent key gives `def`, or without one an error
    /// saying what was `expected` (e.g. `an integer`).
    private func read<T>(_ key: String, _ def: T?, expected: String, _ parse: (ParameterValue) throws -> T) throws -> T {
        guard let v = value(key) else {
            if let def { return def }
            // A misspelling of a required key is reported as the unknown key it is.
            if let typo = entries.map(\.key).first(where: { !known.contains($0) && Suggestion.closest(to: $0, in: [key]) != nil }) {
                throw fail(typo, "unknown key (did you mean \(key)? \(key) is required: \(expected))")
            }
            throw fail(key, "missing; expected \(expected)")
        }
        return try parse(v)
    }

    /// A non-empty array at `key` of `what` (e.g. `integers`), each item read by `item`.
    private func array<T>(_ key: String, _ def: [T]?, of what: String, _ item: (ParameterValue) throws -> T) throws -> [T] {
        try read(key, def, expected: "an array of \(what)") { v in
            guard case .array(let items) = v, !items.isEmpty else { throw fail(key, "expected a non-empty array of \(what), found \(v)") }
            return try items.map(item)
        }
    }

    /// An integer, with a default and an allowed range.
    public func int(_ key: String, default def: Int? = nil, in range: ClosedRange<Int>? = nil) throws -> Int {
        try read(key, def, expected: "an integer") { v in
            guard case .int(let i) = v else { throw fail(key, "expected an integer, found \(v)") }
            if let range, !range.contains(i) { throw fail(key, Expectation.int(range, i)) }
            return i
        }
    }

    /// A finite number (integers are accepted), with a default and an allowed range.
    public func double(_ key: String, default def: Double? = nil, in range: ClosedRange<Double>? = nil) throws -> Double {
        try read(key, def, expected: "a number") { v in
            let d = try number(v, key)
            if let range, let problem = Expectation.number(range, d) { throw fail(key, problem) }
            return d
        }
    }

    private func number(_ v: ParameterValue, _ key: String) throws -> Double {
        switch v {
        case .int(let i): return Double(i)
        case .double(let d) where d.isFinite: return d
        case .double(let d): throw fail(key, Expectation.finite(d))
        default: throw fail(key, "expected a number, found \(v)")
        }
    }

    /// A non-empty array of finite numbers, each in `range`.
    public func doubles(_ key: String, default def: [Double]? = nil, in range: ClosedRange<Double>? = nil) throws -> [Double] {
        try array(key, def, of: "numbers") { item in
            let d = try number(item, key)
            if let range, !range.contains(d) { throw fail(key, "expected numbers in [\(range.lowerBound), \(range.upperBound)], found \(d)") }
            return d
        }
    }

    /// A non-empty array of integers, each in `range`.
    public func ints(_ key: String, default def: [Int]? = nil, in range: ClosedRange<Int>? = nil) throws -> [Int] {
        try array(key, def, of: "integers") { item in
            guard case .int(let i) = item else { throw fail(key, "expected integers, found \(item)") }
            if let range, !range.contains(i) { throw fail(key, Expectation.ints(range, i)) }
            return i
        }
    }

    /// A string, optionally restricted to `allowed` values.
    public func string(_ key: String, default def: String? = nil, allowed: [String]? = nil) throws -> String {
        try read(key, def, expected: "a string") { v in
            guard case .string(let s) = v else { throw fail(key, "expected a string, found \(v)") }
            if let allowed, !allowed.contains(s) { throw fail(key, "expected one of \(allowed.joined(separator: ", ")), found \"\(s)\"") }
            return s
        }
    }

    /// A non-empty array of strings, each optionally restricted to `allowed` values.
    public func strings(_ key: String, default def: [String]? = nil, allowed: [String]? = nil) throws -> [String] {
        try array(key, def, of: "strings") { item in
            guard case .string(let s) = item else { throw fail(key, "expected strings, found \(item)") }
            if let allowed, !allowed.contains(s) { throw fail(key, "expected each of \(allowed.joined(separator: ", ")), found \"\(s)\"") }
            return s
        }
    }

    /// A boolean.
    public func bool(_ key: String, default def: Bool? = nil) throws -> Bool {
        try read(key, def, expected: "true or false") { v in
            guard case .bool(let b) = v else { throw fail(key, "expected true or false, found \(v)") }
            return b
        }
    }

    /// A nested table as its own reader (location extended with the key).
    ///
    /// `named` replaces the nested reader's location, e.g. `"tok.json: state"` where `tok.json.state`
    /// would read as a file name.
    public func table(_ key: String, required: Bool = false, named: String? = nil) throws -> ParameterReader {
        let nested = named ?? "\(location).\(key)"
        guard let v = value(key) else {
            if required { throw fail(key, "missing; expected a table") }
            return .empty(location: nested)
        }
        guard case .table = v else { throw fail(key, "expected a table, found \(v)") }
        return try ParameterReader(v, location: nested)
    }

    /// Fails when the table sets `key`, a value the caller sets itself; `reason` says how, e.g.
    /// `"drawn per seed by the experiment"`.
    public func reject(_ key: String, because reason: String) throws {
        if entries.contains(where: { $0.key == key }) { throw fail(key, "not set here: \(reason)") }
    }

    /// Fails on the first key that no accessor asked for, listing the allowed keys.
    public func finish() throws {
        for (key, _) in entries where !known.contains(key) {
            let hint = Suggestion.closest(to: key, in: known).map { " (did you mean \($0)?)" } ?? ""
            throw fail(key, "unknown key\(hint); expected one of: \(known.joined(separator: ", "))")
        }
    }
}
