import Foundation
@testable import Simulation
import Support
import XCTest
@testable import Chapters
@testable import Experiments

/// The applications chapter's precision experiment: its contenders as the file sweeps them, its
/// statistics by hand from made-up final distances, and refusals that name the bad key.
final class TargetPrecisionTests: XCTestCase {
    /// The smoke profile's configuration, with `overrides` merged into its parameters.
    func config(_ overrides: ParameterValue = .table([])) throws -> TargetPrecision.Config {
        let file = try ExperimentFile(root: ScratchWorkbench.repository, path: "experiments/applications/precision.toml")
        let reader = try ParameterReader(file.resolved(.smoke).merged(with: overrides), location: "precision.toml")
        _ = try reader.ints("seeds")
        let c = try TargetPrecision().configure(reader)
        try reader.finish()
        return c
    }

    /// A swept setting gives one contender per value, named by it; VQ-BeT comes in two variants.
    func testContendersFollowTheFile() throws {
        let c = try config()
        XCTAssertEqual(c.contenders.map(\.name), ["minmax-8", "minmax-32", "minmax-256", "openvla", "fast", "vq-bet", "vq-bet-codes", "flow", "diffusion"])
        guard case .tokenizer("minmax", let s) = c.contenders[1].kind, case .table(let t) = s else { return XCTFail("minmax-32 is min-max binning") }
        XCTAssertEqual(t.first { $0.key == "bins" }?.value, .int(32))
        XCTAssertEqual(c.contenders[6].kind, .vqbet(offsets: false))
        XCTAssertEqual(c.chunk, 8)
        XCTAssertEqual(c.tolerances, [0.1, 0.01, 0.001])
        XCTAssertFalse(try config(.table([("vqbet", .bool(false))])).contenders.contains { $0.name.hasPrefix("vq-bet") })
    }

    /// The longer-training block is the precision experiment with the claim's contenders at 20,000
    /// steps: its claim is the precision experiment's, word for word and rule for rule, and only the
    /// contenders and the training budget differ (the same task, data, episodes and seeds).
    func testTheLongerTrainingBlockKeepsTheRuleAndTheTask() throws {
        let root = ScratchWorkbench.repository
        let base = try ExperimentFile(root: root, path: "experiments/applications/precision.toml")
        let longer = try ExperimentFile(root: root, path: "experiments/applications/precision-training.toml")
        XCTAssertEqual(longer.runsIn, [.smoke, .full])
        XCTAssertEqual(longer.claims.count, 1)
        for claim in longer.claims {
            let same = try XCTUnwrap(base.claims.first { $0.id == claim.id }, claim.id)
            XCTAssertEqual("\(claim)", "\(same)", claim.id)
        }
        func configured(_ file: ExperimentFile, _ profile: Profile) throws -> (TargetPrecision.Config, [Int]) {
            let reader = try ParameterReader(file.resolved(profile), location: file.path)
            let seeds = try reader.ints("seeds")
            let c = try TargetPrecision(name: file.name).configure(reader)
            try reader.finish()
            return (c, seeds)
        }
        let (b, baseSeeds) = try configured(base, .quick), (l, longerSeeds) = try configured(longer, .full)
        XCTAssertEqual(longerSeeds, baseSeeds)
        XCTAssertEqual(l.contenders.map(\.name), ["minmax-256", "openvla", "flow", "diffusion"])
        for v in l.contenders { XCTAssertEqual(b.contenders.first { $0.name == v.name }, v, v.name) }
        XCTAssertEqual(l.task, b.task)
        XCTAssertEqual(l.tolerances, b.tolerances)
        XCTAssertEqual([l.trainDemos, l.testDemos, l.episodes], [b.trainDemos, b.testDemos, b.episodes])
        XCTAssertEqual(l.model.trainingSteps, 20_000)
        XCTAssertEqual(b.model.trainingSteps, 3_000)
        XCTAssertEqual(l.vqbet.trainSteps, b.vqbet.trainSteps, "VQ-BeT's budget, which the longer block gives the others")
    }

    /// Bad settings fail before any work, naming the key.
    func testBadSettingsNameTheirKey() throws {
        func key(_ overrides: [(String, ParameterValue)]) -> String? {
            do { _ = try config(.table(overrides.map { (key: $0.0, value: $0.1) })); return nil } catch { return (error as? ConfigError)?.key }
        }
        XCTAssertEqual(key([("sweeps", .table([("minmax", .table([("bins", .int(8))]))]))]), "minmax", "a sweep needs an array of values")
        XCTAssertEqual(key([("sweeps", .table([("minmax", .table([("bins", .array([.int(1)]))]))]))]), "bins", "one bin is refused by min-max binning")
        XCTAssertEqual(key([("sweeps", .table([("minmax", .table([("bins", .array([.int(8), .int(8)]))]))]))]), "sweeps", "two contenders named minmax-8")
        XCTAssertEqual(key([("tolerances", .array([.double(0.1)]))]), "tolerances")
        XCTAssertEqual(key([("tokenizers", .array([.string("rvq")]))]), "tokenizers", "the residual VQ runs as VQ-BeT")
        XCTAssertEqual(key([("task", .table([("max_step", .double(0))]))]), "max_step")
        XCTAssertEqual(key([("task", .table([("expert_noise", .double(1))]))]), "expert_noise")
        XCTAssertEqual(key([("policy", .table([("offsets", .bool(false))]))]), "offsets", "the experiment sets the offset head")
    }

    /// Made-up final distances for two seeds; both statistics and the table's tolerance by hand.
    func testStatisticsByHand() throws {
        let c = try config()
        // Ten episodes per cell: distances k * scale for k = 1...10, so the 80th percentile is 8.2 * scale.
        func cell(_ scale: Double, resolution: Double?) -> TargetPrecision.Cell {
            TargetPrecision.Cell(finalDistances: (1...10).map { Double($0) * scale }, resolution: resolution, standStill: resolution, finalLoss: 0, trainSeconds: 0, paths: [], cost: "", dataHash: "h")
        }
        let scales: [String: Double] = ["minmax-8": 0.01, "minmax-32": 0.004, "minmax-256": 0.001, "openvla": 0.001, "fast": 0.002,
                                        "vq-bet": 0.001, "vq-bet-codes": 0.005, "flow": 0.0001, "diffusion": 0.0002]
        let perSeed = [1.0, 2.0].map { factor in
            c.contenders.map { v in cell(scales[v.name]! * factor, resolution: v.isTokenized ? 0.01 : nil) }
        }
        XCTAssertEqual(TargetPrecision.toleranceReached(perSeed[0][0].finalDistances, level: 0.8), 0.082, accuracy: 1e-12)
        let outcome = try TargetPrecision().outcome(c, perSeed: perSeed, inputHash: "h")
        func stat(_ name: String, _ select: [(String, ParameterValue)]) throws -> [[Double]] {
            try outcome.statistic(name, ParameterReader(.table(select.map { (key: $0.0, value: $0.1) }), location: "select"))
        }
        // minmax-8, seed 1: distances 0.01...0.1; within 4 x 0.01 = 0.04: 4 of 10; within 0.0025: none.
        // minmax-256: seed 1 0.001...0.01 (within 0.0025: 2 of 10), seed 2 0.002...0.02 (1 of 10); within 0.04: all.
        let drop = try stat("resolution_drop", [("contenders", .array([.string("minmax-8"), .string("minmax-256")])), ("coarse", .double(4)), ("fine", .double(0.25))])
        XCTAssertEqual(drop[0], [0.4, 0.8])
        XCTAssertEqual(drop[1][0], 0.2, accuracy: 1e-12)
        XCTAssertEqual(drop[1][1], 0.9, accuracy: 1e-12)
        // Tolerances scale with the distances, so every ratio is the ratio of scales in both seeds.
        let ratio = try stat("tolerance_ratio", [("contenders", .array([.string("flow"), .string("diffusion")])), ("versus", .string("minmax-256"))])
        for seed in ratio {
            XCTAssertEqual(seed[0], 10, accuracy: 1e-9)
            XCTAssertEqual(seed[1], 5, accuracy: 1e-9)
        }
        XCTAssertThrowsError(try stat("resolution_drop", [("contenders", .array([.string("flow")])), ("coarse", .double(4)), ("fine", .double(0.25))])) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "contenders", "flow has no tokenizer")
        }
        XCTAssertThrowsError(try stat("resolution_drop", [("contenders", .array([.string("fast")])), ("coarse", .double(1)), ("fine", .double(2))])) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "fine")
        }
        XCTAssertThrowsError(try stat("tolerance_ratio", [("contenders", .array([.string("rvq")])), ("versus", .string("flow"))])) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "contenders")
        }
    }
}
