import Foundation
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
        }
    }

    func report(_ success: Double, _ routes: [Double]) -> Rollout.Report {
        Rollout.Report(episodes: 100, successRate: success, routeShares: routes, meanCollisions: 0)
    }

    /// Results where VQ-BeT and flow keep the demonstrations' routes, binning less often succeeds
    /// and the regression averages into the block; and the reverse.
    func seeds(_ success: [MultiRouteBaselines.Contender: Double], flowRoutes: [Double]) -> [MultiRouteBaselines.SeedResult] {
        (0..<3).map { s in
            var r = MultiRouteBaselines.SeedResult()
            r.demonstrationRoutes = [0.3, 0.4, 0.3, 0]
            for v in MultiRouteBaselines.Contender.allCases {
                let jitter = 0.01 * Double(s)
                r.report[v] = report(min(1, success[v]! + jitter), v == .flow ? flowRoutes : [0.3, 0.4, 0.3])
                r.paths[v] = []; r.trainSeconds[v] = 0; r.cost[v] = "1 forward pass"
            }
            return r
        }
    }

    func verdicts(_ results: [MultiRouteBaselines.SeedResult]) throws -> [String: Verdict.Outcome] {
        let (c, file) = try configure(MultiRouteBaselines(), "experiments/architectures/multi-route-baselines.toml", .quick)
        let outcome = MultiRouteBaselines().outcome(c, results, inputHash: "")
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

    /// Total variation between route distributions, with "no route" as a fourth outcome.
    func testRouteDistance() {
        XCTAssertEqual(MultiRouteBaselines.routeDistance(report(1, [0.3, 0.4, 0.3]), demonstrations: [0.3, 0.4, 0.3, 0]), 0, accuracy: 1e-12)
        XCTAssertEqual(MultiRouteBaselines.routeDistance(report(1, [0, 1, 0]), demonstrations: [0.3, 0.4, 0.3, 0]), 0.6, accuracy: 1e-12)
        // Half the episodes never pass the block: that half is mass on "none".
        XCTAssertEqual(MultiRouteBaselines.routeDistance(report(0.5, [0.15, 0.2, 0.15]), demonstrations: [0.3, 0.4, 0.3, 0]), 0.5, accuracy: 1e-12)
    }
}
