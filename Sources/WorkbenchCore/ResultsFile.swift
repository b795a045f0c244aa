import Foundation
import Metrics
import Support

/// An experiment's `results.json` read back: its claims, metrics and where they came from.
///
/// Reads both the original fields (`id, statement, rule{…}, per_seed, mean, std, ci95, verdict`)
/// and the later ones (`scale` in the rule or the entry, `seeds_holding`): an absent `scale` means
/// `linear`, an absent `seeds_holding` is counted from the per-seed values and the rule, and a
/// missing or `null` interval is fine. Summaries are rebuilt from the per-seed values on the
/// entry's scale with ``SeedSummary``, so every reader formats them the same way.
public struct ResultsFile: Sendable {
    /// One judged claim.
    public struct ClaimResult: Sendable {
        public let id: String
        public let statement: String
        /// The rule as the run applied it.
        public let statistic: String
        public let reduce: String
        public let compare: ClaimSpec.Comparison
        public let threshold: Double
        public let scale: StatisticScale
        /// `supported`, `not supported` or `inconclusive`.
        public let verdict: String
        /// The per-seed values summarised on ``scale``.
        public let summary: SeedSummary
        /// How many seeds' values satisfy the rule.
        public let seedsHolding: Int

        /// The rule in words, e.g. `rmse_inflation (min over the selected cells) > 2`.
        public var ruleText: String {
            "\(statistic) (\(reduce) over the selected cells) \(compare.rawValue) \(ClaimSpec.formatThreshold(threshold))"
        }
    }

    /// One measured quantity under one condition.
    public struct MetricResult: Sendable {
        /// `metric` and the condition's labels, e.g. `relative_rmse (tokenizer=minmax, fraction=0.01)`.
        public let key: String
        public let unit: String
        public let summary: SeedSummary
    }

    /// Path relative to the root, for messages.
    public let path: String
    /// `chapter/name`.
    public let experiment: String
    public let profile: String
    public let seeds: [Int]
    public let claims: [ClaimResult]
    public let metrics: [MetricResult]
    /// `provenance.git_commit`, or `unknown`.
    public let gitCommit: String
    /// `provenance.code_sha256`, or empty.
    public let codeHash: String

    /// The results of experiment `id` (`chapter/name`) under `root/output/`, or `nil` when it was never run.
    public static func load(root: URL, experiment id: String) throws -> ResultsFile? {
        let path = "output/\(id)/results.json"
        guard let data = try? Data(contentsOf: root.appendingPathComponent(path)) else { return nil }
        return try ResultsFile(data: data, path: path)
    }

    /// Parses `data`, the contents of the results file at `path`.
    public init(data: Data, path: String) throws {
        self.path = path
        guard case .table(let top) = try ParameterValue.parseJSON(data, source: path) else {
            throw ConfigError(location: path, key: "", problem: "expected a JSON object")
        }
        func field(_ entries: [(key: String, value: ParameterValue)], _ key: String) -> ParameterValue? {
            entries.first { $0.key == key }?.value
        }
        func string(_ entries: [(key: String, value: ParameterValue)], _ key: String, at location: String) throws -> String {
            guard case .string(let s)? = field(entries, key) else {
                throw ConfigError(location: location, key: key, problem: "missing or not a string")
            }
            return s
        }
        func number(_ v: ParameterValue?) -> Double? {
            switch v {
            case .double(let d)?: return d
            case .int(let i)?: return Double(i)
            default: return nil
            }
        }
        func numbers(_ entries: [(key: String, value: ParameterValue)], _ key: String, at location: String) throws -> [Double] {
            guard case .array(let a)? = field(entries, key), !a.isEmpty, a.allSatisfy({ number($0) != nil }) else {
                throw ConfigError(location: location, key: key, problem: "missing, empty or not an array of numbers")
            }
            return a.compactMap(number)
        }
        func scale(_ entries: [(key: String, value: ParameterValue)]?, at location: String) throws -> StatisticScale? {
            guard let entries, let v = field(entries, "scale") else { return nil }
            guard case .string(let s) = v, let scale = StatisticScale(rawValue: s) else {
                throw ConfigError(location: location, key: "scale", problem: "expected one of \(StatisticScale.allCases.map(\.rawValue).joined(separator: ", ")), found \(v)")
            }
            return scale
        }
        func table(_ v: ParameterValue?) -> [(key: String, value: ParameterValue)]? {
            if case .table(let t)? = v { return t }
            return nil
        }

        experiment = try string(top, "experiment", at: path)
        profile = try string(top, "profile", at: path)
        seeds = (try? numbers(top, "seeds", at: path).map { Int($0) }) ?? []
        let provenance = table(field(top, "provenance")) ?? []
        if case .string(let c)? = field(provenance, "git_commit") { gitCommit = c } else { gitCommit = "unknown" }
        if case .string(let h)? = field(provenance, "code_sha256") { codeHash = h } else { codeHash = "" }

        guard case .array(let claimValues)? = field(top, "claims") else {
            throw ConfigError(location: path, key: "claims", problem: "missing or not an array")
        }
        claims = try claimValues.enumerated().map { i, v in
            let location = "\(path): claims[\(i)]"
            guard let c = table(v) else { throw ConfigError(location: location, key: "", problem: "expected an object") }
            guard let rule = table(field(c, "rule")) else { throw ConfigError(location: location, key: "rule", problem: "missing or not an object") }
            let compareText = try string(rule, "compare", at: "\(location).rule")
            guard let compare = ClaimSpec.Comparison(rawValue: compareText) else {
                throw ConfigError(location: "\(location).rule", key: "compare", problem: "expected one of >, >=, <, <=, found \"\(compareText)\"")
            }
            guard let threshold = number(field(rule, "threshold")) else {
                throw ConfigError(location: "\(location).rule", key: "threshold", problem: "missing or not a number")
            }
            let s = try scale(c, at: location) ?? scale(rule, at: "\(location).rule") ?? .linear
            let perSeed = try numbers(c, "per_seed", at: location)
            let holding = number(field(c, "seeds_holding")).map { Int($0) }
                ?? perSeed.filter { $0.isFinite && compare.holds($0, threshold) }.count
            return ClaimResult(
                id: try string(c, "id", at: location), statement: try string(c, "statement", at: location),
                statistic: try string(rule, "statistic", at: "\(location).rule"),
                reduce: (try? string(rule, "reduce", at: location)) ?? "mean",
                compare: compare, threshold: threshold, scale: s,
                verdict: try string(c, "verdict", at: location),
                summary: SeedSummary(perSeed, scale: s), seedsHolding: holding)
        }
        guard case .array(let metricValues)? = field(top, "metrics") else {
            throw ConfigError(location: path, key: "metrics", problem: "missing or not an array")
        }
        metrics = try metricValues.enumerated().map { i, v in
            let location = "\(path): metrics[\(i)]"
            guard let m = table(v) else { throw ConfigError(location: location, key: "", problem: "expected an object") }
            let labels = (table(field(m, "condition")) ?? []).map { key, value -> String in
                if case .string(let s) = value { return "\(key)=\(s)" }
                return "\(key)=\(value.canonicalJSON)"
            }
            let name = try string(m, "metric", at: location)
            let unit: String
            if case .string(let u)? = field(m, "unit") { unit = u } else { unit = "" }
            return MetricResult(key: labels.isEmpty ? name : "\(name) (\(labels.joined(separator: ", ")))", unit: unit,
                                summary: SeedSummary(try numbers(m, "per_seed", at: location), scale: try scale(m, at: location) ?? .linear))
        }
    }

    /// The claim with `id`, if the run judged it.
    public func claim(_ id: String) -> ClaimResult? { claims.first { $0.id == id } }
}
