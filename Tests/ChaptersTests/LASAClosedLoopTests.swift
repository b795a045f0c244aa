import ActionData
import Foundation
import Support
import XCTest
@testable import Chapters
@testable import Experiments

/// The applications chapter's LASA experiment: its configuration from the file, the split and
/// resampling of a shape's demonstrations by hand, its statistic and ranks by hand from made-up
/// cells, what it says without data, and refusals that name the bad key or shape.
final class LASAClosedLoopTests: XCTestCase {
    /// The configuration of `profile`, with `overrides` merged into its parameters.
    func config(_ overrides: ParameterValue = .table([]), profile: Profile = .smoke) throws -> LASAClosedLoop.Config {
        let file = try ExperimentFile(root: ScratchWorkbench.repository, path: "experiments/applications/lasa.toml")
        let reader = try ParameterReader(file.resolved(profile).merged(with: overrides), location: "lasa.toml")
        _ = try reader.ints("seeds")
        let c = try LASAClosedLoop().configure(reader)
        try reader.finish()
        return c
    }

    /// Quick measures three shapes, full all thirty; the contenders and their settings are the precision experiment's.
    func testConfigurationFollowsTheFile() throws {
        let quick = try config(profile: .quick)
        XCTAssertEqual(quick.shapes, ["Angle", "CShape", "Sine"])
        XCTAssertEqual(quick.frequency, 20)
        XCTAssertEqual(quick.trainDemos, 5)
        XCTAssertEqual(quick.chunk, 8)
        XCTAssertEqual(quick.contenders.map(\.name), ["minmax-256", "openvla", "fast", "beast", "vq-bet", "vq-bet-codes", "flow", "diffusion"])
        XCTAssertEqual(Set(try config(profile: .full).shapes), Set(LASA.shapeNames))
        let precision = try ExperimentFile(root: ScratchWorkbench.repository, path: "experiments/applications/precision.toml")
        let reader = try ParameterReader(precision.resolved(.quick), location: "precision.toml")
        _ = try reader.ints("seeds")
        let p = try TargetPrecision().configure(reader)
        for v in quick.contenders { XCTAssertEqual(p.contenders.first { $0.name == v.name }, v, "\(v.name): the precision experiment's settings") }
        XCTAssertEqual(quick.model, p.model)
        XCTAssertEqual(quick.residual, p.residual)
        XCTAssertEqual(quick.vqbet, p.vqbet)
    }

    /// A demonstration recorded at 100 Hz keeps every fifth sample at 20 Hz (within its duration); the first demonstrations train, the rest are held out.
    func testShapesAreSplitAndResampledByHand() throws {
        let c = try config(.table([(key: "train_demos", value: .int(2)), (key: "shapes", value: .array([.string("Line")]))]))
        func demo(_ shape: String, _ index: Int) -> LASADemonstration {
            let positions = (0..<21).map { k in [Double(index) + Double(k), -Double(k) * 2] }
            return LASADemonstration(shape: shape, index: index, times: (0..<21).map { Double($0) * 0.01 }, positions: positions,
                                     velocities: positions, accelerations: positions, dt: 0.01)
        }
        let demos = [demo("Line", 2), demo("Angle", 0), demo("Line", 0), demo("Line", 1)]
        let shapes = try LASAClosedLoop.shapes(c, demonstrations: demos, source: "fixture")
        XCTAssertEqual(shapes.map(\.name), ["Line"])
        XCTAssertEqual(shapes[0].train.count, 2)
        // 0.2 s at 20 Hz: round(0.2 * 20) = 4 samples, at 0, 0.05, 0.1 and 0.15 s (Resampling never extrapolates).
        XCTAssertEqual(shapes[0].train[1], [[1, 0], [6, -10], [11, -20], [16, -30]], "demonstration 1, every fifth sample")
        XCTAssertEqual(shapes[0].heldOut, [[[2, 0], [7, -10], [12, -20], [17, -30]]])
        let episodes = try LASAClosedLoop.demonstrations(shapes[0])
        XCTAssertEqual(episodes.episodes[0].actions, [[5, -10], [5, -10], [5, -10]])
        XCTAssertThrowsError(try LASAClosedLoop.shapes(c, demonstrations: demos.filter { $0.index < 2 }, source: "fixture")) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "Line", "no demonstration left to hold out")
        }
    }

    /// Made-up cells for two units; the DTW ratio and the ranks by hand, and nothing but NaN without data.
    func testStatisticByHand() throws {
        let c = try config()
        func cell(_ dtw: [Double]) -> LASAClosedLoop.Cell {
            LASAClosedLoop.Cell(rollouts: [[[0, 0], [1, 1]]], dtw: dtw, sweptArea: dtw.map { $0 * 2 }, finalLoss: 0, trainSeconds: 0, cost: "", dataHash: "h")
        }
        // Unit 0: contender i has DTW (i + 1) * 10 on both held-out demonstrations; unit 1: the reverse order, and minmax-256 ties with openvla.
        let n = c.contenders.count
        let first: [LASAClosedLoop.Cell] = (0..<n).map { i in
            let d = Double(i + 1) * 10
            return cell([d, d])
        }
        let second: [LASAClosedLoop.Cell] = (0..<n).map { i in
            let d = Double(n - i)
            return cell([d * 5, d * 15])
        }
        var rows: [[LASAClosedLoop.Cell]] = [first, second]
        rows[1][1] = cell([Double(n) * 10, Double(n) * 10])
        XCTAssertEqual(rows[1][0].meanDTW, Double(n) * 10)
        XCTAssertEqual(rows[1][0].meanSweptArea, Double(n) * 20)
        let shape = LASAClosedLoop.Shape(name: "Line", train: [[[1, 1], [0, 0]]], heldOut: [[[1, 1], [0, 0]]])
        let keys = [LASAClosedLoop.Key(seed: 1, shape: 0), LASAClosedLoop.Key(seed: 2, shape: 0)]
        let outcome = try LASAClosedLoop().outcome(c, seedCount: 2, shapes: [shape], keys: keys, perKey: rows, inputHash: "h")
        XCTAssertEqual(outcome.unitsPerSeed, 1, "one shape: a unit is a seed")
        func stat(_ select: [(String, ParameterValue)], _ o: ExperimentOutcome? = nil) throws -> [[Double]] {
            try (o ?? outcome).statistic("dtw_ratio", ParameterReader(.table(select.map { (key: $0.0, value: $0.1) }), location: "select"))
        }
        let names = c.contenders.map(\.name)
        let ratio = try stat([("contenders", .array([.string("fast"), .string("diffusion")])), ("versus", .string("minmax-256"))])
        let fast = Double(names.firstIndex(of: "fast")!), diffusion = Double(names.firstIndex(of: "diffusion")!)
        XCTAssertEqual(ratio[0][0], (fast + 1) / 1, accuracy: 1e-12)
        XCTAssertEqual(ratio[0][1], (diffusion + 1) / 1, accuracy: 1e-12)
        XCTAssertEqual(ratio[1][0], (Double(n) - fast) * 10 / (Double(n) * 10), accuracy: 1e-12)
        XCTAssertEqual(LASAClosedLoop.ranks(rows)[0], Array(1...n))
        XCTAssertEqual(LASAClosedLoop.ranks(rows)[1][0], n - 1, "tied with openvla: both take the lower rank")
        XCTAssertEqual(LASAClosedLoop.ranks(rows)[1][1], n - 1)
        XCTAssertEqual(LASAClosedLoop.ranks(rows)[1][n - 1], 1)
        XCTAssertThrowsError(try outcome.statistic("tolerance_ratio", ParameterReader(.table([]), location: "select"))) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "statistic")
        }
        // Two shapes in one seed: two units, a row each.
        let two = try LASAClosedLoop().outcome(c, seedCount: 1, shapes: [shape, shape], keys: [LASAClosedLoop.Key(seed: 1, shape: 0), LASAClosedLoop.Key(seed: 1, shape: 1)],
                                               perKey: rows, inputHash: "h")
        XCTAssertEqual(two.unitsPerSeed, 2)
        XCTAssertEqual(try stat([("contenders", .array([.string("fast")])), ("versus", .string("minmax-256"))], two).count, 2)
        let none = try LASAClosedLoop().outcome(c, seedCount: 3, shapes: [], keys: [], perKey: [], inputHash: "")
        let empty = try stat([("contenders", .array([.string("fast")])), ("versus", .string("minmax-256"))], none)
        XCTAssertEqual(empty.count, 3, "a row per seed")
        XCTAssertEqual(none.unitsPerSeed, 1)
        XCTAssertTrue(empty.allSatisfy { $0.allSatisfy(\.isNaN) }, "no data: undefined, so the claim is inconclusive")
        XCTAssertTrue(none.metrics.isEmpty)
    }

    /// Bad settings fail before any work, naming the key.
    func testBadSettingsNameTheirKey() throws {
        func key(_ overrides: [(String, ParameterValue)]) -> String? {
            do { _ = try config(.table(overrides.map { (key: $0.0, value: $0.1) })); return nil } catch { return (error as? ConfigError)?.key }
        }
        XCTAssertEqual(key([("shapes", .array([.string("Circle")]))]), "shapes")
        XCTAssertEqual(key([("shapes", .array([.string("Line"), .string("Line")]))]), "shapes")
        XCTAssertEqual(key([("frequency", .double(0))]), "frequency")
        XCTAssertEqual(key([("train_demos", .int(0))]), "train_demos")
        XCTAssertEqual(key([("figure_shapes", .int(-1))]), "figure_shapes")
        XCTAssertEqual(key([("model", .table([("seed", .int(3))]))]), "seed")
    }
}
