import Figures
import Foundation
import Lab
import Metrics
import Simulation
import Support
import Experiments

extension MultiRouteBaselines {
    /// Total variation distance between a policy's route distribution (each route, then none) and
    /// the demonstrations': half the summed absolute differences, 0 (same) to 1 (disjoint).
    static func routeDistance(_ report: Rollout.Report, demonstrations: [Double]) -> Double {
        let shares = report.routeShares + [max(0, 1 - report.routeShares.reduce(0, +))]
        return zip(shares, demonstrations).reduce(0) { $0 + abs($1.0 - $1.1) } / 2
    }

    func outcome(_ c: Config, _ results: [SeedResult], claims: [ClaimSpec] = [], inputHash: String) throws -> ExperimentOutcome {
        let task = MultiRouteTask.standard
        func report(_ r: SeedResult, _ v: Contender, _ recipe: Recipe) -> Rollout.Report {
            recipe == .earlier ? r.earlierReport[v]! : r.report[v]!
        }
        func success(_ v: Contender, _ recipe: Recipe = .reference) -> [Double] { results.map { report($0, v, recipe).successRate } }
        func distance(_ v: Contender, _ recipe: Recipe = .reference) -> [Double] {
            results.map { Self.routeDistance(report($0, v, recipe), demonstrations: $0.demonstrationRoutes) }
        }
        var metrics: [MetricSeries] = []
        for v in Contender.allCases {
            let cond: [(name: String, value: String)] = [("policy", v.slug)]
            metrics.append(MetricSeries(condition: cond, metric: "success_rate", scale: .proportion, perSeed: success(v)))
            metrics.append(MetricSeries(condition: cond, metric: "route_distance", unit: "total variation", scale: .proportion, perSeed: distance(v)))
            metrics.append(MetricSeries(condition: cond, metric: "mean_collisions", scale: .linear, perSeed: results.map { $0.report[v]!.meanCollisions }))
            for (i, route) in task.routes.enumerated() {
                metrics.append(MetricSeries(condition: cond + [("route", route.name)], metric: "route_share", scale: .proportion, perSeed: results.map { $0.report[v]!.routeShares[i] }))
            }
            metrics.append(MetricSeries.wallClock(condition: cond, metric: "training_seconds", unit: "s", perSeed: results.map { $0.trainSeconds[v]! }))
        }
        if c.earlier != nil {
            for v in Contender.allCases {
                let cond: [(name: String, value: String)] = [("policy", v.slug), ("recipe", "earlier")]
                metrics.append(MetricSeries(condition: cond, metric: "success_rate", scale: .proportion, perSeed: success(v, .earlier)))
                metrics.append(MetricSeries(condition: cond, metric: "route_distance", unit: "total variation", scale: .proportion,
                                            perSeed: distance(v, .earlier)))
                metrics.append(MetricSeries.wallClock(condition: cond, metric: "training_seconds", unit: "s", perSeed: results.map { $0.earlierTrainSeconds[v]! }))
            }
        }
        for (i, route) in task.routes.enumerated() {
            metrics.append(MetricSeries(condition: [("policy", "demonstrations"), ("route", route.name)], metric: "route_share", scale: .proportion,
                                        perSeed: results.map { $0.demonstrationRoutes[i] }))
        }

        var blocks: [ResultBlock] = []
        blocks.append(.figure(MultiRouteControl.pathsFigure(name: "baseline-paths", title: "Closed-loop paths of VQ-BeT and its baselines",
                                                            panels: Contender.allCases.map { v in
            MultiRouteControl.PathsPanel(title: v.rawValue, color: Palette.policy(v.slug), paths: results.first?.paths[v] ?? [])
        }), caption:
            "Closed-loop paths of each policy on the multi-route task (12 episodes of the first seed), each in its colour of the book's palette: VQ-BeT in the residual VQ's pink, per-step binning in binning's blue, flow matching in the continuous policies' brown, the regression in grey. The black outline is the block, the green square the goal; the agent starts at (0, 0)."))
        blocks.append(.table(table(c, results), caption:
            "Closed-loop success over \(c.episodes) episodes per seed (95 % interval over \(results.count) seed(s), cut to [0, 1]), the share of episodes taking each route (means), the route distance (total variation between the policy's routes, none counted as a fourth outcome, and its own demonstrations'; 0 is the same distribution, 1 a disjoint one), refused moves, and what one chunk of \(c.tokenizer.window) actions costs. Every policy sees the last \(c.vqbet.history) positions. The demonstrations' row is the training demonstrations' own route shares."))

        let statistic: (String, ParameterReader) throws -> [[Double]] = { name, select in
            // The success statistics take `recipe` (default: the reference recipe, the judged one).
            func recipe() throws -> Recipe { try Recipe.read(select, earlierMeasured: c.earlier != nil) }
            func contender(_ key: String) throws -> Contender {
                let slug = try select.string(key, allowed: Contender.allCases.map(\.slug))
                return Contender.allCases.first { $0.slug == slug }!
            }
            switch name {
            case "success_gain":
                // Success of `policy` minus that of `baseline`.
                let v = try contender("policy"), b = try contender("baseline"), r = try recipe()
                return results.indices.map { [success(v, r)[$0] - success(b, r)[$0]] }
            case "mode_averaging_gap":
                // The lower success of `policies` minus that of `baseline`.
                let slugs = try select.strings("policies", allowed: Contender.allCases.map(\.slug))
                let vs = slugs.map { s in Contender.allCases.first { $0.slug == s }! }, b = try contender("baseline"), r = try recipe()
                return results.indices.map { i in [vs.map { success($0, r)[i] }.min()! - success(b, r)[i]] }
            case "route_distance":
                let v = try contender("policy"), r = try recipe()
                return distance(v, r).map { [$0] }
            default:
                throw ConfigError(location: select.location, key: "statistic", problem: "unknown statistic '\(name)'; this experiment computes success_gain, mode_averaging_gap, route_distance")
            }
        }
        var outcome = ExperimentOutcome(metrics: metrics, blocks: blocks, inputDataHash: inputHash, statistic: statistic)
        if let earlier = c.earlier {
            outcome.blocks.append(.table(try outcome.claimsTable(claims, settings: Recipe.claimSettings, location: "architectures/multi-route-baselines"), caption:
                "The claims under each policy recipe, each decided by its own pre-registered rule. The reference recipe (VQ-BeT's codes drawn at LeRobot's temperature \(Format.parameter(c.vqbet.temperature)), offset weight \(Format.parameter(c.vqbet.offsetWeight)), offsets at the \(c.vqbet.offsetCodes.rawValue) codes, \(c.vqbet.trainSteps) steps; binning's tokens at temperature \(Format.parameter(c.binningTemperature))) is judged and enters the ledger; the earlier recipe (VQ-BeT at temperature \(Format.parameter(earlier.vqbet.temperature)), weight \(Format.parameter(earlier.vqbet.offsetWeight)), offsets at the \(earlier.vqbet.offsetCodes.rawValue) codes, \(earlier.vqbet.trainSteps) steps; binning at temperature \(Format.parameter(earlier.binningTemperature))) is an ablation, shown and not entered; under it every contender trains for \(earlier.model.trainingSteps) steps, as in the earlier runs."))
        }
        return outcome
    }

    func table(_ c: Config, _ results: [SeedResult]) -> MarkdownTable {
        let routes = MultiRouteTask.standard.routes
        func pct(_ v: [Double]) -> String { Format.number(Statistics.mean(v) * 100) + " %" }
        var rows = Contender.allCases.map { v -> [String] in
            var row = [v.rawValue, Format.percentInterval(SeedSummary(results.map { $0.report[v]!.successRate }, scale: .proportion))]
            for i in routes.indices { row.append(pct(results.map { $0.report[v]!.routeShares[i] })) }
            row.append(Format.number(Statistics.mean(results.map { Self.routeDistance($0.report[v]!, demonstrations: $0.demonstrationRoutes) })))
            row.append(Format.number(Statistics.mean(results.map { $0.report[v]!.meanCollisions })))
            row.append(results.first?.cost[v] ?? "—")
            return row
        }
        if c.earlier != nil {
            for v in Contender.allCases {
                let reports = results.map { $0.earlierReport[v]! }
                var row = [v.rawValue + ", earlier recipe", Format.percentInterval(SeedSummary(reports.map(\.successRate), scale: .proportion))]
                for i in routes.indices { row.append(pct(reports.map { $0.routeShares[i] })) }
                row.append(Format.number(Statistics.mean(zip(reports, results).map { Self.routeDistance($0, demonstrations: $1.demonstrationRoutes) })))
                row.append(Format.number(Statistics.mean(reports.map(\.meanCollisions))))
                row.append(results.first?.cost[v] ?? "—")
                rows.append(row)
            }
        }
        rows.append(["demonstrations", "—"] + routes.indices.map { i in pct(results.map { $0.demonstrationRoutes[i] }) } + ["0", "—", "—"])
        return MarkdownTable(header: ["policy", "success"] + routes.map { "route \($0.name)" } + ["route distance", "refused moves / episode", "cost per chunk"], rows: rows)
    }
}
