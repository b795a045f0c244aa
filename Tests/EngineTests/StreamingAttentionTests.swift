import XCTest
@testable import Engine

/// Causal attention without stored `T × T` probabilities agrees with the stored version and with
/// finite differences, and long sequences take the streaming path.
final class StreamingAttentionTests: XCTestCase {
    /// Forward bit for bit equal to the stored version with the same query blocks (the same
    /// products and softmax); forward and backward within the stated rounding bound of the exact
    /// (Double) attention, at lengths past the blocked limit too.
    func testStreamingAgreesWithStoredAttention() {
        let rng = SeededGeneratorBox(seed: 13)
        for (t, heads, width, block) in [(5, 2, 8, 2), (33, 4, 16, 8), (69, 2, 12, 32), (129, 2, 32, 32), (200, 4, 64, 32)] {
            let qkv = Tensor.randn([2, t, 3 * width], rng: rng, requiresGrad: true)
            let upstream = Tensor.randn([2, t, width], rng: rng)
            func run(_ f: () -> Tensor) -> (out: [Float], grad: [Float]) {
                qkv.zeroGrad()
                let y = f()
                (y * upstream).sum().backward()
                return (y.scalars, qkv.grad!)
            }
            let streaming = run { Tensor.streamingCausalSelfAttention(qkv, heads: heads, block: block) }
            let what = "T = \(t), block \(block)"
            if t <= Defaults.attentionBlockLimit {
                let stored = run { Tensor.causalSelfAttention(qkv, heads: heads, block: block, streamingFrom: .max) }
                XCTAssertEqual(streaming.out.map(\.bitPattern), stored.out.map(\.bitPattern), "forward, \(what)")
            }
            let bound = AttentionBound(qkv: qkv.scalars, upstream: upstream.scalars, batch: 2, t: t, heads: heads, width: width)
            for (name, a, exact, envelope) in [("forward", streaming.out, bound.out, bound.outEnvelope),
                                               ("backward", streaming.grad, bound.grad, bound.gradEnvelope)] {
                var worst = 0.0
                for i in a.indices {
                    worst = max(worst, abs(Double(a[i]) - exact[i]) / max(bound.factor * envelope[i], .leastNormalMagnitude))
                }
                XCTAssertLessThanOrEqual(worst, 1, "\(name), \(what): error reaches \(worst) of the bound")
            }
        }
    }

    /// Finite differences, with a fresh gradient and with one the input already holds (both
    /// uses of the same input add into one gradient: the accumulating path).
    func testStreamingGradientsByFiniteDifferences() {
        let rng = SeededGeneratorBox(seed: 42)
        let qkv = Tensor.uniform([2, 11, 12], -1, 1, rng: rng, requiresGrad: true)
        for block in [1, 3, 4, 11] {
            let fresh = GradCheck.relativeError([qkv]) { Tensor.streamingCausalSelfAttention(qkv, heads: 2, block: block) }
            XCTAssertLessThanOrEqual(fresh, Defaults.gradCheckTolerance, "block \(block)")
            let twice = GradCheck.relativeError([qkv]) {
                Tensor.streamingCausalSelfAttention(qkv, heads: 2, block: block) + Tensor.streamingCausalSelfAttention(qkv, heads: 2, block: block)
            }
            XCTAssertLessThanOrEqual(twice, Defaults.gradCheckTolerance, "block \(block), accumulated")
        }
    }

    /// The default switches to streaming from ``Defaults/attentionStreamingFrom`` positions: the
    /// same values as calling it directly.
    func testLongSequencesStream() {
        let rng = SeededGeneratorBox(seed: 5)
        let t = Defaults.attentionStreamingFrom
        let qkv = Tensor.randn([1, t, 24], rng: rng)
        let viaDefault = Tape.noGrad { Tensor.causalSelfAttention(qkv, heads: 2) }
        let direct = Tape.noGrad { Tensor.streamingCausalSelfAttention(qkv, heads: 2) }
        XCTAssertEqual(viaDefault.scalars.map(\.bitPattern), direct.scalars.map(\.bitPattern))
    }
}
