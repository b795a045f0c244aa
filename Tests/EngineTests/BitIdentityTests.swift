import XCTest
@testable import Engine
import Support

/// Fast paths that must give exactly the values of the plain computation they replace.
///
/// Experiments' committed results depend on the engine's floating-point order; these paths only
/// skip exact zeros or keep running sums in registers, so their results are compared bit for bit.
final class BitIdentityTests: XCTestCase {
    func bits(_ v: [Float]) -> [UInt32] { v.map(\.bitPattern) }

    /// Causal attention in blocks of 32 positions (products stop at each block's last visible
    /// key) equals one block over the whole sequence, forward and backward, for the head widths
    /// the experiments and the benchmark use and for sequences that end in a partial block.
    ///
    /// The skipped terms are exact zeros, so the two are equal in exact arithmetic; equal bits also
    /// need sgemm to add the remaining terms in the same order, which OpenBLAS does for blocks of
    /// 32 up to 128 positions (a scan of longer ones differed past 128, which is why they run as
    /// one block), but not for every block size (blocks of 7 differ in the last bits).
    func testBlockedCausalAttentionEqualsOneBlock() {
        let rng = SeededGeneratorBox(seed: 7)
        let cases = [(5, 2, 8), (32, 2, 8), (33, 4, 16), (40, 2, 16), (64, 4, 32), (65, 4, 64), (69, 2, 12),
                     (100, 4, 64), (97, 2, 64), (127, 4, 64), (128, 2, 64), (129, 2, 32), (200, 4, 64)]
        for (t, heads, width) in cases {
            let qkv = Tensor.randn([2, t, 3 * width], rng: rng, requiresGrad: true)
            let upstream = Tensor.randn([2, t, width], rng: rng)
            func run(block: Int) -> (out: [Float], grad: [Float]) {
                qkv.zeroGrad()
                let y = Tensor.causalSelfAttention(qkv, heads: heads, block: block)
                (y * upstream).sum().backward()
                return (y.scalars, qkv.grad!)
            }
            let whole = run(block: t), blocked = run(block: Defaults.attentionBlock)
            let what = "T = \(t), head width \(width / heads)"
            XCTAssertEqual(bits(blocked.out), bits(whole.out), "forward, \(what)")
            XCTAssertEqual(bits(blocked.grad), bits(whole.grad), "backward, \(what)")
        }
    }

    /// Register-held column sums equal the plain row-by-row loop, for column ranges that start
    /// anywhere and leave every kind of tail, with sign +1 and -1.
    func testColumnSumsEqualThePlainLoop() {
        var gen = SeededGenerator(seed: 11)
        let rows = 37, stride = 203
        let x = (0..<(rows * stride)).map { _ in Float(gen.nextGaussian()) }
        let start = (0..<stride).map { _ in Float(gen.nextGaussian()) }
        for cols in [0..<203, 3..<70, 64..<128, 10..<11, 5..<5, 100..<203] {
            for sign: Float in [1, -1] {
                var plain = start, fast = start
                for r in 0..<rows { for j in cols { plain[j] += sign * x[r * stride + j] } }
                x.withUnsafeBufferPointer { xp in
                    fast.withUnsafeMutableBufferPointer { fp in
                        Row.addColumnSums(fp.baseAddress!, xp.baseAddress!, rows: rows, stride: stride, cols: cols, sign: sign)
                    }
                }
                XCTAssertEqual(bits(fast), bits(plain), "columns \(cols), sign \(sign)")
            }
        }
    }

    /// The normalisation's scale and shift gradients equal the plain loop bit for bit.
    func testScaleShiftSumsEqualThePlainLoop() {
        var gen = SeededGenerator(seed: 12)
        let rows = 29, n = 83
        let d = (0..<(rows * n)).map { _ in Float(gen.nextGaussian()) }
        let h = (0..<(rows * n)).map { _ in Float(gen.nextGaussian()) }
        for cols in [0..<83, 7..<40, 16..<32, 80..<83] {
            var pw = [Float](repeating: 0.5, count: n), pb = [Float](repeating: -0.25, count: n)
            var fw = pw, fb = pb
            for r in 0..<rows { for j in cols { pw[j] += d[r * n + j] * h[r * n + j]; pb[j] += d[r * n + j] } }
            d.withUnsafeBufferPointer { dp in h.withUnsafeBufferPointer { hp in
                fw.withUnsafeMutableBufferPointer { wp in fb.withUnsafeMutableBufferPointer { bp in
                    Row.addScaleShiftSums(wp.baseAddress!, bp.baseAddress!, dp.baseAddress!, hp.baseAddress!, rows: rows, n: n, cols: cols)
                } }
            } }
            XCTAssertEqual(bits(fw), bits(pw), "scale, columns \(cols)")
            XCTAssertEqual(bits(fb), bits(pb), "shift, columns \(cols)")
        }
    }
}
