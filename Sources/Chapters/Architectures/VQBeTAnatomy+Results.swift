import Figures
import Foundation
import Lab
import Metrics
import Policies
import Simulation
import Support
import Tokenizers
import Experiments

extension VQBeTAnatomy {
    static let dataSets = ["multi-route", "arm"]

    /// Metrics, figures, tables and the claim statistics from the per-seed results.
    func outcome(_ c: Config, _ results: [SeedResult], claims: [ClaimSpec], inputHash: String) throws -> ExperimentOutcome {
        func measured(_ v: Variant, _ recipe: Recipe = .reference) -> [PolicyMeasurement] { results.map { $0.policies[recipe]![v]! } }
        var metrics: [MetricSeries] = []
        for d in Self.dataSets {
            let cond: [(name: String, value: String)] = [("data", d)]
            metrics.append(MetricSeries(condition: cond, metric: "reconstruction_mse_primary", unit: "action units²", scale: .log, perSeed: results.map { $0.reconstruction[d]!.primary }))
            metrics.append(MetricSeries(condition: cond, metric: "reconstruction_mse_all", unit: "action units²", scale: .log, perSeed: results.map { $0.reconstruction[d]!.all }))
            metrics.append(MetricSeries(condition: cond, metric: "reconstruction_mse_unquantised_floor", unit: "action units²", scale: .log, perSeed: results.map { $0.floorMSE[d]! }))
            for l in 0..<c.tokenizer.layers {
                metrics.append(MetricSeries(condition: cond + [("layer", "\(l)")], metric: "codes_used", scale: .linear, perSeed: results.map { Double($0.usage[d]!.distinctCodes[l]) }))
                metrics.append(MetricSeries(condition: cond + [("layer", "\(l)")], metric: "perplexity", scale: .log, perSeed: results.map { $0.usage[d]!.perplexity[l] }))
            }
            metrics.append(MetricSeries(condition: cond, metric: "code_combinations", scale: .linear, perSeed: results.map { Double($0.usage[d]!.combinations) }))
        }
        let task = MultiRouteTask.standard
        for (recipe, _) in Self.recipes(c) {
            for v in Variant.allCases {
                // The reference recipe's series keep their conditions; the ablation's add its recipe.
                let cond: [(name: String, value: String)] = [("policy", v.slug)] + (recipe == .reference ? [] : [("recipe", recipe.rawValue)])
                let m = measured(v, recipe)
                metrics.append(MetricSeries(condition: cond, metric: "action_l1_error", unit: "action units", scale: .log, perSeed: m.map(\.actionError)))
                metrics.append(MetricSeries(condition: cond, metric: "success_rate", scale: .proportion, perSeed: m.map(\.report.successRate)))
                metrics.append(MetricSeries(condition: cond, metric: "mean_collisions", scale: .linear, perSeed: m.map(\.report.meanCollisions)))
                for (i, route) in task.routes.enumerated() {
                    metrics.append(MetricSeries(condition: cond + [("route", route.name)], metric: "route_share", scale: .proportion, perSeed: m.map { $0.report.routeShares[i] }))
                }
                metrics.append(MetricSeries.wallClock(condition: cond, metric: "training_seconds", unit: "s", perSeed: m.map(\.trainSeconds)))
            }
        }

        var blocks: [ResultBlock] = []
        blocks.append(.figure(pathsFigure(results), caption:
            "Closed-loop paths of each policy on the multi-route task (12 episodes of the first seed, codes sampled at temperature \(Format.parameter(c.policy.temperature))), each policy in its colour of the book's palette (VQ-BeT in the residual VQ's pink). The black outline is the block and the green square on the right the goal; the agent starts at (0, 0) on the left; demonstrations go above (30 %), below (40 %) or wide above (30 %)."))
        blocks.append(.table(policyTable(c, results), caption:
            "Closed-loop success over \(c.episodes) episodes per seed, held-out action error (L1 per action value of the most likely codes' windows), and how often each route was taken; 95 % intervals over \(results.count) seed(s). The single-layer VQ has \(c.singleCodebookSize) codes, as many as the residual VQ's \(c.tokenizer.codebookSize) x \(c.tokenizer.codebookSize) combinations."))
        blocks.append(.table(tokenizerTable(c, results), caption:
            "Coarse to fine: held-out reconstruction error of the residual VQ (\(c.tokenizer.layers) layers of \(c.tokenizer.codebookSize) codes, windows of \(c.tokenizer.window) actions) with the primary code alone and with every code, the unquantised floor (the same encoder and decoder, settings and steps, trained and measured with no quantiser: what no choice of codes removes), and how many codes and combinations the held-out windows use. Perplexity is the effective number of codes (exp of the code distribution's entropy)."))

        let statistic: (String, ParameterReader) throws -> [[Double]] = { name, select in
            // The policies' statistics take `recipe` (default: the reference recipe, the judged one).
            func recipe() throws -> Recipe { try Recipe.read(select, earlierMeasured: c.earlier != nil) }
            switch name {
            case "primary_only_error_ratio":
                let data = try select.strings("data", default: ["multi-route"], allowed: Self.dataSets)
                return results.map { r in data.map { r.reconstruction[$0]!.primary / r.reconstruction[$0]!.all } }
            case "no_offset_error_ratio":
                let r = try recipe()
                return zip(measured(.noOffset, r), measured(.vqbet, r)).map { [$0.actionError / $1.actionError] }
            case "offset_success_gain":
                let r = try recipe()
                return zip(measured(.vqbet, r), measured(.noOffset, r)).map { [$0.report.successRate - $1.report.successRate] }
            case "single_vq_success_loss":
                let r = try recipe()
                return zip(measured(.vqbet, r), measured(.single, r)).map { [$0.report.successRate - $1.report.successRate] }
            case "success_rate":
                let v = try select.string("policy", default: "vq-bet", allowed: Variant.allCases.map(\.slug)), r = try recipe()
                return measured(Variant.allCases.first { $0.slug == v }!, r).map { [$0.report.successRate] }
            default:
                throw ConfigError(location: select.location, key: "statistic", problem: "unknown statistic '\(name)'; this experiment computes primary_only_error_ratio, no_offset_error_ratio, offset_success_gain, single_vq_success_loss, success_rate")
            }
        }
        var outcome = ExperimentOutcome(metrics: metrics, blocks: blocks, inputDataHash: inputHash, statistic: statistic)
        if let earlier = c.earlier {
            let policyClaims = claims.filter { Self.policyStatistics.contains($0.statistic) }
            outcome.blocks.append(.table(try outcome.claimsTable(policyClaims, settings: Recipe.claimSettings, location: "architectures/vq-bet-anatomy"), caption:
                "The policy claims under each recipe, each decided by its own pre-registered rule. The reference recipe (LeRobot's: codes drawn at temperature \(Format.parameter(c.policy.temperature)), offset loss weight \(Format.parameter(c.policy.offsetWeight)), offsets trained at the \(c.policy.offsetCodes.rawValue) codes, \(c.policy.trainSteps) steps) is the judged one, whose verdicts enter the ledger; the earlier recipe (temperature \(Format.parameter(earlier.temperature)), weight \(Format.parameter(earlier.offsetWeight)), offsets at the \(earlier.offsetCodes.rawValue) codes, \(earlier.trainSteps) steps) is an ablation, shown and not entered."))
        }
        return outcome
    }

    /// The statistics computed from the policies, which therefore depend on the recipe.
    static let policyStatistics: Set<String> = ["no_offset_error_ratio", "offset_success_gain", "single_vq_success_loss", "success_rate"]

    func policyTable(_ c: Config, _ results: [SeedResult]) -> MarkdownTable {
        let routes = MultiRouteTask.standard.routes
        let rows = Self.recipes(c).flatMap { recipe, _ in Variant.allCases.map { v -> [String] in
            let m = results.map { $0.policies[recipe]![v]! }
            var row = [v.rawValue + (recipe == .reference ? "" : ", earlier recipe"),
                       Format.percentInterval(SeedSummary(m.map(\.report.successRate), scale: .proportion)),
                       Format.interval(SeedSummary(m.map(\.actionError), scale: .log))]
            for i in routes.indices { row.append(Format.number(Statistics.mean(m.map { $0.report.routeShares[i] * 100 })) + " %") }
            row.append(Format.number(Statistics.mean(m.map(\.report.meanCollisions))))
            return row
        } }
        return MarkdownTable(header: ["policy", "success", "action error"] + routes.map { "route \($0.name)" } + ["refused moves / episode"], rows: rows)
    }

    func tokenizerTable(_ c: Config, _ results: [SeedResult]) -> MarkdownTable {
        let rows = Self.dataSets.map { d -> [String] in
            let p = SeedSummary(results.map { $0.reconstruction[d]!.primary }, scale: .log), a = SeedSummary(results.map { $0.reconstruction[d]!.all }, scale: .log)
            let ratio = SeedSummary(results.map { $0.reconstruction[d]!.primary / $0.reconstruction[d]!.all }, scale: .log)
            let used = (0..<c.tokenizer.layers).map { l in Format.number(Statistics.mean(results.map { Double($0.usage[d]!.distinctCodes[l]) })) }.joined(separator: " / ")
            let ppl = (0..<c.tokenizer.layers).map { l in Format.number(Statistics.mean(results.map { $0.usage[d]!.perplexity[l] })) }.joined(separator: " / ")
            return [d, Format.interval(p), Format.interval(a), Format.interval(SeedSummary(results.map { $0.floorMSE[d]! }, scale: .log)), Format.interval(ratio), used, ppl,
                    Format.number(Statistics.mean(results.map { Double($0.usage[d]!.combinations) }))]
        }
        return MarkdownTable(header: ["data", "MSE, primary code", "MSE, all codes", "MSE, no quantiser (floor)", "ratio, primary / all", "codes used per layer", "perplexity per layer", "combinations"], rows: rows)
    }

    /// Paths in the plane, one panel per policy in its colour (`Palette.policy`).
    func pathsFigure(_ results: [SeedResult]) -> Figure {
        MultiRouteControl.pathsFigure(panels: Variant.allCases.map { v in
            MultiRouteControl.PathsPanel(title: v.rawValue, color: Palette.policy(v.slug), paths: results.first?.policies[.reference]?[v]?.paths ?? [])
        })
    }
}
