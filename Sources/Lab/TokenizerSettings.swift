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
/// An experiment that measures the book's earlier tokenizer recipe as an ablation (``Recipe``)
/// reads `[parameters.earlier_settings]` too (`earlier: true`): per tokenizer, the keys that differ,
/// laid over its table. The variant is fitted from the same seed as the tokenizer it stands in for.
///
/// ```toml
/// [parameters.earlier_settings]      # ablation, never judged: the book's earlier tokenizer recipe
/// rvq = { train_steps = 3000 }
/// ```
///
/// Every table is validated when it is read, also the tables of tokenizers the profile does not
/// run, so a bad setting fails before any work. A tokenizer is built from ``table(_:steps:seed:recipe:)``,
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
    /// `earlier_settings` as written: per tokenizer, the keys of the earlier recipe that differ.
    public let earlierTables: ParameterValue
    /// The tokenizers that have an earlier recipe, in file order (empty unless the experiment reads one).
    public var earlierNames: [String] { if case .table(let t) = earlierTables { return t.map(\.key) } else { return [] } }

    /// Reads `settings` and `windows_per_sequence` from `p` and builds every tokenizer of
    /// `tokenizers` and every tokenizer with a table, so that a bad setting is an error now.
    ///
    /// A table or window for a name that is not registered is an error listing the registered
    /// names; with `measured`, so is one for a registered tokenizer not in it (an experiment that
    /// measures the same tokenizers in every profile).
    ///
    /// With `earlier`, `earlier_settings` is read too; each of its tables must name a tokenizer of
    /// `tokenizers` (an ablation of a tokenizer the experiment does not run would measure nothing).
    public init(_ p: ParameterReader, tokenizers: [String], measured: [String]? = nil, earlier: Bool = false) throws {
        let settings = try p.table("settings")
        let windows = try p.table("windows_per_sequence")
        let earlierReader = earlier ? try p.table("earlier_settings") : .empty(location: "\(p.location).earlier_settings")
        for key in earlierReader.keys where !tokenizers.contains(key) {
            throw ConfigError(location: earlierReader.location, key: key,
                              problem: "an earlier recipe for a tokenizer this profile does not measure; measured: \(tokenizers.joined(separator: ", "))")
        }
        for key in earlierReader.keys {
            guard case .table = earlierReader.value(key)! else {
                throw ConfigError(location: earlierReader.location, key: key, problem: "expected a table of the settings that differ from [parameters.settings]")
            }
        }
        earlierTables = earlier ? (p.value("earlier_settings") ?? .table([])) : .table([])
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
        for name in earlierNames {
            _ = try make(name, steps: perSequence[name], recipe: .earlier, location: "\(earlierReader.location).\(name)")
        }
    }

    /// The settings table of tokenizer `name` (empty when it has none) for sequences of `steps`
    /// steps in the experiment's seed `seed`: with its window set when it is cut into a fixed
    /// number of windows and, for a tokenizer whose fit is random, a seed drawn from `seed`'s
    /// stream `"tokenizer-<name>"` unless the table sets one.
    ///
    /// Under the `earlier` recipe, the tokenizer's earlier settings are laid over its table first;
    /// the seed is the same, so the variant differs from the tokenizer in its settings alone.
    public func table(_ name: String, steps: Int? = nil, seed: UInt64? = nil, recipe: Recipe = .reference) -> ParameterValue {
        table(name, steps: steps, fitSeed: seed.map { SeededGenerator(seed: $0).derived("tokenizer-\(name)").seed }, recipe: recipe)
    }

    /// The settings table of tokenizer `name` for sequences of `steps` steps, with `fitSeed`
    /// (already drawn by the experiment) as the seed of a tokenizer whose fit is random, unless
    /// the table sets one.
    public func table(_ name: String, steps: Int? = nil, fitSeed: UInt64?, recipe: Recipe = .reference) -> ParameterValue {
        var t = tables[name] ?? .table([])
        if recipe == .earlier {
            precondition(earlierNames.contains(name), "\(name) has no earlier recipe")
            t = t.merged(with: earlierTables[name]!)
        }
        if let n = windowsPerSequence[name], let steps {
            t = t.merged(with: .table([("window", .int((steps + n - 1) / n))]))
        }
        if let fitSeed, let d = try? TokenizerRegistry.descriptor(name) {
            t = d.settings(t, seed: fitSeed)
        }
        return t
    }

    /// Every measurement of `tokenizers`: each under the reference recipe, then each that has an
    /// earlier recipe under it, in the order of `tokenizers`.
    public func measured(_ tokenizers: [String]) -> [(name: String, recipe: Recipe)] {
        tokenizers.map { ($0, .reference) } + tokenizers.filter(earlierNames.contains).map { ($0, .earlier) }
    }

    /// The key of `name`'s measurement that stands for it under `recipe`: its earlier variant under
    /// the earlier recipe when it has one, itself otherwise (the same under both recipes).
    public func key(_ name: String, under recipe: Recipe) -> String {
        recipe == .earlier && earlierNames.contains(name) ? Recipe.earlier.key(name) : name
    }

    /// A new unfitted tokenizer `name` built from ``table(_:steps:seed:)``; errors name `location`.
    public func make(_ name: String, steps: Int? = nil, seed: UInt64? = nil, recipe: Recipe = .reference, location: String) throws -> any ActionTokenizer {
        try TokenizerRegistry.make(name, parameters: ParameterReader(table(name, steps: steps, seed: seed, recipe: recipe), location: location))
    }

    /// A new unfitted tokenizer `name` built from ``table(_:steps:fitSeed:)``; errors name `location`.
    public func make(_ name: String, steps: Int? = nil, fitSeed: UInt64?, recipe: Recipe = .reference, location: String) throws -> any ActionTokenizer {
        try TokenizerRegistry.make(name, parameters: ParameterReader(table(name, steps: steps, fitSeed: fitSeed, recipe: recipe), location: location))
    }
}
