import Support
import Tokenizers

/// An experiment's per-tokenizer settings: a table per registered tokenizer, a number of windows
/// per sequence for tokenizers cut into windows, and a seed for tokenizers whose fit is random.
///
/// The experiment file gives them beside its other parameters:
///
/// ```toml
/// [parameters.settings]               # per tokenizer; anything not set is the tokenizer's default
/// fast = { gamma = 10.0, decode_mode = "strict" }
/// rvq = {}
///
/// [parameters.windows_per_sequence]   # tokenizers with a `window` setting: window = ceil(steps / n)
/// rvq = 5
/// ```
///
/// Every table is validated when it is read, also the tables of tokenizers the profile does not
/// run, so a bad setting fails before any work. A tokenizer is built from ``table(_:steps:seed:)``,
/// whose canonical JSON also identifies its settings in cell-cache descriptions.
public struct TokenizerSettings {
    /// The `settings` table as written (tokenizers and keys in file order); a tokenizer without
    /// one uses its defaults.
    public let tables: ParameterValue
    /// Windows per sequence of each tokenizer cut into windows: its window is `ceil(steps / n)`
    /// steps (n windows when n divides the steps, fewer otherwise), so a window lasts the same time
    /// at every rate and its token count does not grow with the rate.
    public let windowsPerSequence: [String: Int]
    /// Where the tables were read (`<location>.settings`), for error messages.
    public let location: String

    /// Reads `settings` and `windows_per_sequence` from `p` and builds every tokenizer of
    /// `tokenizers` and every tokenizer with a table, so that a bad setting is an error now.
    ///
    /// A table or window for a name that is not registered is an error listing the registered
    /// names; with `measured`, so is one for a registered tokenizer not in it (an experiment that
    /// measures the same tokenizers in every profile).
    public init(_ p: ParameterReader, tokenizers: [String], measured: [String]? = nil) throws {
        let settings = try p.table("settings")
        let windows = try p.table("windows_per_sequence")
        for (reader, what) in [(settings, "settings"), (windows, "windows")] {
            for key in reader.keys {
                guard TokenizerRegistry.names.contains(key) else {
                    throw ConfigError(location: reader.location, key: key,
                                      problem: "\(what) for an unknown tokenizer; registered: \(TokenizerRegistry.names.joined(separator: ", "))")
                }
                if let measured, !measured.contains(key) {
                    throw ConfigError(location: reader.location, key: key,
                                      problem: "\(what) for a tokenizer this experiment does not measure; measured: \(measured.joined(separator: ", "))")
                }
            }
        }
        for key in settings.keys { _ = settings.value(key) }
        tables = p.value("settings") ?? .table([])
        var perSequence: [String: Int] = [:]
        for key in windows.keys { perSequence[key] = try windows.int(key, in: 1...100_000) }
        windowsPerSequence = perSequence
        location = settings.location
        // Every table is validated, also those of tokenizers this profile does not run; a windowed
        // one with its window set (one step per window), so a tokenizer without a window fails now.
        for name in Set(tokenizers + settings.keys + windows.keys).sorted() {
            _ = try make(name, steps: perSequence[name], location: "\(location).\(name)")
        }
    }

    /// The settings table of tokenizer `name` (empty when it has none) for sequences of `steps`
    /// steps in the experiment's seed `seed`: with its window set when it is cut into a fixed
    /// number of windows and, for a tokenizer whose fit is random, a seed drawn from `seed`'s
    /// stream `"tokenizer-<name>"` unless the table sets one.
    public func table(_ name: String, steps: Int? = nil, seed: UInt64? = nil) -> ParameterValue {
        table(name, steps: steps, fitSeed: seed.map { SeededGenerator(seed: $0).derived("tokenizer-\(name)").seed })
    }

    /// The settings table of tokenizer `name` for sequences of `steps` steps, with `fitSeed`
    /// (already drawn by the experiment) as the seed of a tokenizer whose fit is random, unless
    /// the table sets one.
    public func table(_ name: String, steps: Int? = nil, fitSeed: UInt64?) -> ParameterValue {
        var t = tables[name] ?? .table([])
        if let n = windowsPerSequence[name], let steps {
            t = t.merged(with: .table([("window", .int((steps + n - 1) / n))]))
        }
        if let fitSeed, let d = try? TokenizerRegistry.descriptor(name) {
            t = d.settings(t, seed: fitSeed)
        }
        return t
    }

    /// A new unfitted tokenizer `name` built from ``table(_:steps:seed:)``; errors name `location`.
    public func make(_ name: String, steps: Int? = nil, seed: UInt64? = nil, location: String) throws -> any ActionTokenizer {
        try TokenizerRegistry.make(name, parameters: ParameterReader(table(name, steps: steps, seed: seed), location: location))
    }

    /// A new unfitted tokenizer `name` built from ``table(_:steps:fitSeed:)``; errors name `location`.
    public func make(_ name: String, steps: Int? = nil, fitSeed: UInt64?, location: String) throws -> any ActionTokenizer {
        try TokenizerRegistry.make(name, parameters: ParameterReader(table(name, steps: steps, fitSeed: fitSeed), location: location))
    }
}
