import XCTest
import Foundation
@testable import Engine

/// Parity with PyTorch on a committed fixture (made by scripts/engine/make_parity_fixture.py).
///
/// Tolerances: loss within 1e-5 relative; every gradient and every parameter after one AdamW step
/// within 1e-4 of PyTorch's, relative to that tensor's largest magnitude (Float32 both sides,
/// different summation orders).
final class ParityTests: XCTestCase {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/gpt_parity.safetensors")

    func relDiff(_ a: [Float], _ b: [Float]) -> Float {
        let scale = max(b.map { abs($0) }.max() ?? 0, 1e-6)
        return zip(a, b).map { abs($0 - $1) }.max()! / scale
    }

    func testLossGradientsAndAdamWMatchPyTorch() throws {
        let (t, meta) = try SafeTensors.read(Self.fixture)
        func int(_ k: String) -> Int { Int(meta[k]!)! }
        func float(_ k: String) -> Float { Float(meta[k]!)! }
        let config = GPTConfig(vocabSize: int("vocab"), contextLength: int("context"), dModel: int("d_model"),
                               heads: int("heads"), layers: int("layers"), conditionDim: int("cond_dim"))
        let gpt = GPT(config, seed: 0)
        var weights: [String: Tensor] = [:]
        for (k, v) in t where k.hasPrefix("param.") { weights[String(k.dropFirst(6))] = v }
        XCTAssertEqual(Set(weights.keys), Set(gpt.namedParameters().map(\.0)), "parameter names differ from PyTorch's")
        try gpt.load(weights)

        let tokensT = t["input.tokens"]!
        let batch = tokensT.shape[0]
        let tokens = tokensT.scalars.map { Int($0) }, targets = t["input.targets"]!.scalars.map { Int($0) }
        let mask = t["input.mask"]!.scalars.map { $0 > 0.5 }
        let loss = try gpt.loss(tokens: tokens, targets: targets, batch: batch, condition: t["input.condition"]!, mask: mask)
        let expected = t["loss"]!.item
        XCTAssertEqual(loss.item, expected, accuracy: 1e-5 * abs(expected))
        loss.backward()
        for (name, p) in gpt.namedParameters() {
            let d = relDiff(p.grad!, t["grad.\(name)"]!.scalars)
            XCTAssertLessThan(d, 1e-4, "gradient of \(name) differs by \(d)")
        }
        // AdamW from PyTorch's own gradients, so elements whose true gradient is zero (e.g. key
        // biases, which softmax ignores) and whose computed one is rounding noise compare equal.
        for (name, p) in gpt.namedParameters() { p.gradStorage = t["grad.\(name)"]!.storage }
        let opt = AdamW(gpt.parameters, learningRate: float("lr"), beta1: float("beta1"), beta2: float("beta2"),
                        eps: float("eps"), weightDecay: float("weight_decay"))
        opt.step()
        for (name, p) in gpt.namedParameters() {
            let d = relDiff(p.scalars, t["after.\(name)"]!.scalars)
            XCTAssertLessThan(d, 1e-4, "\(name) after AdamW differs by \(d)")
        }
    }

    func testLoadingWrongShapeNamesTensorAndShapes() throws {
        let gpt = GPT(GPTConfig(vocabSize: 5, contextLength: 4, dModel: 4, heads: 2, layers: 1), seed: 1)
        var w = Dictionary(uniqueKeysWithValues: gpt.namedParameters())
        w["head.weight"] = Tensor.zeros([4, 4])
        XCTAssertThrowsError(try gpt.load(w)) { error in
            XCTAssertEqual(error as? EngineError, .shapeMismatch("head.weight", expected: [5, 4], got: [4, 4]))
            XCTAssertEqual("\(error)", "shape mismatch for head.weight: expected [5, 4], got [4, 4]")
        }
        w["head.weight"] = nil
        XCTAssertThrowsError(try gpt.load(w)) { XCTAssertEqual($0 as? EngineError, .missingTensor("head.weight")) }
        XCTAssertThrowsError(try gpt(tokens: [1, 2, 9], batch: 1)) { XCTAssertEqual($0 as? EngineError, .invalidArgument("token id 9 outside 0..<5")) }
        XCTAssertThrowsError(try gpt(tokens: [1, 2, 3, 4, 1], batch: 1)) {
            XCTAssertEqual($0 as? EngineError, .invalidArgument("sequence of 5 positions exceeds context 4"))
        }
        let conditioned = GPT(GPTConfig(vocabSize: 5, contextLength: 4, dModel: 4, heads: 2, layers: 1, conditionDim: 2), seed: 1)
        XCTAssertThrowsError(try conditioned(tokens: [1], batch: 1, condition: Tensor.zeros([1, 1, 3]))) {
            XCTAssertEqual($0 as? EngineError, .shapeMismatch("condition", expected: [1, -1, 2], got: [1, 1, 3]))
        }
    }
}
