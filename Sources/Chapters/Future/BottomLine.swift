import Foundation
import Metrics
import Support
import Experiments

/// Future chapter: the audit's bottom line, computed from the book's committed results.
///
/// The audit recommends a discretisation per scenario: VQ for a small, fast system; no
/// discretisation (or FAST+) for hyperscaling and generalisation; FAST or binning for "good enough
/// now" with little data. Each scenario is tied to one measured quantity, read from another
/// experiment's committed results, that ranks the contenders (lower is better): latency per chunk
/// (deployment chapter), held-out error at the largest training compute (this chapter's scaling
/// experiment), and distance to held-out handwriting after training on five demonstrations per
/// shape (applications chapter). Further measured columns sit beside each ranking without
/// entering it. Nothing is trained here; the verdicts say where the ranking and the audit agree.
public struct BottomLine: Experiment {
    public let chapter = "future"
    public let name = "bottom-line"
    public init() {}

    public var statistics: [String: [String]] { ["agreement": ["scenario"]] }
    public var readsResults: [String] { Self.reads }

    /// The experiments it reads, in the order the decision table cites them.
    static let reads = ["deployment/latency-per-chunk", "future/scaling", "applications/lasa", "applications/precision", "future/universal"]

    /// The audit's three scenarios, each ranked by one measured quantity.
    enum Scenario: String, CaseIterable {
        case smallFast = "small-fast", hyperscaling, goodEnough = "good-enough"
        var title: String {
            switch self {
            case .smallFast: return "small and fast"
            case .hyperscaling: return "hyperscaling and generalisation"
            case .goodEnough: return "good enough now, with little data"
            }
        }
        /// The experiment whose results rank the contenders, and what the measure is.
        var source: String {
            switch self {
            case .smallFast: return "deployment/latency-per-chunk"
            case .hyperscaling: return "future/scaling"
            case .goodEnough: return "applications/lasa"
            }
        }
    }

    public struct Config {
        /// The contenders in table order, each with its name in every experiment it was measured in.
        let contenders: [(name: String, names: [String: String])]
        /// The audit's recommendation per scenario (contender names).
        let audit: [Scenario: [String]]
        let latencyRate: String, latencyWidth: String
    }

    public func configure(_ p: ParameterReader) throws -> Config {
        let names = try p.table("names", required: true)
        let list = try p.strings("contenders")
        guard !list.isEmpty, Set(list).count == list.count else { throw ConfigError(location: p.location, key: "contenders", problem: "expected distinct contender names") }
        let keys = ["latency", "scaling", "lasa", "precision", "universal"]
        var contenders: [(name: String, names: [String: String])] = []
        for n in list {
            let t = try names.table(n, required: true)
            var map: [String: String] = [:]
            for k in keys { if t.value(k) != nil { map[k] = try t.string(k) } }
            try t.finish()
            contenders.append((n, map))
        }
        try names.finish()
        let a = try p.table("audit", required: true)
        var audit: [Scenario: [String]] = [:]
        for s in Scenario.allCases {
            let r = try a.strings(s.rawValue, allowed: list)
            guard !r.isEmpty else { throw ConfigError(location: a.location, key: s.rawValue, problem: "expected the audit's recommended contenders") }
            audit[s] = r
        }
        try a.finish()
        let l = try p.table("latency", required: true)
        let rate = try l.string("rate_hz"), width = try l.string("width")
        try l.finish()
        return Config(contenders: contenders, audit: audit, latencyRate: rate, latencyWidth: width)
    }

    /// One contender's standing in one scenario: its measure (nil: not measured) and rank.
    struct Standing: Equatable {
        let contender: String
        let measure: Double?
        var rank: Int?
    }

    /// What the bottom line computed: per scenario, the standings (ranked first, unmeasured last),
    /// and the side columns per contender.
    struct Table {
        var standings: [Scenario: [Standing]]
        var sides: [Scenario: [String: String]]
        var sources: [CommittedResults]
        /// Per scenario, the contender ranked first in each seed (or unit) of the results read.
        var firstPerSeed: [Scenario: [String]]
    }

    public func run(_ c: Config, context: RunContext) throws -> ExperimentOutcome {
        guard let root = context.root else {
            throw ConfigError(location: "future/bottom-line", key: "", problem: "no workbench root to read the book's results from")
        }
        context.progress.begin(total: 1, "bottom line: reading \(Self.reads.count) experiments' committed results")
        let results = try Dictionary(uniqueKeysWithValues: Self.reads.map { ($0, try CommittedResults.load(root: root, id: $0, profile: context.profile)) })
        let table = try Self.compute(c, results: results)
        context.progress.step("bottom line: " + Scenario.allCases.map { s in "\(s.title): \(table.standings[s]!.first?.contender ?? "—")" }.joined(separator: "; "))
        return try outcome(c, table: table, seeds: context.seeds)
    }

    /// The geometric mean of the finite positive values (nil when there are none).
    static func geometricMean(_ xs: [Double]) -> Double? {
        let v = xs.filter { $0.isFinite && $0 > 0 }
        return v.isEmpty ? nil : exp(v.map { log($0) }.reduce(0, +) / Double(v.count))
    }

    /// The standings and side columns from the read results (``reads``, keyed by id).
    static func compute(_ c: Config, results: [String: CommittedResults]) throws -> Table {
        func read(_ id: String) throws -> CommittedResults {
            guard let r = results[id] else { throw ConfigError(location: WorkbenchPaths.resultsJSON(id), key: "", problem: "not read") }
            return r
        }
        let latency = try read("deployment/latency-per-chunk"), scaling = try read("future/scaling"), lasa = try read("applications/lasa")
        let precision = try read("applications/precision"), universal = try read("future/universal")
        var measures: [Scenario: [String: Double]] = [:]
        var perSeed: [Scenario: [String: [Double]]] = [:]
        var sides: [Scenario: [String: String]] = [:]
        // The largest compute point of the scaling results: the one with the most training FLOPs.
        let flops = scaling.all("train_flops", [:])
        let topWidth = flops.max { (geometricMean($0.values) ?? 0) < (geometricMean($1.values) ?? 0) }?.condition["width"]
        let sourcesOfScaling = Array(Set(flops.compactMap { $0.condition["source"] })).sorted()
        for (name, names) in c.contenders {
            if let n = names["latency"], let v = latency.values("latency_median", ["contender": n, "rate_hz": c.latencyRate, "width": c.latencyWidth]) {
                measures[.smallFast, default: [:]][name] = geometricMean(v)
                perSeed[.smallFast, default: [:]][name] = v
            }
            if let n = names["scaling"], let w = topWidth {
                // Per source, the error over the best contender's at the largest point; geometric mean over sources.
                var ratios: [Double] = [], seedRatios: [[Double]] = []
                for src in sourcesOfScaling {
                    let all = scaling.all("error", ["source": src, "width": w])
                    let best = all.compactMap { geometricMean($0.values) }.min()
                    guard let mine = all.first(where: { $0.condition["contender"] == n }) else { continue }
                    if let m = geometricMean(mine.values), let best { ratios.append(m / best) }
                    seedRatios.append(mine.values.indices.map { i in mine.values[i] / (all.map { $0.values[i] }.min() ?? .nan) })
                }
                measures[.hyperscaling, default: [:]][name] = geometricMean(ratios)
                if let k = seedRatios.map(\.count).min() {
                    perSeed[.hyperscaling, default: [:]][name] = (0..<k).map { i in geometricMean(seedRatios.map { $0[i] }) ?? .nan }
                }
                var gains: [Double] = []
                for src in sourcesOfScaling {
                    let points = scaling.all("error", ["source": src, "contender": n]).sorted { Int($0.condition["width"] ?? "0")! < Int($1.condition["width"] ?? "0")! }
                    if points.count >= 2, let a = geometricMean(points[points.count - 2].values), let b = geometricMean(points.last!.values) { gains.append(a / b) }
                }
                if let g = geometricMean(gains) { sides[.hyperscaling, default: [:]][name] = "error falls \(Format.number(g))× over the last step" }
            }
            if let n = names["universal"], let v = universal.all("token_ratio", [:]).compactMap({ geometricMean($0.values) }).max() {
                sides[.hyperscaling, default: [:]][name, default: ""] += (sides[.hyperscaling]?[name] == nil ? "" : "; ") + "\(n == "fast" ? "shared BPE" : n): at most \(Format.number(v))× the tokens of its own"
            }
            if let n = names["lasa"], let v = lasa.values("dtw_over_shapes", ["contender": n]) {
                measures[.goodEnough, default: [:]][name] = geometricMean(v)
                perSeed[.goodEnough, default: [:]][name] = v
            }
            if let n = names["precision"], let v = precision.values("tolerance_reached", ["contender": n]), let g = geometricMean(v) {
                sides[.goodEnough, default: [:]][name] = "stops within \(Format.number(g)) (80 % of episodes)"
            }
        }
        var standings: [Scenario: [Standing]] = [:]
        var firstPerSeed: [Scenario: [String]] = [:]
        for s in Scenario.allCases {
            // Per seed (or unit) of the results read: the contender with the lowest value, in table order on ties.
            let measured = c.contenders.map(\.name).filter { perSeed[s]?[$0] != nil }
            let seeds = measured.map { perSeed[s]![$0]!.count }.min() ?? 0
            firstPerSeed[s] = (0..<seeds).compactMap { i in
                measured.filter { perSeed[s]![$0]![i].isFinite }.min { perSeed[s]![$0]![i] < perSeed[s]![$1]![i] }
            }
            let m = measures[s] ?? [:]
            var list = c.contenders.map { Standing(contender: $0.name, measure: m[$0.name], rank: nil) }
            let order = list.indices.filter { list[$0].measure != nil }.sorted { (list[$0].measure!, $0) < (list[$1].measure!, $1) }
            for (r, i) in order.enumerated() { list[i].rank = r + 1 }
            standings[s] = order.map { list[$0] } + list.filter { $0.measure == nil }
        }
        return Table(standings: standings, sides: sides, sources: Self.reads.compactMap { results[$0] }, firstPerSeed: firstPerSeed)
    }

    /// 1 when the contender ranked first in `scenario` is one the audit recommends, else 0 (NaN: nothing measured).
    static func agreement(_ c: Config, _ table: Table, _ s: Scenario) -> Double {
        guard let first = table.standings[s]?.first, first.rank == 1 else { return .nan }
        return c.audit[s]!.contains(first.contender) ? 1 : 0
    }
}
