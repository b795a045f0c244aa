import Foundation

/// Fused multi-head bidirectional self-attention with an optional self-contained prefix.
extension Tensor {
    /// Non-causal attention: `qkv` is `[B, T, 3C]` as for ``causalSelfAttention(_:heads:block:)``;
    /// returns `[B, T, C]`.
    ///
    /// The first `prefix` positions (the condition, in pi0's layout) attend only to each other;
    /// every later position (the action tokens) attends to all `T` positions, so the prefix's
    /// values never depend on the actions while each action sees the whole sequence. `prefix = 0`
    /// is plain bidirectional attention. Per batch entry and head: `S = Q·Kᵀ/√d` as one sgemm, a
    /// row softmax over each row's visible keys (masked entries are exact zeros), then `P·V`; the
    /// backward pass is four sgemm calls and the softmax's row-wise rule, as in the causal op.
    public static func prefixSelfAttention(_ qkv: Tensor, heads: Int, prefix: Int = 0) -> Tensor {
        precondition(qkv.shape.count == 3 && qkv.lastDim % (3 * heads) == 0, "attention: qkv \(qkv.shape) must be [B, T, 3·C] with C divisible by \(heads) heads")
        let bsz = qkv.shape[0], t = qkv.shape[1], c3 = qkv.lastDim, c = c3 / 3, hd = c / heads
        precondition(prefix >= 0 && prefix <= t, "attention: prefix \(prefix) must lie in 0...\(t)")
        let scale = 1 / Float(hd).squareRoot()
        let out = Tensor.empty([bsz, t, c])
        let probs = Storage(uninitialized: bsz * heads * t * t)
        let pairs = bsz * heads, work = pairs * t * t * hd
        /// Keys row `i` sees: the prefix for a prefix row, everything for the others.
        let visible = { (i: Int) -> Int in i < prefix ? prefix : t }
        let x = qkv.ptr, o = out.ptr, pb = probs.base
        BLAS.parallelRegion(pairs, work: work, flops: Double(pairs) * 4 * Double(t * t * hd)) { range, blasTime in
            for pair in range {
                let b = pair / heads, h = pair % heads
                let q = x + b * t * c3 + h * hd, k = q + c, v = q + 2 * c
                let p = pb + pair * t * t
                var t0 = BLAS.stamp()
                BLAS.local(transB: true, m: t, n: t, k: hd, alpha: scale, a: q, lda: c3, b: k, ldb: c3, c: p, ldc: t)
                blasTime += BLAS.stamp() - t0
                for i in 0..<t {
                    let row = p + i * t, n = visible(i)
                    softmaxRowInPlace(row, n)
                    for j in n..<t { row[j] = 0 }
                }
                t0 = BLAS.stamp()
                BLAS.local(m: t, n: hd, k: t, a: p, lda: t, b: v, ldb: c3, c: o + b * t * c + h * hd, ldc: c)
                blasTime += BLAS.stamp() - t0
            }
        }
        return Tape.record(out, inputs: [qkv]) { [probs] out in
            backwardPairs(qkv, out, probs: probs, heads: heads) { a, dp, blasTime in
                var t0 = BLAS.stamp()
                // dP = dO·Vᵀ; dS = P ∘ (dP − rowsum(P ∘ dP)) · scale (zero where P is masked).
                BLAS.local(transB: true, m: t, n: t, k: hd, a: a.dO, lda: c, b: a.v, ldb: c3, c: dp, ldc: t)
                blasTime += BLAS.stamp() - t0
                for i in 0..<t {
                    let pr = a.p + i * t, dr = dp + i * t, n = visible(i)
                    let dot = Row.dot(pr, dr, n)
                    for j in 0..<n { dr[j] = pr[j] * (dr[j] - dot) * scale }
                    for j in n..<t { dr[j] = 0 }
                }
                t0 = BLAS.stamp()
                // dQ = dS·K, dK = dSᵀ·Q, dV = Pᵀ·dO.
                BLAS.local(m: t, n: hd, k: t, a: dp, lda: t, b: a.k, ldb: c3, beta: a.beta, c: a.gq, ldc: c3)
                BLAS.local(transA: true, m: t, n: hd, k: t, a: dp, lda: t, b: a.q, ldb: c3, beta: a.beta, c: a.gk, ldc: c3)
                BLAS.local(transA: true, m: t, n: hd, k: t, a: a.p, lda: t, b: a.dO, ldb: c, beta: a.beta, c: a.gv, ldc: c3)
                blasTime += BLAS.stamp() - t0
            }
        }
    }
}
