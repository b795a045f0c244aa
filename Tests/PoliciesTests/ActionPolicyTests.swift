import ActionData
import Engine
import Support
import Tokenizers
import XCTest
@testable import Policies

/// The policy protocol: VQ-BeT through it, and a tokenizer with the token policy as a policy.
final class ActionPolicyTests: XCTestCase {
    /// Three observation classes `o` in {-1, 0, 1}; episode of 4 steps, observation `(o, t / 4)`,
    /// action `o (t + 1) / 4`: each observation fixes its window of the next 4 actions.
    func rampDemos() throws -> Demonstrations {
        try Demonstrations([-1.0, 0, 1].map { o in
            Demonstrations.Episode(observations: (0..<4).map { [o, Double($0) / 4] }, actions: (0..<4).map { [o * Double($0 + 1) / 4] })
        })
    }

    /// The token policy tests' tiny model, trained for 400 steps.
    static var tinyModel: TokenPolicyConfig {
        var c = TokenPolicyTests.tiny
        c.trainingSteps = 400
        return c
    }

    func testTokenizedPolicyLearnsTheMappingAndReturnsTheTokenizersDecodingOfTheDemonstratedWindow() throws {
        let demos = try rampDemos()
        var config = TokenizedPolicyConfig()
        config.window = 4; config.model = Self.tinyModel; config.seed = 3
        let tok = MinMaxBinning(BinningConfig(bins: 32))
        let policy = try TokenizedPolicy(config, tokenizer: tok, observationDim: 2, actionDim: 1)
        var rng = SeededGenerator(seed: 1)
        XCTAssertThrowsError(try policy.act(history: [[1, 0]], rng: &rng), "acting before training")
        var reports: [TrainingProgress] = []
        try policy.train(demos) { reports.append($0) }
        XCTAssertTrue(tok.isFitted, "training fits the tokenizer on the action windows")
        XCTAssertEqual(reports.map(\.step), [100, 200, 300, 400])
        XCTAssertEqual(Set(reports.map(\.phase)), ["policy"])
        XCTAssertEqual(policy.chunkLength, 4)
        XCTAssertEqual(policy.costPerChunk, .tokens(4), "one token per step of a one-dimensional window")
        // Every demonstrated observation gives back exactly the tokenizer's reconstruction of its
        // window (the model wrote the demonstrated tokens), within half a bin of the true actions.
        let halfBin = 2.0 / 32 / 2
        for e in 0..<3 {
            for t in 0..<4 {
                let truth = try ActionChunk(steps: 4, dims: 1, values: demos.actionWindow(episode: e, step: t, window: 4))
                let chunk = try policy.act(history: Array(demos.episodes[e].observations[0...t]), rng: &rng)
                XCTAssertEqual(chunk, try tok.roundTrip(truth), "episode \(e) step \(t)")
                for (a, b) in zip(chunk.values, truth.values) { XCTAssertEqual(a, b, accuracy: halfBin + 1e-12) }
            }
        }
        // Greedy decoding draws nothing from the caller's stream.
        var a = SeededGenerator(seed: 9), b = SeededGenerator(seed: 9)
        _ = try policy.act(history: [[1, 0]], rng: &a)
        XCTAssertEqual(a.next(), b.next())
    }

    func testTokenizedPolicyRejectsBadSettingsByName() {
        var c = TokenizedPolicyConfig()
        c.window = 0
        XCTAssertThrowsError(try c.validate()) { XCTAssertEqual(($0 as? ConfigError)?.key, "window") }
        c = TokenizedPolicyConfig(); c.decoding = .temperature(-1)
        XCTAssertThrowsError(try c.validate()) { XCTAssertEqual(($0 as? ConfigError)?.key, "decoding") }
        c = TokenizedPolicyConfig(); c.history = 0
        XCTAssertThrowsError(try TokenizedPolicy(c, tokenizer: MinMaxBinning(BinningConfig()), observationDim: 1, actionDim: 1)) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "history")
        }
    }

    func testVQBeTActsThroughTheProtocolAsThroughItsBatchedCall() throws {
        let demos = try rampDemos()
        let tok = try ResidualVQTokenizer(ResidualVQConfig(layers: 2, codebookSize: 4, window: 2, latentDim: 8, hidden: [16], trainSteps: 30, batchSize: 16, seed: 2))
        var tokReports: [TrainingProgress] = []
        tok.progress = { tokReports.append($0) }
        try tok.fit(demos.actionWindows(window: 2))
        XCTAssertEqual(tokReports.first?.phase, "rvq")
        XCTAssertEqual(tokReports.last?.step, 30)
        XCTAssertEqual(tokReports.first?.terms.map(\.name), ["L1"])
        var config = VQBeTConfig()
        config.history = 2; config.dModel = 16; config.heads = 2; config.blocks = 1; config.trainSteps = 20; config.batchSize = 8; config.warmupSteps = 2
        let vqbet = try VQBeTPolicy(config, tokenizer: tok, observationDim: 2, actionDim: 1)
        let policy: any ActionPolicy = vqbet
        var reports: [TrainingProgress] = []
        try policy.train(demos) { reports.append($0) }
        XCTAssertEqual(reports.last?.step, 20)
        XCTAssertEqual(reports.last?.eta, 0)
        XCTAssertEqual(reports.last?.terms.map(\.name), ["codes", "offsets"])
        XCTAssertEqual(reports.map(\.loss), vqbet.log.map { $0.loss }, "the reported losses are the logged ones")
        XCTAssertEqual(policy.chunkLength, 2)
        XCTAssertEqual(policy.costPerChunk, .forwardPasses(1))
        // Same stream, same draws: the protocol's chunk is the batched call's window.
        let history = Array(demos.episodes[2].observations[0...1])
        var r1 = SeededGenerator(seed: 4), r2 = SeededGenerator(seed: 4)
        let chunk = try policy.act(history: history, rng: &r1)
        XCTAssertEqual(chunk.steps, 2); XCTAssertEqual(chunk.dims, 1)
        XCTAssertEqual(chunk.values, try vqbet.act([history], rng: &r2).windows[0])
        XCTAssertEqual(r1.next(), r2.next())
    }
}
