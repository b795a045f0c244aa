/// One field of a configuration struct: its key in parameter tables, the property it sets, and the
/// values it may take.
///
/// A configuration lists its fields once, as `static let fields: [ConfigField<Self>]`, and that list
/// does the rest: ``Swift/Array/read(_:into:required:)`` reads a table, ``Swift/Array/validate(_:location:)``
/// checks a value built in code against the same ranges in the same words, and
/// ``Swift/Array/parameters(of:)`` writes the table back. Each key and range is written once, in
/// the list; each default is written once, as the property's initial value (a key the table does not
/// set keeps it). Conforming to ``FieldListedConfig`` adds the table reader `init(_:)` and the
/// saved-state reader `init(saved:)`:
///
/// ```swift
/// public struct BinningConfig: FieldListedConfig {
///     /// Bins per dimension (RT-1, RT-2 and OpenVLA use 256).
///     public var bins = 256
///     public static let fields: [ConfigField<Self>] = [.int("bins", \.bins, in: 2...65_536)]
///
///     public init() {}
///     public func validate(location: String) throws { try Self.fields.validate(self, location: location) }
/// }
/// ```
public struct ConfigField<Config> {
    /// The key in parameter tables (snake case).
    public let key: String
    /// Reads the key into the property; a key that is absent keeps the property's value unless `required`.
    let read: (ParameterReader, inout Config, _ required: Bool) throws -> Void
    /// What is wrong with the property's value, worded as the reader words it (nil: nothing).
    let problem: (Config) -> String?
    /// The property's value as a parameter.
    let value: (Config) -> ParameterValue

    /// An integer in `range`.
    public static func int(_ key: String, _ path: WritableKeyPath<Config, Int>, in range: ClosedRange<Int>) -> Self {
        Self(key: key,
             read: { p, c, required in c[keyPath: path] = try p.int(key, default: required ? nil : c[keyPath: path], in: range) },
             problem: { c in range.contains(c[keyPath: path]) ? nil : Expectation.int(range, c[keyPath: path]) },
             value: { .int($0[keyPath: path]) })
    }

    /// A finite number in `range` (integers are accepted in tables).
    public static func double(_ key: String, _ path: WritableKeyPath<Config, Double>, in range: ClosedRange<Double>) -> Self {
        Self(key: key,
             read: { p, c, required in c[keyPath: path] = try p.double(key, default: required ? nil : c[keyPath: path], in: range) },
             problem: { c in Expectation.number(range, c[keyPath: path]) },
             value: { .double($0[keyPath: path]) })
    }

    /// A single-precision property read and checked as a finite number in `range`.
    public static func float(_ key: String, _ path: WritableKeyPath<Config, Float>, in range: ClosedRange<Double>) -> Self {
        Self(key: key,
             read: { p, c, required in c[keyPath: path] = Float(try p.double(key, default: required ? nil : Double(c[keyPath: path]), in: range)) },
             problem: { c in Expectation.number(range, Double(c[keyPath: path])) },
             value: { .double(Double($0[keyPath: path])) })
    }

    /// A list of integers, each in `range` (a table gives a non-empty array).
    public static func ints(_ key: String, _ path: WritableKeyPath<Config, [Int]>, in range: ClosedRange<Int>) -> Self {
        Self(key: key,
             read: { p, c, required in c[keyPath: path] = try p.ints(key, default: required ? nil : c[keyPath: path], in: range) },
             problem: { c in c[keyPath: path].first { !range.contains($0) }.map { Expectation.ints(range, $0) } },
             value: { .array($0[keyPath: path].map { .int($0) }) })
    }

    /// A boolean.
    public static func bool(_ key: String, _ path: WritableKeyPath<Config, Bool>) -> Self {
        Self(key: key,
             read: { p, c, required in c[keyPath: path] = try p.bool(key, default: required ? nil : c[keyPath: path]) },
             problem: { _ in nil },
             value: { .bool($0[keyPath: path]) })
    }

    /// One of an enumeration's cases, by raw value.
    public static func choice<E: RawRepresentable & CaseIterable>(_ key: String, _ path: WritableKeyPath<Config, E>) -> Self where E.RawValue == String {
        Self(key: key,
             read: { p, c, required in
                 let raw = try p.string(key, default: required ? nil : c[keyPath: path].rawValue, allowed: E.allCases.map(\.rawValue))
                 c[keyPath: path] = E(rawValue: raw)!
             },
             problem: { _ in nil },
             value: { .string($0[keyPath: path].rawValue) })
    }

    /// A random seed: any value in code, an integer in `0...Int.max` in a table.
    public static func seed(_ key: String, _ path: WritableKeyPath<Config, UInt64>) -> Self {
        Self(key: key,
             read: { p, c, required in
                 if !required, p.value(key) == nil { return }
                 c[keyPath: path] = UInt64(try p.int(key, in: 0...Int.max))
             },
             problem: { _ in nil },
             value: { .int(Int($0[keyPath: path])) })
    }
}

extension Array {
    /// Reads every field from `p` into `config`, in list order; an absent key keeps the value in
    /// `config` (its default) unless `required`. Does not call ``ParameterReader/finish()``, so a
    /// caller can read more keys from the same table.
    public func read<C>(_ p: ParameterReader, into config: inout C, required: Bool = false) throws where Element == ConfigField<C> {
        for field in self { try field.read(p, &config, required) }
    }

    /// Throws a ``ConfigError`` naming the first field of `config` outside its allowed values.
    public func validate<C>(_ config: C, location: String) throws where Element == ConfigField<C> {
        for field in self {
            if let problem = field.problem(config) { throw ConfigError(location: location, key: field.key, problem: problem) }
        }
    }

    /// The fields of `config` as `(key, value)` entries, in list order.
    public func entries<C>(of config: C) -> [(key: String, value: ParameterValue)] where Element == ConfigField<C> {
        map { ($0.key, $0.value(config)) }
    }

    /// The fields of `config` as a parameter table, the one ``read(_:into:required:)`` reads back.
    public func parameters<C>(of config: C) -> ParameterValue where Element == ConfigField<C> {
        .table(entries(of: config))
    }
}

/// A configuration whose fields are listed once, in ``fields``: it is read from a parameter table
/// and from a saved state by the same two readers, here.
public protocol FieldListedConfig {
    /// Every field: its key and allowed values.
    static var fields: [ConfigField<Self>] { get }
    /// A configuration holding every default.
    init()
    /// Throws a ``ConfigError`` naming the first bad field: one outside its allowed values (see
    /// ``Swift/Array/validate(_:location:)``), then one that breaks a rule between fields.
    func validate(location: String) throws
}

extension FieldListedConfig {
    /// Reads the keys of ``fields`` from `p`, rejecting unknown keys and bad values; a key that is
    /// absent keeps its default.
    public init(_ p: ParameterReader) throws {
        self.init()
        try Self.fields.read(p, into: &self)
        try p.finish()
        try validate(location: p.location)
    }

    /// Reads a configuration saved with a fitted model: every key of ``fields`` must be present.
    /// Does not call ``ParameterReader/finish()``, because the saved state holds more keys.
    public init(saved p: ParameterReader) throws {
        self.init()
        try Self.fields.read(p, into: &self, required: true)
        try validate(location: p.location)
    }
}

/// The wording of a value outside its range, shared by ``ParameterReader`` and ``ConfigField``.
enum Expectation {
    static func int(_ range: ClosedRange<Int>, _ found: Int) -> String {
        "expected an integer in \(range.lowerBound)...\(range.upperBound), found \(found)"
    }

    static func ints(_ range: ClosedRange<Int>, _ found: Int) -> String {
        "expected integers in \(range.lowerBound)...\(range.upperBound), found \(found)"
    }

    /// The problem with `found` as a number in `range`, or nil when it is a finite number inside it.
    static func number(_ range: ClosedRange<Double>, _ found: Double) -> String? {
        guard found.isFinite else { return finite(found) }
        return range.contains(found) ? nil : "expected a number in [\(range.lowerBound), \(range.upperBound)], found \(found)"
    }

    static func finite(_ found: Double) -> String { "expected a finite number, found \(found)" }
}
