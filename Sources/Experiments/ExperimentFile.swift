import Foundation
import Support
import TOMLKit

/// The run profiles every chapter supports.
public enum Profile: String, CaseIterable, Sendable {
    /// Seconds: for tests and quick checks of the plumbing.
    case smoke
    /// Minutes per chapter on 2 cores: the default, and what the committed chapters show.
    case quick
    /// Paper-grade: more seeds, more data, every condition.
    case full

    /// The profile used when none is given.
    public static let `default` = Profile.quick
}

/// An experiment file, `experiments/<chapter>/<name>.toml`, parsed and checked.
///
/// Layout:
/// ```toml
/// [experiment]            # what it is
/// chapter = "data"
/// name = "outlier-sensitivity"
/// title = "..."
/// runs_in = ["smoke", "full"]   # optional: the profiles it computes in (default: all)
/// [parameters]            # defaults shared by every profile
/// [profiles.quick]        # per-profile overrides, including `seeds = [...]`
/// [[claims]]              # each claim and its decision rule, fixed before any run
/// ```
public struct ExperimentFile {
    /// Path relative to the package root, used in every error message.
    public let path: String
    public let chapter: String
    public let name: String
    public let title: String
    /// Shared defaults (the `[parameters]` table).
    public let parameters: ParameterValue
    /// Per-profile override tables.
    public let profiles: [Profile: ParameterValue]
    /// The claims with their rules, in file order.
    public let claims: [ClaimSpec]
    /// The profiles this experiment computes in (`runs_in`; default: every profile). A chapter run
    /// in another profile keeps the experiment's last results as they are, labelled with the
    /// profile that made them (e.g. a full-profile block in a chapter regenerated on quick).
    public let runsIn: [Profile]

    /// Loads and checks the file at `root/path`.
    public init(root: URL, path: String) throws {
        let url = root.appendingPathComponent(path)
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw ConfigError(location: path, key: "", problem: "experiment file not found or unreadable (expected at \(url.path))")
        }
        try self.init(text: text, path: path)
    }

    /// Parses and checks `text` as the contents of the file at `path`.
    public init(text: String, path: String) throws {
        let root = try Self.readTOML(text, path: path)
        self.path = path
        let meta = try root.table("experiment", required: true)
        chapter = try meta.string("chapter")
        name = try meta.string("name")
        title = try meta.string("title")
        _ = try meta.string("summary", default: "")
        let runsIn = try meta.strings("runs_in", default: Profile.allCases.map(\.rawValue), allowed: Profile.allCases.map(\.rawValue))
        self.runsIn = Profile.allCases.filter { runsIn.contains($0.rawValue) }
        try meta.finish()
        for (key, value) in [("chapter", chapter), ("name", name)] where !Self.isSlug(value) {
            throw ConfigError(location: "\(path): experiment", key: key, problem: "expected a lower-case slug like 'outlier-sensitivity', found \"\(value)\"")
        }
        parameters = root.value("parameters") ?? .table([])
        guard case .table = parameters else { throw ConfigError(location: path, key: "parameters", problem: "expected a table, found \(parameters)") }
        let profileTable = try root.table("profiles", required: true)
        var profiles: [Profile: ParameterValue] = [:]
        for key in profileTable.keys {
            guard let profile = Profile(rawValue: key) else {
                throw ConfigError(location: "\(path): profiles", key: key, problem: "unknown profile; expected one of: \(Profile.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            profiles[profile] = profileTable.value(key)
        }
        for profile in Profile.allCases where profiles[profile] == nil {
            throw ConfigError(location: "\(path): profiles", key: profile.rawValue, problem: "missing; every experiment defines the smoke, quick and full profiles")
        }
        self.profiles = profiles
        guard case .array(let claimValues)? = root.value("claims") else {
            throw ConfigError(location: path, key: "claims", problem: "missing; expected at least one [[claims]] table with a decision rule")
        }
        claims = try claimValues.enumerated().map { i, v in
            try ClaimSpec(try ParameterReader(v, location: "\(path): claims[\(i)]"))
        }
        var seen = Set<String>()
        for c in claims where !seen.insert(c.id).inserted {
            throw ConfigError(location: "\(path): claims", key: "id", problem: "duplicate claim id '\(c.id)'")
        }
        try root.finish()
    }

    /// `chapter/name`.
    public var id: String { "\(chapter)/\(name)" }

    /// Whether a chapter run in `profile` computes this experiment (see ``runsIn``).
    public func runs(in profile: Profile) -> Bool { runsIn.contains(profile) }

    /// The parameters for `profile`: the shared defaults with the profile's overrides applied.
    public func resolved(_ profile: Profile) -> ParameterValue {
        parameters.merged(with: profiles[profile] ?? .table([]))
    }

    package static func isSlug(_ s: String) -> Bool {
        !s.isEmpty && s.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    /// Parses TOML `text` (the file at `path`) into a reader of its top-level table; a syntax error
    /// names the file, line and column. The one TOML parser of the workbench's files.
    public static func readTOML(_ text: String, path: String) throws -> ParameterReader {
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let e as TOMLParseError {
            throw ConfigError(location: path, key: "", problem: "not valid TOML at line \(e.source.begin.line), column \(e.source.begin.column): \(e.description)")
        }
        return try ParameterReader(convert(table), location: path)
    }

    /// Converts a TOML value to the neutral parameter tree.
    static func convert(_ v: TOMLValueConvertible) throws -> ParameterValue {
        switch v.type {
        case .bool: return .bool(v.bool!)
        case .int: return .int(v.int!)
        case .double: return .double(v.double!)
        case .string: return .string(v.string!)
        case .array: return .array(try v.array!.map { try convert($0) })
        case .table:
            var entries: [(key: String, value: ParameterValue)] = []
            for (key, value) in v.table! { entries.append((key, try convert(value))) }
            return .table(entries)
        default:
            throw ConfigError(location: "", key: "", problem: "dates and times are not supported in experiment files")
        }
    }
}
