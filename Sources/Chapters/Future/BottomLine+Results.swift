import Foundation
import Metrics
import Support
import Experiments

extension BottomLine {
    func outcome(_ c: Config, table: Table, seeds: [UInt64]) throws -> ExperimentOutcome {
        var metrics: [MetricSeries] = []
        for s in Scenario.allCases {
            for st in table.standings[s]! where st.rank != nil {
                metrics.append(MetricSeries(condition: [("scenario", s.rawValue), ("contender", st.contender)], metric: "rank", scale: .ordinal,
                                            perSeed: seeds.map { _ in Double(st.rank!) }))
            }
            metrics.append(MetricSeries(condition: [("scenario", s.rawValue)], metric: "agrees_with_audit", scale: .ordinal,
                                        perSeed: seeds.map { _ in Self.agreement(c, table, s) }))
        }
        var blocks: [ResultBlock] = []
        blocks.append(.table(summaryTable(c, table), caption:
            "The audit's three scenarios: what it recommends, the contender the book's measurements rank first (on the geometric mean over seeds), the whole measured order, how often each contender comes first in a single seed (or unit) of the results read, and whether the first-ranked contender is one the audit recommends. Each ranking uses one measured quantity (lower is better), read from the committed results named below the tables."))
        for s in Scenario.allCases {
            blocks.append(.table(scenarioTable(c, table, s), caption: "\(s.title.prefix(1).uppercased() + s.title.dropFirst()): \(Self.measureText(s, c)) Marked ✓: recommended by the audit."))
        }
        blocks.append(.table(MarkdownTable(header: ["results read", "profile", "computed at commit"], rows: table.sources.map { [$0.id, $0.profile, String($0.gitCommit.prefix(7))] }), caption:
            "The committed results the bottom line read. Each was checked before use: present, not from the smoke profile, and computed with what its experiment file says now; a missing or stale one stops the run with the command that remakes it."))

        let statistic: (String, ParameterReader) throws -> [[Double]] = { name, select in
            guard name == "agreement" else {
                throw ConfigError(location: select.location, key: "statistic", problem: "unknown statistic '\(name)'; this experiment computes agreement")
            }
            let scenario = try select.string("scenario", allowed: Scenario.allCases.map(\.rawValue))
            let v = Self.agreement(c, table, Scenario(rawValue: scenario)!)
            return seeds.map { _ in [v] }
        }
        return ExperimentOutcome(metrics: metrics, blocks: blocks,
                                 inputDataHash: StableHash.sha256Hex(table.sources.map { "\($0.id)@\($0.gitCommit)" }.joined(separator: "\n")), statistic: statistic)
    }

    /// What ranks a scenario, in words.
    static func measureText(_ s: Scenario, _ c: Config) -> String {
        switch s {
        case .smallFast:
            return "ranked by the median latency per chunk, batch of one, width \(c.latencyWidth), \(c.latencyRate) Hz (deployment chapter; wall-clock, this machine's)."
        case .hyperscaling:
            return "ranked by the held-out error at the largest training compute, over the best contender's, geometric mean over the sources (this chapter's scaling experiment); beside it, how much the last step of compute lowered the error, and how many more tokens FAST's shared BPE needs on a source it never saw (leave-one-out, the worst source)."
        case .goodEnough:
            return "ranked by the DTW distance to held-out LASA handwriting after training on five demonstrations per shape (applications chapter); beside it, the tolerance the contender stops within on the precision task (80 % of episodes)."
        }
    }

    func summaryTable(_ c: Config, _ table: Table) -> MarkdownTable {
        MarkdownTable(header: ["scenario", "the audit recommends", "measured first", "measured order", "first in each seed", "agree?"], rows: Scenario.allCases.map { s in
            let st = table.standings[s]!
            let a = Self.agreement(c, table, s)
            let firsts = table.firstPerSeed[s] ?? []
            let counts = Dictionary(firsts.map { ($0, 1) }, uniquingKeysWith: +)
            let perSeed = c.contenders.map(\.name).filter { counts[$0] != nil }.map { "\($0) \(counts[$0]!) of \(firsts.count)" }.joined(separator: ", ")
            return [s.title, c.audit[s]!.joined(separator: ", "), st.first.map { $0.rank == nil ? "—" : $0.contender } ?? "—",
                    st.filter { $0.rank != nil }.map(\.contender).joined(separator: " < "), perSeed.isEmpty ? "—" : perSeed,
                    a.isNaN ? "not measured" : a == 1 ? "yes" : "no"]
        })
    }

    func scenarioTable(_ c: Config, _ table: Table, _ s: Scenario) -> MarkdownTable {
        let unit: (Double) -> String = { v in
            switch s {
            case .smallFast: return Format.number(v * 1000) + " ms"
            case .hyperscaling: return Format.number(v) + "×"
            case .goodEnough: return Format.number(v) + " mm"
            }
        }
        return MarkdownTable(header: ["rank", "contender", "measure", "beside it", "audit"], rows: table.standings[s]!.map { st in
            [st.rank.map(String.init) ?? "—", st.contender, st.measure.map(unit) ?? "not measured", table.sides[s]?[st.contender] ?? "",
             c.audit[s]!.contains(st.contender) ? "✓" : ""]
        })
    }
}
