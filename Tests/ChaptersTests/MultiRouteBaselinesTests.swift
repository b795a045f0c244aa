import Foundation
import Policies
import Simulation
import Support
import XCTest
@testable import Chapters
@testable import Experiments

/// The multi-route baselines: the same VQ-BeT and training budget as the anatomy, and the claims'
/// statistics and verdicts on hand-made results.
final class MultiRouteBaselinesTests: XCTestCase {
    func configure<E: Experiment>(_ experiment: E, _ path: String, _ profile: Profile) throws -> (E.Config, ExperimentFile) {
        let file = try ExperimentFile(root: ScratchWorkbench.repository, path: path)
        let reader = try ParameterReader(file.resolved(profile), location: "test")
        _ = try reader.ints("seeds")
        let config = try experiment.configure(reader)
        try reader.finish()
        return (config, file)
    }

    /// VQ-BeT here is the anatomy's, and the shared transformer of the three baselines has VQ-BeT's
    /// width, heads, depth, steps, batch, learning rate and warm-up, in every profile.
    func testVQBeTAndTheSharedBudgetMatchTheAnatomy() throws {
        for profile in Profile.allCases {
            let (c, _) = try configure(MultiRouteBaselines(), "experiments/architectures/multi-route-baselines.toml", profile)
            let (a, _) = try configure(VQBeTAnatomy(), "experiments/architectures/vq-bet-anatomy.toml", profile)
            XCTAssertEqual(c.tokenizer, a.tokenizer, "\(profile)")
            XCTAssertEqual(c.vqbet, a.policy, "\(profile)")
            XCTAssertEqual(c.trainDemos, a.trainDemos, "\(profile)")
            XCTAssertEqual(c.episodes, a.episodes, "\(profile)")
            let m = c.model, v = c.vqbet
            XCTAssertEqual([m.dModel, m.heads, m.layers, m.trainingSteps, m.batchSize, m.warmupSteps],
                           [v.dModel, v.heads, v.blocks, v.trainSteps, v.batchSize, v.warmupSteps], "\(profile)")
            XCTAssertEqual(Double(m.learningRate), v.learningRate, accuracy: 1e-9)
            // The earlier recipe is the anatomy's too, and keeps the shared budget equal to VQ-BeT's.
            let e = try XCTUnwrap(c.earlier, "\(profile)")
            XCTAssertEqual(e.vqbet, a.earlier, "\(profile)")
            XCTAssertEqual(e.model.trainingSteps, e.vqbet.trainSteps, "\(profile)")
        }
    }

    /// The reference recipe is LeRobot's (`../shared/REFERENCES.md`): codes at temperature 0.1, the
    /// offset loss weighted 10,000 and trained at the sampled codes, binning at VQ-BeT's temperature;
    /// the earlier recipe (temperature 1, weight 1, demonstrated codes, 3,000 steps) is the ablation.
    func testTheReferenceRecipeIsTheJudgedOne() throws {
        let (c, _) = try configure(MultiRouteBaselines(), "experiments/architectures/multi-route-baselines.toml", .quick)
        XCTAssertEqual(c.vqbet.temperature, VQBeTConfig.defaults.temperature)
        XCTAssertEqual(c.vqbet.offsetWeight, VQBeTConfig.defaults.offsetWeight)
        XCTAssertEqual(c.vqbet.offsetCodes, VQBeTConfig.defaults.offsetCodes)
        XCTAssertEqual(c.vqbet.temperature, 0.1); XCTAssertEqual(c.vqbet.offsetWeight, 10_000); XCTAssertEqual(c.vqbet.offsetCodes, .sampled)
        XCTAssertEqual(c.binningTemperature, c.vqbet.temperature)
        let e = try XCTUnwrap(c.earlier)
        XCTAssertEqual([e.vqbet.temperature, e.vqbet.offsetWeight, Double(e.vqbet.trainSteps), e.binningTemperature], [1, 1, 3000, 1])
        XCTAssertEqual(e.vqbet.offsetCodes, .demonstrated)
        // Everything else is the reference's.
        var same = e.vqbet
        same.temperature = c.vqbet.temperature; same.offsetWeight = c.vqbet.offsetWeight; same.offsetCodes = c.vqbet.offsetCodes; same.trainSteps = c.vqbet.trainSteps
        XCTAssertEqual(same, c.vqbet)
    }

    func report(_ success: Double, _ routes: [Double]) -> Rollout.Report {
        Rollout.Report(episodes: 100, successRate: success, routeShares: routes, meanCollisions: 0)
    }

    /// Results where VQ-BeT and flow keep the demonstrations' routes, binning less often succeeds
    /// and the regression averages into the block; and the reverse.
    func seeds(_ success: [MultiRouteBaselines.Contender: Double], flowRoutes: [Double],
               earlier: [MultiRouteBaselines.Contender: Double]? = nil) -> [MultiRouteBaselines.SeedResult] {
        (0..<3).map { s in
            var r = MultiRouteBaselines.SeedResult()
            r.demonstrationRoutes = [0.3, 0.4, 0.3, 0]
            for v in MultiRouteBaselines.Contender.allCases {
                let jitter = 0.01 * Double(s)
                r.report[v] = report(min(1, success[v]! + jitter), v == .flow ? flowRoutes : [0.3, 0.4, 0.3])
                r.paths[v] = []; r.trainSeconds[v] = 0; r.cost[v] = "1 forward pass"
                r.earlierReport[v] = report(min(1, (earlier ?? success)[v]! + jitter), v == .flow ? flowRoutes : [0.3, 0.4, 0.3])
                r.earlierTrainSeconds[v] = 0
            }
            return r
        }
    }

    func verdicts(_ results: [MultiRouteBaselines.SeedResult]) throws -> [String: Verdict.Outcome] {
        let (c, file) = try configure(MultiRouteBaselines(), "experiments/architectures/multi-route-baselines.toml", .quick)
        let outcome = try MultiRouteBaselines().outcome(c, results, claims: file.claims, inputHash: "")
        var out: [String: Verdict.Outcome] = [:]
        for claim in file.claims {
            let cells = try outcome.statistic(claim.statistic, try ParameterReader(claim.select, location: claim.id))
            out[claim.id] = Verdict(claim: claim, perSeed: Verdict.reduce(cells, claim.reduce)).outcome
        }
        XCTAssertEqual(out.count, 3)
        return out
    }

    func testClaimsOnHandMadeResults() throws {
        let good = try verdicts(seeds([.vqbet: 0.9, .binning: 0.6, .regression: 0.1, .flow: 0.85], flowRoutes: [0.32, 0.38, 0.3]))
        for (id, v) in good { XCTAssertEqual(v, .supported, id) }
        // Binning better than VQ-BeT, the regression as good as the others, flow on one route only.
        let bad = try verdicts(seeds([.vqbet: 0.6, .binning: 0.9, .regression: 0.85, .flow: 0.8], flowRoutes: [0, 1, 0]))
        for (id, v) in bad { XCTAssertEqual(v, .notSupported, id) }
    }

    /// The ledger's verdicts come from the reference recipe; the earlier recipe's are decided by
    /// the same rules in the claims table, one row per claim and recipe.
    func testTheEarlierRecipeIsJudgedBesideTheReferenceNotInstead() throws {
        let results = seeds([.vqbet: 0.9, .binning: 0.6, .regression: 0.1, .flow: 0.85], flowRoutes: [0.32, 0.38, 0.3],
                            earlier: [.vqbet: 0.5, .binning: 0.9, .regression: 0.8, .flow: 0.85])
        for (id, v) in try verdicts(results) { XCTAssertEqual(v, .supported, id) }
        let (c, file) = try configure(MultiRouteBaselines(), "experiments/architectures/multi-route-baselines.toml", .quick)
        let outcome = try MultiRouteBaselines().outcome(c, results, claims: file.claims, inputHash: "")
        guard case .table(let table, _) = try XCTUnwrap(outcome.blocks.last) else { return XCTFail("the last block is the claims table") }
        XCTAssertEqual(table.rows.count, 2 * file.claims.count)
        let verdict = Dictionary(uniqueKeysWithValues: table.rows.map { ("\($0[0]) · \($0[1])", $0[5]) })
        for claim in file.claims { XCTAssertEqual(verdict["\(claim.id) · reference recipe"], Verdict.Outcome.supported.mark, claim.id) }
        XCTAssertEqual(verdict["vq-bet-beats-binning · earlier recipe (ablation)"], Verdict.Outcome.notSupported.mark)
        XCTAssertEqual(verdict["mode-averaging-fails · earlier recipe (ablation)"], Verdict.Outcome.notSupported.mark)
        XCTAssertEqual(verdict["flow-keeps-routes · earlier recipe (ablation)"], Verdict.Outcome.supported.mark)
        // The earlier recipe's success is reported under its own condition.
        let earlierVQBeT = outcome.metrics.first { $0.metric == "success_rate" && $0.condition.contains { $0.name == "recipe" } && $0.condition.contains { $0.value == "vq-bet" } }
        for (got, want) in zip(try XCTUnwrap(earlierVQBeT).perSeed, [0.5, 0.51, 0.52]) { XCTAssertEqual(got, want, accuracy: 1e-12) }
    }

    /// Total variation between route distributions, with "no route" as a fourth outcome.
    func testRouteDistance() {
        XCTAssertEqual(MultiRouteBaselines.routeDistance(report(1, [0.3, 0.4, 0.3]), demonstrations: [0.3, 0.4, 0.3, 0]), 0, accuracy: 1e-12)
        XCTAssertEqual(MultiRouteBaselines.routeDistance(report(1, [0, 1, 0]), demonstrations: [0.3, 0.4, 0.3, 0]), 0.6, accuracy: 1e-12)
        // Half the episodes never pass the block: that half is mass on "none".
        XCTAssertEqual(MultiRouteBaselines.routeDistance(report(0.5, [0.15, 0.2, 0.15]), demonstrations: [0.3, 0.4, 0.3, 0]), 0.5, accuracy: 1e-12)
    }
}
