import Foundation
import Metrics
import Support

/// A claim from the book and the rule that decides it, as written in the experiment file before any run.
///
/// ```toml
/// [[claims]]
/// id = "minmax-loses-precision"
/// statement = "Min-max binning loses precision when the data has outliers."
/// statistic = "rmse_inflation"       # a per-seed statistic the experiment computes
/// select = { tokenizer = "minmax", fraction = [0.01] }   # which cells; experiment-specific keys
/// reduce = "min"                     # how the selected cells combine within one seed
/// compare = ">"                      # the claim holds when statistic <compare> threshold
/// threshold = 2.0
/// scale = "log"                      # how seeds are summarised: see ``StatisticScale``
/// ```
public struct ClaimSpec: Equatable, Sendable {
    public let id: String
    public let statement: String
    public let statistic: String
    /// Experiment-specific selection of cells, read by the experiment.
    public let select: ParameterValue
    public let reduce: Reduction
    public let compare: Comparison
    public let threshold: Double
    /// What kind of number the statistic is, which fixes its centre and interval (declared in the
    /// file before the run, like the threshold).
    public let scale: StatisticScale
    /// Optional note shown beside the verdict (why the threshold is what it is).
    public let rationale: String

    /// How the selected cells of one seed combine into one number.
    public enum Reduction: String, CaseIterable, Sendable { case min, max, mean }
    /// The direction of the rule.
    public enum Comparison: String, CaseIterable, Sendable, Codable {
        case greater = ">", greaterOrEqual = ">=", less = "<", lessOrEqual = "<="

        /// Whether `x` satisfies `x <op> threshold`.
        public func holds(_ x: Double, _ t: Double) -> Bool {
            switch self {
            case .greater: return x > t
            case .greaterOrEqual: return x >= t
            case .less: return x < t
            case .lessOrEqual: return x <= t
            }
        }
    }

    /// Reads a claim table, rejecting unknown keys.
    public init(_ p: ParameterReader) throws {
        id = try p.string("id")
        guard ExperimentFile.isSlug(id) else {
            throw ConfigError(location: p.location, key: "id", problem: "expected a lower-case slug, found \"\(id)\"")
        }
        statement = try p.string("statement")
        statistic = try p.string("statistic")
        select = p.value("select") ?? .table([])
        guard case .table = select else { throw ConfigError(location: p.location, key: "select", problem: "expected a table, found \(select)") }
        reduce = Reduction(rawValue: try p.string("reduce", default: "mean", allowed: Reduction.allCases.map(\.rawValue)))!
        compare = Comparison(rawValue: try p.string("compare", allowed: Comparison.allCases.map(\.rawValue)))!
        threshold = try p.double("threshold")
        scale = StatisticScale(rawValue: try p.string("scale", allowed: StatisticScale.allCases.map(\.rawValue)))!
        guard scale.range.contains(threshold) else {
            throw ConfigError(location: p.location, key: "threshold", problem: "\(threshold) lies outside the \(scale.rawValue) scale's range \(scale.range.lowerBound)...\(scale.range.upperBound)")
        }
        rationale = try p.string("rationale", default: "")
        try p.finish()
    }

    /// The rule in words, e.g. `rmse_inflation (min over the selected cells) > 2`.
    public var ruleText: String {
        Self.ruleText(statistic: statistic, reduce: reduce.rawValue, compare: compare, threshold: threshold)
    }

    /// A rule in words, the one format every results snippet and the ledger use.
    public static func ruleText(statistic: String, reduce: String, compare: Comparison, threshold: Double) -> String {
        "\(statistic) (\(reduce) over the selected cells) \(compare.rawValue) \(formatThreshold(threshold))"
    }

    /// How the verdict is decided on this claim's scale, in words.
    public var decisionText: String {
        scale == .ordinal
            ? "every seed's class satisfies the rule (supported), none does (not supported), or some do (inconclusive)"
            : "the whole 95 % interval (\(scale.intervalMethod)) satisfies the rule (supported), violates it (not supported), or straddles the threshold (inconclusive)"
    }

    /// A threshold as written in rules: `3` for 3.0, `0.05` for 0.05.
    static func formatThreshold(_ t: Double) -> String {
        let text = JSONNumber.format(t)
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }
}

/// The outcome of testing one claim against measurements.
public struct Verdict: Equatable, Sendable {
    /// The decision.
    public enum Outcome: String, Sendable {
        /// The whole 95 % interval satisfies the rule (ordinal scale: every seed does).
        case supported = "supported"
        /// The whole 95 % interval violates the rule (ordinal scale: every seed does).
        case notSupported = "not supported"
        /// The interval straddles the threshold (ordinal: the seeds disagree), or there is only one seed.
        case inconclusive = "inconclusive"

        /// The decision with its mark, as results snippets and the ledger show it.
        public var mark: String {
            switch self {
            case .supported: return "✅ **supported**"
            case .notSupported: return "❌ **not supported**"
            case .inconclusive: return "❔ **inconclusive**"
            }
        }
    }

    public let claim: ClaimSpec
    /// The reduced statistic of each seed, in seed order.
    public let perSeed: [Double]
    /// The seeds summarised on the claim's scale.
    public let summary: SeedSummary
    public let outcome: Outcome
    /// How many seeds' values satisfy the rule on their own.
    public let seedsHolding: Int

    /// Decides `claim` from the per-seed values of its statistic.
    public init(claim: ClaimSpec, perSeed: [Double]) {
        self.claim = claim
        self.perSeed = perSeed
        summary = SeedSummary(perSeed, scale: claim.scale)
        let op = claim.compare, t = claim.threshold
        seedsHolding = perSeed.filter { op.holds($0, t) }.count
        if perSeed.isEmpty || perSeed.contains(where: \.isNaN) || summary.mean.isNaN {
            outcome = .inconclusive
        } else if claim.scale == .ordinal {
            // No interval: the seeds' classes decide, so one seed (a deterministic class) suffices.
            outcome = seedsHolding == perSeed.count ? .supported : seedsHolding == 0 ? .notSupported : .inconclusive
        } else if summary.n < 2 {
            outcome = .inconclusive
        } else if op.holds(summary.low, t) && op.holds(summary.high, t) {
            outcome = .supported
        } else if !op.holds(summary.low, t) && !op.holds(summary.high, t) {
            outcome = .notSupported
        } else {
            outcome = .inconclusive
        }
    }

    /// Whether a rerun elsewhere could plausibly flip this verdict: the seeds fall on both sides
    /// of the threshold, or, when they differ at all, a seed lies within a tenth of the threshold (a factor of 1.1 on the
    /// log scale, a twentieth of the range on bounded scales: 0.05 for proportions, 0.1 for
    /// differences and correlations).
    public var nearThreshold: Bool {
        if seedsHolding != 0 && seedsHolding != perSeed.count { return true }
        // Seeds that agree to the last digit (a count fixed by construction, say) have no spread
        // that a rerun could move across the threshold.
        if perSeed.allSatisfy({ $0 == perSeed[0] }) { return false }
        let t = claim.threshold
        return perSeed.contains { v in
            switch claim.scale {
            case .log: return v > 0 && t > 0 && abs(Foundation.log(v / t)) < Foundation.log(1.1)
            case .proportion: return abs(v - t) < 0.05
            case .difference, .correlation: return abs(v - t) < 0.1
            case .linear: return abs(v - t) < 0.1 * max(abs(t), 1e-12)
            case .ordinal: return false
            }
        }
    }

    /// `2 of 3`, marked `⚠` when the verdict sits near its threshold (see ``nearThreshold``).
    public var seedsText: String { Self.seedsText(holding: seedsHolding, of: perSeed.count, near: nearThreshold) }

    /// `holding of n`, marked `⚠` when `near`: the one format of the seeds-holding column.
    public static func seedsText(holding: Int, of n: Int, near: Bool) -> String {
        "\(holding) of \(n)" + (near ? " ⚠" : "")
    }

    /// Reduces a seeds x cells matrix per seed with the claim's reduction.
    public static func reduce(_ cells: [[Double]], _ r: ClaimSpec.Reduction) -> [Double] {
        cells.map { row in
            switch r {
            case .min: return row.min() ?? .nan
            case .max: return row.max() ?? .nan
            case .mean: return row.isEmpty ? .nan : row.reduce(0, +) / Double(row.count)
            }
        }
    }
}
