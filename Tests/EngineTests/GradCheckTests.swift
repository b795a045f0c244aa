import XCTest
@testable import Engine

/// Finite-difference checks of every op, layer and loss.
///
/// Bound: relative error (see `GradCheck`) at most `Defaults.gradCheckTolerance` = 2e-3, with
/// central differences of step 1e-2 in Float32 (sums in Double). Inputs stay ≥ 0.1 away from kinks and
/// denominators ≥ 0.5 (the largest errors observed are ~7e-4, for log near 0.1 and division).
final class GradCheckTests: XCTestCase {
    let rng = SeededGeneratorBox(seed: 42)

    /// Uniform values in ±[0.1, 1.1) (away from the kinks of ReLU, |x| and L1).
    func input(_ shape: [Int]) -> Tensor {
        let t = Tensor.uniform(shape, -1, 1, rng: rng, requiresGrad: true)
        for i in 0..<t.count { t.ptr[i] = t.ptr[i] < 0 ? t.ptr[i] - 0.1 : t.ptr[i] + 0.1 }
        return t
    }

    func check(_ name: String, _ inputs: [Tensor], file: StaticString = #filePath, line: UInt = #line, _ f: () -> Tensor) {
        let err = GradCheck.relativeError(inputs, f)
        print("gradcheck \(name): \(err)")
        XCTAssertLessThanOrEqual(err, Defaults.gradCheckTolerance, "\(name): relative error \(err)", file: file, line: line)
        XCTAssertEqual(Tape.current.count, 0, "\(name): tape not released", file: file, line: line)
    }

    func testMatmul() {
        let a = input([2, 3, 4]), b = input([4, 5]), bt = input([5, 4]), c = input([2, 4, 5])
        check("matmul shared", [a, b]) { Tensor.matmul(a, b) }
        check("matmul shared transposed", [a, bt]) { Tensor.matmul(a, bt, transposeB: true) }
        check("matmul batched", [a, c]) { Tensor.matmul(a, c) }
        let bc = input([2, 5, 4])
        check("matmul batched transposed", [a, bc]) { Tensor.matmul(a, bc, transposeB: true) }
    }

    func testLinear() {
        let x = input([2, 3, 4]), w = input([5, 4]), b = input([5])
        check("linear", [x, w, b]) { Tensor.linear(x, weight: w, bias: b) }
        check("linear no bias", [x, w]) { Tensor.linear(x, weight: w, bias: nil) }
    }

    func testLinearBlocks() {
        // 3 input rows of width 9 (the head's hidden width ≥ 8 exercises the eight-lane loops),
        // 4 blocks of 2 outputs; row 1 is chosen twice and block 3 by two rows, so the backward
        // pass must accumulate into shared rows of the input and of the weight.
        let x = input([3, 9]), w = input([8, 9]), b = input([8])
        let rows = [1, 0, 1, 2], blocks = [3, 0, 1, 3]
        check("linear blocks", [x, w, b]) { Tensor.linearBlocks(x, weight: w, bias: b, rows: rows, blocks: blocks, width: 2) }
        check("linear blocks no bias", [x, w]) { Tensor.linearBlocks(x, weight: w, bias: nil, rows: rows, blocks: blocks, width: 2) }
        // The oracle: the whole linear map, then the chosen outputs (equal up to summation order).
        let full = Tape.noGrad { Tensor.linear(x, weight: w, bias: b) }.scalars
        let picked = Tape.noGrad { Tensor.linearBlocks(x, weight: w, bias: b, rows: rows, blocks: blocks, width: 2) }.scalars
        for (i, (r, c)) in zip(rows, blocks).enumerated() {
            for j in 0..<2 { XCTAssertEqual(picked[i * 2 + j], full[r * 8 + c * 2 + j], accuracy: 1e-5, "row \(i) output \(j)") }
        }
    }

    func testBinaryBroadcast() {
        let a = input([2, 3, 4]), b = input([3, 4]), c = input([4]), d = input([2, 3, 4])
        check("add", [a, b]) { a + b }
        check("sub", [a, c]) { a - c }
        check("sub reversed", [c, a]) { c - a }
        check("mul", [a, d]) { a * d }
        let den = (input([3, 4]).apply(.abs) + 0.5).detached(), den3 = (input([2, 3, 4]).apply(.abs) + 0.5).detached()
        den.requiresGrad = true; den3.requiresGrad = true
        check("div", [a, den]) { a / den }
        check("div reversed", [c, den3]) { c / den3 }
        check("affine", [a]) { a * 1.5 + 0.3 }
        check("neg", [a]) { -a }
        // Same shapes: a fresh gradient is written, a second use accumulates (also x op x).
        check("x + x", [a]) { a + a }
        check("x - x", [a, d]) { (a - a) + d }
        check("x · x", [a]) { a * a }
        check("x / x", [den3]) { den3 / den3 }
        check("reused operands", [a, d]) { (a - d) * (a + d) + d / (a.apply(.abs) + 0.5) }
    }

    func testPointwise() {
        let x = input([3, 5])
        for f: Tensor.Pointwise in [.relu, .gelu, .silu, .tanh, .sigmoid, .exp, .square, .abs] {
            check("\(f)", [x]) { x.apply(f) }
        }
        let pos = input([3, 5]).apply(.abs).detached()
        pos.requiresGrad = true
        check("log", [pos]) { pos.apply(.log) }
    }

    func testDropout() {
        let x = input([4, 6])
        // Same seed for every evaluation, so the mask is fixed across the finite differences.
        check("dropout", [x]) { x.dropout(0.3, rng: SeededGeneratorBox(seed: 5)) }
    }

    func testReductionsAndSoftmax() {
        let x = input([2, 3, 5])
        check("sum", [x]) { x.sum() }
        check("mean", [x]) { x.mean() }
        check("sumLastAxis", [x]) { x.sumLastAxis() }
        check("softmax", [x]) { x.softmax() }
        check("logSoftmax", [x]) { x.logSoftmax() }
    }

    func testShapeOps() {
        let x = input([2, 3, 4]), y = input([2, 2, 4]), table = input([6, 3])
        check("reshape", [x]) { x.reshaped([6, -1]) * x.reshaped([6, 4]) }
        check("transpose", [x]) { x.transposedLast2() }
        check("concat", [x, y]) { Tensor.concat([x, y], axis: 1) }
        check("slice", [x]) { x.slice(axis: 1, 1..<3) }
        check("gather", [table]) { Tensor.gather(table, indices: [0, 2, 2, 5], indexShape: [2, 2]) }
    }

    func testLayerNorm() {
        let x = input([2, 3, 6]), w = input([6]), b = input([6])
        check("layerNorm", [x, w, b]) { Tensor.layerNorm(x, weight: w, bias: b) }
    }

    func testAttention() {
        let qkv = input([2, 5, 12])
        check("causal attention", [qkv]) { Tensor.causalSelfAttention(qkv, heads: 2) }
    }

    /// A longer sequence (69 positions, an odd length past the sgemm kernels' unrolling), checked
    /// by finite differences and, forward, against the KV cache's independent attention.
    func testAttentionOnALongerSequence() {
        let t = 69
        let qkv = input([1, t, 12])
        check("causal attention, \(t) positions", [qkv]) { Tensor.causalSelfAttention(qkv, heads: 2) }
        // Forward oracle: the KV cache's own attention code (incremental decoding), fed all positions at once.
        let cache = KVCache(batch: 1, heads: 2, capacity: t, headDim: 2)
        let reference = Tape.noGrad { cache.attend(qkv) }
        let blocked = Tape.noGrad { Tensor.causalSelfAttention(qkv, heads: 2) }
        XCTAssertEqual(blocked.shape, reference.shape)
        for (a, r) in zip(blocked.scalars, reference.scalars) { XCTAssertEqual(a, r, accuracy: 1e-5) }
    }

    func testPrefixAttention() {
        let qkv = input([2, 6, 12])
        for prefix in [0, 2, 6] {
            check("prefix attention, prefix \(prefix)", [qkv]) { Tensor.prefixSelfAttention(qkv, heads: 2, prefix: prefix) }
        }
        let x = input([2, 5, 8])
        let block = TransformerBlock(dModel: 8, heads: 2, mlpRatio: 2, std: 0.3, rng: rng)
        check("transformer block, prefix mask", [x] + block.parameters) { block(x, mask: .prefix(2)) }
    }

    /// Forward oracle: attention written out in Double, one (batch, head, query) at a time; and the
    /// prefix's outputs do not move when only the action positions change.
    func testPrefixAttentionAgainstANaiveReference() {
        let b = 2, t = 7, heads = 2, c = 8, hd = c / heads, prefix = 3
        let qkv = input([b, t, 3 * c])
        let out = Tape.noGrad { Tensor.prefixSelfAttention(qkv, heads: heads, prefix: prefix) }
        let v = qkv.scalars
        func at(_ bi: Int, _ i: Int, _ part: Int, _ h: Int, _ d: Int) -> Double { Double(v[(bi * t + i) * 3 * c + part * c + h * hd + d]) }
        for bi in 0..<b { for h in 0..<heads { for i in 0..<t {
            let keys = i < prefix ? prefix : t
            let scores = (0..<keys).map { j in (0..<hd).reduce(0.0) { $0 + at(bi, i, 0, h, $1) * at(bi, j, 1, h, $1) } / Double(hd).squareRoot() }
            let m = scores.max()!, e = scores.map { exp($0 - m) }, z = e.reduce(0, +)
            for d in 0..<hd {
                let expected = (0..<keys).reduce(0.0) { $0 + e[$1] / z * at(bi, $1, 2, h, d) }
                XCTAssertEqual(Double(out[bi, i, h * hd + d]), expected, accuracy: 1e-5)
            }
        } } }
        let moved = qkv.detached()
        for i in (prefix * 3 * c)..<(t * 3 * c) { moved.ptr[i] += 0.5 }
        let again = Tape.noGrad { Tensor.prefixSelfAttention(moved, heads: heads, prefix: prefix) }
        for bi in 0..<b { for i in 0..<prefix { for j in 0..<c { XCTAssertEqual(again[bi, i, j], out[bi, i, j]) } } }
    }

    func testLosses() {
        let logits = input([2, 3, 5]), pred = input([3, 4]), target = input([3, 4])
        let targets = [0, 4, 2, 1, 3, 3], mask = [true, false, true, true, true, false]
        check("cross-entropy", [logits]) { Loss.crossEntropy(logits, targets: targets, mask: mask) }
        check("focal γ=2", [logits]) { Loss.focal(logits, targets: targets, mask: mask, gamma: 2) }
        check("focal γ=0.5", [logits]) { Loss.focal(logits, targets: targets, gamma: 0.5) }
        check("mse", [pred, target]) { Loss.mse(pred, target) }
        check("l1", [pred, target]) { Loss.l1(pred, target) }
    }

    func testLayers() {
        let x = input([2, 4, 8])
        let mlp = MLP([8, 6, 3], activation: .silu, rng: rng)
        check("MLP", [x] + mlp.parameters) { mlp(x) }
        let attn = SelfAttention(dModel: 8, heads: 2, std: 0.3, rng: rng)
        check("attention layer", [x] + attn.parameters) { attn(x) }
        let block = TransformerBlock(dModel: 8, heads: 2, mlpRatio: 2, std: 0.3, rng: rng)
        check("transformer block", [x] + block.parameters) { block(x) }
        let emb = Embedding(5, 8, std: 0.5, rng: rng)
        check("embedding", emb.parameters) { emb([1, 4, 4, 0], shape: [2, 2]) }
    }

    func testGPTLoss() throws {
        let gpt = GPT(GPTConfig(vocabSize: 7, contextLength: 8, dModel: 8, heads: 2, layers: 1, mlpRatio: 2, conditionDim: 2), seed: 3)
        // O(1) weights: with the init's 0.02 the LayerNorm inputs are so small that a step of 1e-2
        // is far outside the linear regime.
        for (name, p) in gpt.namedParameters() {
            for i in 0..<p.count { p.ptr[i] = (name.contains("ln") && name.hasSuffix("weight") ? 1 : 0) + Float(rng.gen.nextUniform(-0.5, 0.5)) }
        }
        let cond = Tensor.uniform([2, 2, 2], -1, 1, rng: rng)
        let tokens = [1, 2, 3, 4, 5, 6], targets = [2, 3, 4, 5, 6, 0]
        check("GPT loss", gpt.parameters) { try! gpt.loss(tokens: tokens, targets: targets, batch: 2, condition: cond) }
    }
}
