import ActionData
import Engine
import Support
import Tokenizers
import XCTest
@testable import Policies

/// VQ-BeT: the chosen offsets, input validation, and a small bimodal task on which the
/// policy must learn both modes (sampling) and be deterministic for a seed.
final class VQBeTTests: XCTestCase {
    func testChosenOffsetsEqualTheWholeHeadGatheredAndTrainOnlyTheChosenBlocks() {
        // R = 2 rows of 4 features, N = 2 layers, K = 3 codes, W·D = 2: 12 output blocks of 2.
        let rng = SeededGeneratorBox(seed: 3)
        let head = Linear(4, 2 * 3 * 2, rng: rng)
        let features = Tensor.uniform([2, 4], -1, 1, rng: rng, requiresGrad: true)
        let codes = [[2, 0], [1, 1]]
        let out = VQBeTPolicy.chosenOffsets(features, head: head, codes: codes, rows: [0, 1], layers: 2, codebookSize: 3)
        // Oracle: the whole head, then row r's blocks l·K + c summed over layers.
        let full = Tape.noGrad { head(features) }.scalars
        for (r, c) in codes.enumerated() {
            for j in 0..<2 {
                let expected = full[r * 12 + (0 * 3 + c[0]) * 2 + j] + full[r * 12 + (1 * 3 + c[1]) * 2 + j]
                XCTAssertEqual(out.scalars[r * 2 + j], expected, accuracy: 1e-5, "row \(r) output \(j)")
            }
        }
        out.sum().backward()
        // Only the chosen blocks' bias entries receive gradient: blocks 2, 3 (row 0) and 1, 4 (row 1).
        let chosen: Set<Int> = [2, 3, 1, 4]
        for o in 0..<12 { XCTAssertEqual(head.bias!.grad![o], chosen.contains(o / 2) ? 1 : 0, "bias \(o)") }
        // Only listed rows are computed (row 1 alone).
        let one = VQBeTPolicy.chosenOffsets(features, head: head, codes: [[1, 1]], rows: [1], layers: 2, codebookSize: 3)
        XCTAssertEqual(one.scalars, Array(out.scalars[2..<4]))
    }

    func testDemonstrationsRejectBadInputByName() {
        XCTAssertThrowsError(try Demonstrations([])) { XCTAssertTrue("\($0)".contains("at least one episode"), "\($0)") }
        XCTAssertThrowsError(try Demonstrations([.init(observations: [[0]], actions: [[0], [1]])])) { XCTAssertTrue("\($0)".contains("episode 0 has 1 observations for 2 actions"), "\($0)") }
        XCTAssertThrowsError(try Demonstrations([.init(observations: [[0], [1]], actions: [[0], [.nan]])])) { XCTAssertTrue("\($0)".contains("episode 0 step 1 holds a NaN"), "\($0)") }
        let d = try! Demonstrations([.init(observations: [[0], [1], [2]], actions: [[1], [2], [3]])])
        XCTAssertEqual(d.actionWindow(episode: 0, step: 1, window: 3), [2, 3, 0], "past the end the agent stands still")
    }

    /// From observation 0 the demonstrations move +1 or -1 (half each) and keep going that way.
    func bimodalDemos(_ n: Int, seed: UInt64) throws -> Demonstrations {
        var rng = SeededGenerator(seed: seed)
        return try Demonstrations((0..<n).map { _ in
            let dir: Double = rng.nextBool(probability: 0.5) ? 1 : -1
            var x = 0.0, obs: [[Double]] = [], acts: [[Double]] = []
            for _ in 0..<8 {
                obs.append([x]); let a = dir * (1 + 0.05 * rng.nextGaussian()); acts.append([a]); x += a
            }
            return Demonstrations.Episode(observations: obs, actions: acts)
        })
    }

    /// A small residual VQ (2 x 4 codes, windows of 2) fitted on `demos`, and a small policy configuration.
    func smallSetup(_ demos: Demonstrations, tokenizerSteps: Int, tokenizerSeed: UInt64, policySteps: Int) throws -> (ResidualVQTokenizer, VQBeTConfig) {
        let tok = try ResidualVQTokenizer(ResidualVQConfig(layers: 2, codebookSize: 4, window: 2, latentDim: 8, hidden: [16],
                                                           trainSteps: tokenizerSteps, batchSize: 64, learningRate: 3e-3, seed: tokenizerSeed))
        try tok.fit(demos.actionWindows(window: 2))
        var config = VQBeTConfig()
        config.history = 3; config.dModel = 16; config.heads = 2; config.blocks = 1
        config.trainSteps = policySteps; config.batchSize = 32; config.learningRate = 3e-3; config.warmupSteps = 10
        // These tests check sampling both modes, so codes are drawn at temperature 1 (LeRobot's 0.1
        // nearly always takes the likelier one), with the offset loss at the code losses' scale and
        // trained at the demonstrated codes (offsets trained at the policy's own draws learn the
        // average of the modes wherever the draw does not depend on the mode, as at the start).
        config.temperature = 1; config.offsetWeight = 1; config.offsetCodes = .demonstrated
        return (tok, config)
    }

    /// With sequential selection the secondary code is drawn given the primary one: a condition
    /// table that maps primary `c` to secondary `c + 1 (mod K)` decides every secondary draw,
    /// while primaries still vary; drawn independently, the pairs match only by chance.
    func testSequentialSelectionDrawsTheSecondaryCodeGivenThePrimary() throws {
        let demos = try bimodalDemos(20, seed: 5)
        var (tok, config) = try smallSetup(demos, tokenizerSteps: 60, tokenizerSeed: 6, policySteps: 0)
        let K = 4, histories = Array(repeating: [[0.0]], count: 400)
        func follows(_ codes: [[Int]]) -> Int { zip(codes[0], codes[1]).filter { ($0 + 1) % K == $1 }.count }

        let independent = try VQBeTPolicy(config, tokenizer: tok, observationDim: 1, actionDim: 1)
        try independent.train(demos)
        XCTAssertNil(independent.condition)
        var rng = SeededGenerator(seed: 3)
        XCTAssertLessThan(follows(try independent.act(histories, rng: &rng).codes), 200, "independent draws match about a quarter of the time")

        config.sequentialSelect = true
        let sequential = try VQBeTPolicy(config, tokenizer: tok, observationDim: 1, actionDim: 1)
        try sequential.train(demos)
        let table = try XCTUnwrap(sequential.condition)
        var rows = [Float](repeating: 0, count: K * K)
        for c in 0..<K { rows[sequential.conditionRow(layer: 1, earlier: 0, code: c) * K + (c + 1) % K] = 50 }
        try table.weight.assign(Tensor(shape: [K, K], scalars: rows), name: "condition.weight")
        let codes = try sequential.act(histories, rng: &rng).codes
        XCTAssertEqual(follows(codes), 400)
        XCTAssertGreaterThanOrEqual(Set(codes[0]).count, 3, "the untrained primary head is nearly uniform")
        XCTAssertEqual(sequential.parameterCount, independent.parameterCount + K * K)
    }

    /// Training conditions the secondary logits on the demonstrated primary code: a table that
    /// favours each primary code's most frequent demonstrated secondary code lowers the code loss.
    func testSequentialSelectionTrainsOnTheDemonstratedPrimaryCode() throws {
        let demos = try bimodalDemos(20, seed: 7)
        var (tok, config) = try smallSetup(demos, tokenizerSteps: 60, tokenizerSeed: 8, policySteps: 0)
        config.sequentialSelect = true
        let policy = try VQBeTPolicy(config, tokenizer: tok, observationDim: 1, actionDim: 1)
        try policy.train(demos)
        let samples = demos.samples
        let targets = try policy.windowTargets(demos, samples)
        let K = 4
        var pairs = [[Int]](repeating: [Int](repeating: 0, count: K), count: K)
        for i in samples.indices { pairs[targets.codes[0][i]][targets.codes[1][i]] += 1 }
        var rows = [Float](repeating: 0, count: K * K)
        for c in 0..<K { rows[policy.conditionRow(layer: 1, earlier: 0, code: c) * K + pairs[c].indices.max { pairs[c][$0] < pairs[c][$1] }!] = 3 }
        let obs = samples.flatMap { policy.history(demos.episodes[$0.episode].observations, endingAt: $0.step) }
        let H = config.history
        let rowsIndex = samples.indices.flatMap { i in (0..<H).map { $0 == H - 1 ? i : -1 } }
        var rng = SeededGenerator(seed: 1)
        func codeLoss() throws -> Float { try Tape.noGrad { try policy.losses(policy.hidden(obs, batch: samples.count), rows: rowsIndex, targets: targets, rng: &rng).1 } }
        let before = try codeLoss()
        try policy.condition!.weight.assign(Tensor(shape: [K, K], scalars: rows), name: "condition.weight")
        XCTAssertLessThan(try codeLoss(), before)
        // The opposite table (each primary code's least frequent secondary) raises it.
        rows = [Float](repeating: 0, count: K * K)
        for c in 0..<K { rows[policy.conditionRow(layer: 1, earlier: 0, code: c) * K + pairs[c].indices.min { pairs[c][$0] < pairs[c][$1] }!] = 3 }
        try policy.condition!.weight.assign(Tensor(shape: [K, K], scalars: rows), name: "condition.weight")
        XCTAssertGreaterThan(try codeLoss(), before)
    }

    func testLearnsBothModesAndIsDeterministic() throws {
        let demos = try bimodalDemos(40, seed: 1)
        var (tok, config) = try smallSetup(demos, tokenizerSteps: 300, tokenizerSeed: 2, policySteps: 250)
        let policy = try VQBeTPolicy(config, tokenizer: tok, observationDim: 1, actionDim: 1)
        try policy.train(demos)
        XCTAssertLessThan(policy.log.last!.loss, policy.log.first!.loss)
        // At the start both directions are sampled; further on, the history decides.
        var rng = SeededGenerator(seed: 7)
        let (_, firstMoves) = try policy.act(Array(repeating: [[0.0]], count: 200), rng: &rng)
        let up = firstMoves.filter { $0[0] > 0.5 }.count, down = firstMoves.filter { $0[0] < -0.5 }.count
        XCTAssertGreaterThan(up, 40); XCTAssertGreaterThan(down, 40)
        let (_, later) = try policy.act(Array(repeating: [[0.0], [1.0], [2.0]], count: 100), rng: &rng)
        XCTAssertGreaterThan(later.filter { $0[0] > 0.5 }.count, 90, "after moving up, keep moving up")
        XCTAssertEqual(later[0].count, 2, "a window of 2 one-dimensional actions")
        // Greedy acting is reproducible, and so is training.
        var r1 = SeededGenerator(seed: 1), r2 = SeededGenerator(seed: 2)
        XCTAssertEqual(try policy.act([[[0], [1]]], temperature: 0, rng: &r1).windows, try policy.act([[[0], [1]]], temperature: 0, rng: &r2).windows)
        let twin = try VQBeTPolicy(config, tokenizer: tok, observationDim: 1, actionDim: 1)
        try twin.train(demos)
        XCTAssertEqual(twin.parameters.map(\.scalars), policy.parameters.map(\.scalars))
        XCTAssertLessThan(try policy.actionError(demos), 1.0)
        // Without offsets the policy still acts; the code head is the same kind of model.
        config.offsets = false
        let plain = try VQBeTPolicy(config, tokenizer: tok, observationDim: 1, actionDim: 1)
        try plain.train(demos)
        XCTAssertEqual(plain.log.last!.offset, 0)
    }

    /// The held-out measures against a hand count: each window acted out alone at temperature 0,
    /// its codes compared with the tokenizer's codes of the demonstrated window encoded alone.
    func testHeldOutCodeAccuracyAndActionErrorMatchAHandCount() throws {
        let demos = try bimodalDemos(30, seed: 3), test = try bimodalDemos(6, seed: 4)
        let (tok, config) = try smallSetup(demos, tokenizerSteps: 150, tokenizerSeed: 5, policySteps: 120)
        let policy = try VQBeTPolicy(config, tokenizer: tok, observationDim: 1, actionDim: 1)
        try policy.train(demos)
        var hits = [0, 0], absError = 0.0, values = 0
        var rng = SeededGenerator(seed: 9)
        for (e, t) in test.samples {
            let (codes, windows) = try policy.act([Array(test.episodes[e].observations[0...t])], temperature: 0, rng: &rng)
            let truth = test.actionWindow(episode: e, step: t, window: 2)
            let truthCodes = try tok.codes(of: ActionChunk(steps: 2, dims: 1, values: truth))
            for l in 0..<2 where codes[l][0] == truthCodes[l][0] { hits[l] += 1 }
            for j in 0..<2 { absError += abs(windows[0][j] - truth[j]) }
            values += 2
        }
        let measured = try policy.heldOut(test)
        XCTAssertEqual(measured.windows, test.samples.count)
        XCTAssertEqual(measured.codeAccuracy, hits.map { Double($0) / Double(test.samples.count) })
        // heldOut evaluates all windows in one batch, the loop above one at a time: sgemm sees other
        // shapes and the kernel may order its sums differently. Each product of length k ≤ 64 is
        // within γ_k ≈ 4e-6 of exact relative to its absolute envelope; chained through the
        // policy's few layers that moves an action by well under 1e-4 of the error's scale.
        XCTAssertEqual(measured.actionError, absError / Double(values), accuracy: 1e-4 * measured.actionError)
        XCTAssertEqual(try policy.actionError(test), measured.actionError)
        // The modes are easy to tell apart after the first step, so the primary code is mostly right.
        XCTAssertGreaterThan(measured.codeAccuracy[0], 0.5)
        XCTAssertThrowsError(try policy.heldOut(try Demonstrations([.init(observations: [[0, 0]], actions: [[1]])]))) {
            XCTAssertTrue("\($0)".contains("demonstrations are 2 -> 1"), "\($0)")
        }
    }
}
