import ActionData
import Foundation
import Support
import Tokenizers
import XCTest
@testable import Chapters
@testable import Experiments

/// The applications chapter's literal-command experiment: its configuration from the file, the
/// tokenizer's round trip of a held command by hand, its statistics by hand from made-up cells,
/// and refusals that name the bad key.
final class LiteralCommandsTests: XCTestCase {
    /// The smoke profile's configuration, with `overrides` merged into its parameters.
    func config(_ overrides: ParameterValue = .table([]), profile: Profile = .smoke) throws -> LiteralCommands.Config {
        let file = try ExperimentFile(root: ScratchWorkbench.repository, path: "experiments/applications/literal.toml")
        let reader = try ParameterReader(file.resolved(profile).merged(with: overrides), location: "literal.toml")
        _ = try reader.ints("seeds")
        let c = try LiteralCommands().configure(reader)
        try reader.finish()
        return c
    }

    /// The training commands are an even grid over [0, 1]; the contenders are the precision experiment's.
    func testConfigurationFollowsTheFile() throws {
        let smoke = try config()
        XCTAssertEqual(smoke.trainCommands, [0, 0.5, 1])
        XCTAssertEqual(smoke.contenders.map(\.name), ["minmax-8", "minmax-32", "minmax-256", "openvla", "fast", "beast", "vq-bet", "vq-bet-codes", "flow", "diffusion"])
        let quick = try config(profile: .quick)
        XCTAssertEqual(quick.trainCommands.count, 11)
        XCTAssertEqual(quick.trainCommands[3], 0.3, accuracy: 1e-15)
        XCTAssertEqual(quick.chunk, 8)
        XCTAssertEqual(quick.task.steps, 24)
        let precision = try ExperimentFile(root: ScratchWorkbench.repository, path: "experiments/applications/precision.toml")
        let reader = try ParameterReader(precision.resolved(.quick), location: "precision.toml")
        _ = try reader.ints("seeds")
        let p = try TargetPrecision().configure(reader)
        XCTAssertEqual(quick.contenders, p.contenders, "the same contenders with the same settings")
        XCTAssertEqual(quick.model, p.model)
        XCTAssertEqual(quick.residual, p.residual)
        XCTAssertEqual(quick.vqbet, p.vqbet)
    }

    /// Min-max binning with 8 bins over [0, 1] writes a held command as its bin's centre.
    func testRoundTripOfAHeldCommandByHand() throws {
        let tok = try TokenizerRegistry.make("minmax", parameters: ParameterReader(.table([(key: "bins", value: .int(8))]), location: "test"))
        let ramp = try ActionChunk(steps: 8, dims: 1, values: (0..<8).map { Double($0) / 7 })
        try tok.fit(try ChunkSet(chunks: [ramp]))
        // 0.3 lies in bin 2 of [0.25, 0.375): centre 0.3125. 1 lies in the last bin: centre 0.9375.
        XCTAssertEqual(try LiteralCommands.roundTrip(tok, command: 0.3, chunk: 8), 0.0125, accuracy: 1e-12)
        XCTAssertEqual(try LiteralCommands.roundTrip(tok, command: 1, chunk: 8), -0.0625, accuracy: 1e-12)
        XCTAssertEqual(try LiteralCommands.roundTrip(tok, command: 0.0625, chunk: 8), 0, accuracy: 1e-12)
    }

    /// Made-up cells for two seeds; both statistics and the cells' errors by hand.
    func testStatisticsByHand() throws {
        let c = try config()
        // Held-out commands 0.2 and 0.6; a contender's executed values miss by +e and -e; its round trip by +r and -2r.
        func cell(_ e: Double, resolution r: Double?) -> LiteralCommands.Cell {
            LiteralCommands.Cell(heldOut: [0.2, 0.6], heldOutExecuted: [0.2 + e, 0.6 - e], seenExecuted: [0, 0.5 + e, 1 - 3 * e],
                                 floor: r.map { [$0, -2 * $0] }, floorCurve: nil, finalLoss: 0, trainSeconds: 0, cost: "", dataHash: "h")
        }
        let errors: [String: Double] = ["minmax-8": 0.06, "minmax-32": 0.02, "minmax-256": 0.003, "openvla": 0.003, "fast": 0.01, "beast": 0.005,
                                        "vq-bet": 0.001, "vq-bet-codes": 0.04, "flow": 0.002, "diffusion": 0.004]
        let perSeed = [1.0, 2.0].map { factor in
            c.contenders.map { v in cell(errors[v.name]! * factor, resolution: v.isTokenized ? 0.01 : nil) }
        }
        XCTAssertEqual(perSeed[0][0].heldOutError, 0.06, accuracy: 1e-12)
        XCTAssertEqual(perSeed[0][0].resolution!, 0.015, accuracy: 1e-12)
        XCTAssertEqual(LiteralCommands.seenError(perSeed[1][0], c), (0 + 0.12 + 0.36) / 3, accuracy: 1e-12)
        // The smoke grid is 0, 0.5, 1 (spacing 0.5): executed 0.51 is within 0.025 of 0.5, 0.2 + 0.6 misses 0.2 by more than 0.5.
        let spread = LiteralCommands.Cell(heldOut: [0.2, 0.4, 0.9, 0.3], heldOutExecuted: [0.8, 0.51, 0.9, 0.3], seenExecuted: [0, 0.5, 1],
                                          floor: nil, floorCurve: nil, finalLoss: 0, trainSeconds: 0, cost: "", dataHash: "h")
        XCTAssertEqual(LiteralCommands.medianError(spread), 0.055, accuracy: 1e-12, "errors 0.6, 0.11, 0, 0")
        XCTAssertEqual(LiteralCommands.onTrainedValue(spread, c), 0.25)
        XCTAssertEqual(LiteralCommands.misses(spread, c), 0.25)
        let outcome = try LiteralCommands().outcome(c, perSeed: perSeed, inputHash: "h")
        func stat(_ name: String, _ select: [(String, ParameterValue)]) throws -> [[Double]] {
            try outcome.statistic(name, ParameterReader(.table(select.map { (key: $0.0, value: $0.1) }), location: "select"))
        }
        let ratio = try stat("resolution_ratio", [("contenders", .array([.string("minmax-8"), .string("fast")]))])
        XCTAssertEqual(ratio[0][0], 4, accuracy: 1e-9)
        XCTAssertEqual(ratio[0][1], 0.01 / 0.015, accuracy: 1e-9)
        XCTAssertEqual(ratio[1][0], 8, accuracy: 1e-9)
        let versus = try stat("error_over_resolution", [("contenders", .array([.string("flow"), .string("diffusion")])), ("versus", .string("minmax-256"))])
        XCTAssertEqual(versus[0][0], 0.002 / 0.015, accuracy: 1e-9)
        XCTAssertEqual(versus[1][1], 0.008 / 0.015, accuracy: 1e-9)
        XCTAssertThrowsError(try stat("resolution_ratio", [("contenders", .array([.string("flow")]))])) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "contenders", "flow has no tokenizer")
        }
        XCTAssertThrowsError(try stat("error_over_resolution", [("contenders", .array([.string("flow")])), ("versus", .string("diffusion"))])) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "versus", "diffusion has no resolution")
        }
        XCTAssertThrowsError(try stat("tolerance_ratio", [("contenders", .array([.string("flow")]))])) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "statistic")
        }
    }

    /// Bad settings fail before any work, naming the key.
    func testBadSettingsNameTheirKey() throws {
        func key(_ overrides: [(String, ParameterValue)]) -> String? {
            do { _ = try config(.table(overrides.map { (key: $0.0, value: $0.1) })); return nil } catch { return (error as? ConfigError)?.key }
        }
        XCTAssertEqual(key([("train_commands", .int(1))]), "train_commands")
        XCTAssertEqual(key([("held_out_commands", .int(0))]), "held_out_commands")
        XCTAssertEqual(key([("task", .table([("min_speed", .double(0.5))]))]), "task", "slower than max_speed is required")
        XCTAssertEqual(key([("tokenizers", .array([.string("rvq")]))]), "tokenizers", "the residual VQ runs as VQ-BeT")
        XCTAssertEqual(key([("policy", .table([("offsets", .bool(false))]))]), "offsets", "the experiment sets the offset head")
        XCTAssertEqual(key([("model", .table([("seed", .int(3))]))]), "seed")
    }
}
