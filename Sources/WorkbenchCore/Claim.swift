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
    /// Optional note shown beside the verdict (why the threshold is what it is).
    public let rationale: String

    /// How the selected cells of one seed combine into one number.
    public enum Reduction: String, CaseIterable, Sendable { case min, max, mean }
    /// The direction of the rule.
    public enum Comparison: String, CaseIterable, Sendable {
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
        rationale = try p.string("rationale", default: "")
        try p.finish()
    }

    /// The rule in words, e.g. `min over cells of rmse_inflation > 2`.
    public var ruleText: String {
        "\(statistic) (\(reduce.rawValue) over the selected cells) \(compare.rawValue) \(Self.formatThreshold(threshold))"
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
        /// The whole 95 % interval satisfies the rule.
        case supported = "supported"
        /// The whole 95 % interval violates the rule.
        case notSupported = "not supported"
        /// The interval straddles the threshold, or there is only one seed.
        case inconclusive = "inconclusive"
    }

    public let claim: ClaimSpec
    /// The reduced statistic of each seed, in seed order.
    public let perSeed: [Double]
    public let summary: SeedSummary
    public let outcome: Outcome

    /// Decides `claim` from the per-seed values of its statistic.
    public init(claim: ClaimSpec, perSeed: [Double]) {
        self.claim = claim
        self.perSeed = perSeed
        summary = SeedSummary(perSeed)
        let op = claim.compare, t = claim.threshold
        if summary.n < 2 || perSeed.contains(where: { !$0.isFinite }) {
            outcome = .inconclusive
        } else if op.holds(summary.low, t) && op.holds(summary.high, t) {
            outcome = .supported
        } else if !op.holds(summary.low, t) && !op.holds(summary.high, t) {
            outcome = .notSupported
        } else {
            outcome = .inconclusive
        }
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
