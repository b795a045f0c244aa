import XCTest
@testable import Engine

/// The engine's FLOP counter (``BLAS/flops``) against products counted by hand.
///
/// Conventions the hand count follows: a matrix product of `m × k` by `k × n` is `2·m·n·k`; a linear
/// layer's backward computes the weight's gradient always and the input's only when the input needs
/// one (a condition tensor does not); an attention region counts its full `t × t` score and value
/// products per batch row and head (`4·t²·d` forward, `8·t²·d` backward when the probabilities
/// are stored), causal or not. Counts depend only on shapes, so the comparison is exact.
final class FLOPCounterTests: XCTestCase {
    /// One teacher-forced loss and its backward pass through a small GPT with a condition prefix.
    func testSmallGPTForwardAndBackward() throws {
        let (b, p, t, c, h, v, q, layers) = (3, 2, 5, 16, 2, 11, 3, 2)
        let gpt = GPT(GPTConfig(vocabSize: v, contextLength: p + t, dModel: c, heads: h, layers: layers, conditionDim: q), seed: 7)
        let tokens = (0..<(b * t)).map { $0 % v }, targets = (0..<(b * t)).map { ($0 + 1) % v }
        let condition = Tensor(shape: [b, p, q], scalars: (0..<(b * p * q)).map { Float($0 % 5) * 0.1 })

        let f0 = BLAS.flops
        let loss = try gpt.loss(tokens: tokens, targets: targets, batch: b, condition: condition)
        let forward = BLAS.flops - f0
        loss.backward()
        let total = BLAS.flops - f0

        let n = p + t, rows = Double(b * n), C = Double(c)
        // Per block: qkv (C → 3C), projection (C → C), MLP (C → 4C → C): 12·C² multiply-adds per row;
        // attention: 4·n²·(C/h) per batch row and head.
        let blockForward = 2 * rows * 12 * C * C + 4 * Double(b * h) * Double(n * n) * (C / Double(h))
        let condForward = 2 * Double(b * p) * Double(q) * C
        let headForward = 2 * Double(b * t) * C * Double(v)      // the head sees the token positions only
        let expectedForward = condForward + Double(layers) * blockForward + headForward
        XCTAssertEqual(forward, expectedForward, "forward")

        // Backward: every block linear twice (input and weight gradients), attention 8·n²·(C/h) per pair,
        // the head twice, the condition projection's weight only.
        let blockBackward = 2 * (2 * rows * 12 * C * C) + 8 * Double(b * h) * Double(n * n) * (C / Double(h))
        let expectedBackward = condForward + Double(layers) * blockBackward + 2 * headForward
        XCTAssertEqual(total - forward, expectedBackward, "backward")
    }

    /// A multilayer perceptron on an input without a gradient: the first layer's input gradient is skipped.
    func testMLPForwardAndBackward() {
        let (rows, a, hidden, out) = (7, 5, 9, 4)
        let mlp = MLP([a, hidden, out], activation: .relu, rng: SeededGeneratorBox(seed: 3))
        let x = Tensor(shape: [rows, a], scalars: (0..<(rows * a)).map { Float($0 % 7) * 0.1 - 0.3 })
        let f0 = BLAS.flops
        let y = mlp(x)
        XCTAssertEqual(BLAS.flops - f0, 2 * Double(rows) * Double(a * hidden + hidden * out))
        (y * y).sum().backward()
        XCTAssertEqual(BLAS.flops - f0, 2 * Double(rows) * Double(a * hidden + hidden * out)      // forward
                                         + 2 * 2 * Double(rows * hidden * out)                  // last layer: input and weight
                                         + 2 * Double(rows * a * hidden))                       // first layer: weight only
    }
}
