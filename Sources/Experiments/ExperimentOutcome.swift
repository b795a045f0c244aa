import Figures
import Metrics
import Support

/// One measured quantity under one condition, with one value per seed.
public struct MetricSeries: Sendable {
    /// The condition as ordered (name, value) labels, e.g. `[("tokenizer", "minmax"), ("fraction", "0.01")]`.
    public let condition: [(name: String, value: String)]
    /// Metric name, e.g. `relative_rmse`.
    public let metric: String
    /// Unit, or empty for dimensionless quantities.
    public let unit: String
    /// What kind of number this is, which fixes its centre and interval.
    public let scale: StatisticScale
    /// A wall-clock measurement (seconds, µs per chunk): machine- and load-dependent, so it is
    /// written apart from the measurements (`timings` in results.json) and never compared by
    /// `workbench verify` or read by a verdict.
    public let isWallClock: Bool
    /// One value per seed, in seed order.
    public let perSeed: [Double]

    /// A measurement on the given scale.
    public init(condition: [(name: String, value: String)], metric: String, unit: String = "", scale: StatisticScale, perSeed: [Double]) {
        self.condition = condition; self.metric = metric; self.unit = unit; self.scale = scale; self.isWallClock = false; self.perSeed = perSeed
    }

    private init(condition: [(name: String, value: String)], metric: String, unit: String, perSeed: [Double], wallClock: Bool) {
        self.condition = condition; self.metric = metric; self.unit = unit; self.scale = .log; self.isWallClock = wallClock; self.perSeed = perSeed
    }

    /// A wall-clock time (positive, so on the log scale), kept apart from the measurements.
    public static func wallClock(condition: [(name: String, value: String)], metric: String, unit: String, perSeed: [Double]) -> MetricSeries {
        MetricSeries(condition: condition, metric: metric, unit: unit, perSeed: perSeed, wallClock: true)
    }

    /// Centre and 95 % interval over seeds on the metric's scale.
    public var summary: SeedSummary { SeedSummary(perSeed, scale: scale) }
}

/// A Markdown table for a results snippet.
public struct MarkdownTable: Sendable {
    public var header: [String]
    public var rows: [[String]]
    /// Per-column alignment: `l`, `r` or `c`; default left for the first column, right for the rest.
    public var align: [Character]?

    public init(header: [String], rows: [[String]], align: [Character]? = nil) {
        self.header = header; self.rows = rows; self.align = align
    }

    /// The table as GitHub-flavoured Markdown.
    public var markdown: String {
        let a = align ?? header.indices.map { $0 == 0 ? "l" : "r" }
        let rule = a.map { $0 == "r" ? "---:" : $0 == "c" ? ":---:" : "---" }
        func line(_ cells: [String]) -> String { "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |" }
        return ([line(header), "| " + rule.joined(separator: " | ") + " |"] + rows.map(line)).joined(separator: "\n")
    }
}

/// A piece of an experiment's results snippet, in reading order.
public enum ResultBlock: Sendable {
    /// A figure (rendered by the runner to PNG and SVG) and its caption.
    case figure(Figure, caption: String)
    /// A table and its caption.
    case table(MarkdownTable, caption: String)
    /// A paragraph of Markdown.
    case text(String)
}

/// Everything an experiment run produces, before claims are judged and files are written.
public struct ExperimentOutcome {
    /// Measurements per condition and seed; written to results.json.
    public var metrics: [MetricSeries]
    /// The snippet's body: figures, tables, notes.
    public var blocks: [ResultBlock]
    /// SHA-256 of the input data, for provenance.
    public var inputDataHash: String
    /// The per-seed values of a named statistic over the cells `select` names: seeds x cells.
    /// Claims call this; unknown names or selection keys must throw a ``Support/ConfigError``.
    public var statistic: (_ name: String, _ select: ParameterReader) throws -> [[Double]]
    /// Rows of every statistic per seed (1: a row per seed); more when a claim's unit is finer
    /// than a seed, e.g. one shape in one seed. Intervals are then over these units.
    public var unitsPerSeed = 1
    /// What one unit is, when ``unitsPerSeed`` is not 1 (e.g. "one shape in one seed"), for the results' text.
    public var unitDescription = "one seed"

    public init(metrics: [MetricSeries], blocks: [ResultBlock], inputDataHash: String,
                statistic: @escaping (_ name: String, _ select: ParameterReader) throws -> [[Double]]) {
        self.metrics = metrics; self.blocks = blocks; self.inputDataHash = inputDataHash; self.statistic = statistic
    }
}
