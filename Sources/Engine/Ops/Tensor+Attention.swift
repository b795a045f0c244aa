import Foundation

/// Fused multi-head causal self-attention over packed query/key/value projections.
extension Tensor {
    /// Causal attention: `qkv` is `[B, T, 3C]` (queries, keys, values side by side, heads
    /// contiguous within each); returns `[B, T, C]`.
    ///
    /// Per batch entry and head: `S = Q·Kᵀ/√d`, a causal softmax, then `P·V`, both products and the
    /// four of the backward pass as strided sgemm calls reading `qkv` in place. Up to
    /// ``Defaults/attentionBlockLimit`` positions, rows go in blocks of `block` positions and each
    /// block's products stop at its last visible key, so most of the masked upper triangle is never
    /// computed. The skipped terms are exact zeros (masked probabilities and score gradients), and
    /// for these lengths OpenBLAS adds the remaining ones in the same order, so the values equal
    /// those of one block bit for bit (tested). Longer sequences run as one block: there the
    /// shorter products would be summed in another order and change results in the last bits.
    ///
    /// From `streamingFrom` positions on (default ``Defaults/attentionStreamingFrom``) no `T × T`
    /// probabilities are stored: see ``streamingCausalSelfAttention(_:heads:block:)``.
    public static func causalSelfAttention(_ qkv: Tensor, heads: Int, block: Int = Defaults.attentionBlock,
                                           streamingFrom: Int = Defaults.attentionStreamingFrom) -> Tensor {
        precondition(qkv.shape.count == 3 && qkv.lastDim % (3 * heads) == 0, "attention: qkv \(qkv.shape) must be [B, T, 3·C] with C divisible by \(heads) heads")
        precondition(block >= 1, "attention: block must be ≥ 1, got \(block)")
        if qkv.shape[1] >= streamingFrom { return streamingCausalSelfAttention(qkv, heads: heads, block: block) }
        let bsz = qkv.shape[0], t = qkv.shape[1], c3 = qkv.lastDim, c = c3 / 3, hd = c / heads
        let scale = 1 / Float(hd).squareRoot()
        let out = Tensor.empty([bsz, t, c])
        // Probabilities; entry (i, j) is written for j below the end of i's block (zeros past i).
        let probs = Storage(uninitialized: bsz * heads * t * t)
        let pairs = bsz * heads, work = pairs * t * t * hd
        let size = t <= Defaults.attentionBlockLimit ? block : t
        let blocks = stride(from: 0, to: t, by: size).map { $0..<min($0 + size, t) }
        let x = qkv.ptr, o = out.ptr, pb = probs.base
        BLAS.parallelRegion(pairs, work: work, flops: Double(pairs) * 4 * Double(t * t * hd)) { range, blasTime in
            for pair in range {
                let b = pair / heads, h = pair % heads
                let q = x + b * t * c3 + h * hd, k = q + c, v = q + 2 * c
                let p = pb + pair * t * t
                for rows in blocks {
                    let r0 = rows.lowerBound, r1 = rows.upperBound, m = r1 - r0
                    var t0 = BLAS.stamp()
                    BLAS.local(transB: true, m: m, n: r1, k: hd, alpha: scale, a: q + r0 * c3, lda: c3, b: k, ldb: c3, c: p + r0 * t, ldc: t)
                    blasTime += BLAS.stamp() - t0
                    for i in rows {
                        let row = p + i * t
                        softmaxRowInPlace(row, i + 1)
                        for j in (i + 1)..<max(r1, i + 1) { row[j] = 0 }
                    }
                    t0 = BLAS.stamp()
                    BLAS.local(m: m, n: hd, k: r1, a: p + r0 * t, lda: t, b: v, ldb: c3, c: o + (b * t + r0) * c + h * hd, ldc: c)
                    blasTime += BLAS.stamp() - t0
                }
            }
        }
        return Tape.record(out, inputs: [qkv]) { [probs] out in
            backwardPairs(qkv, out, probs: probs, heads: heads) { a, dp, blasTime in
                let q = a.q, k = a.k, v = a.v, gq = a.gq, gk = a.gk, gv = a.gv, p = a.p, dO = a.dO, beta = a.beta
                // dS = P ∘ (dP − rowsum(P ∘ dP)) · scale with dP = dO·Vᵀ, block by block; then
                // dQ = dS·K over each block's visible keys.
                for rows in blocks {
                    let r0 = rows.lowerBound, r1 = rows.upperBound, m = r1 - r0
                    var t0 = BLAS.stamp()
                    BLAS.local(transB: true, m: m, n: r1, k: hd, a: dO + r0 * c, lda: c, b: v, ldb: c3, c: dp + r0 * t, ldc: t)
                    blasTime += BLAS.stamp() - t0
                    for i in rows {
                        let pr = p + i * t, dr = dp + i * t
                        let dot = Row.dot(pr, dr, i + 1)
                        for j in 0...i { dr[j] = pr[j] * (dr[j] - dot) * scale }
                        for j in (i + 1)..<max(r1, i + 1) { dr[j] = 0 }
                    }
                    t0 = BLAS.stamp()
                    BLAS.local(m: m, n: hd, k: r1, a: dp + r0 * t, lda: t, b: k, ldb: c3, beta: beta, c: gq + r0 * c3, ldc: c3)
                    blasTime += BLAS.stamp() - t0
                }
                // dV = Pᵀ·dO and dK = dSᵀ·Q: key block [r0, r1) is seen by queries r0..<t only.
                for cols in blocks {
                    let r0 = cols.lowerBound, m = cols.count
                    let t0 = BLAS.stamp()
                    BLAS.local(transA: true, m: m, n: hd, k: t - r0, a: p + r0 * t + r0, lda: t, b: dO + r0 * c, ldb: c,
                               beta: beta, c: gv + r0 * c3, ldc: c3)
                    BLAS.local(transA: true, m: m, n: hd, k: t - r0, a: dp + r0 * t + r0, lda: t, b: q + r0 * c3, ldb: c3,
                               beta: beta, c: gk + r0 * c3, ldc: c3)
                    blasTime += BLAS.stamp() - t0
                }
            }
        }
    }
}

extension Tensor {
    /// Causal attention in flat memory: as ``causalSelfAttention(_:heads:block:streamingFrom:)``,
    /// but no `T × T` probabilities are kept between the passes.
    ///
    /// Per (batch, head) pair the queries go in blocks of `block` positions. The forward pass
    /// computes a block's scores over its visible keys, its causal softmax and its share of the
    /// output in a `block × T` scratch row set, then drops them. The backward pass recomputes the
    /// block's probabilities with the same products and softmax (so the same bits as the forward
    /// pass), forms the score gradients, writes the block's query gradients and adds the block's
    /// share to the key and value gradients of every key it sees, block after block in order.
    /// Memory per thread: two `block × T` buffers. The forward values equal the stored version's
    /// with the same blocks bit for bit; the key and value gradients are summed block by block
    /// rather than in one product, so they differ from it in the last bits (tested against it and
    /// by finite differences).
    public static func streamingCausalSelfAttention(_ qkv: Tensor, heads: Int, block: Int = Defaults.attentionBlock) -> Tensor {
        precondition(qkv.shape.count == 3 && qkv.lastDim % (3 * heads) == 0, "attention: qkv \(qkv.shape) must be [B, T, 3·C] with C divisible by \(heads) heads")
        precondition(block >= 1, "attention: block must be ≥ 1, got \(block)")
        let bsz = qkv.shape[0], t = qkv.shape[1], c3 = qkv.lastDim, c = c3 / 3, hd = c / heads
        let scale = 1 / Float(hd).squareRoot()
        let out = Tensor.empty([bsz, t, c])
        let pairs = bsz * heads, work = pairs * t * t * hd
        let blocks = stride(from: 0, to: t, by: block).map { $0..<min($0 + block, t) }
        let rowsPerBlock = min(block, t)

        /// The probabilities of query rows `rows` over keys `0..<rows.upperBound` into `s` (row stride `t`), zeros past each query.
        @inline(__always) func probabilities(_ q: UnsafeMutablePointer<Float>, _ k: UnsafeMutablePointer<Float>, _ rows: Range<Int>,
                                             _ s: UnsafeMutablePointer<Float>, _ blasTime: inout Double) {
            let r0 = rows.lowerBound, r1 = rows.upperBound
            let t0 = BLAS.stamp()
            BLAS.local(transB: true, m: r1 - r0, n: r1, k: hd, alpha: scale, a: q + r0 * c3, lda: c3, b: k, ldb: c3, c: s, ldc: t)
            blasTime += BLAS.stamp() - t0
            for i in rows {
                let row = s + (i - r0) * t
                softmaxRowInPlace(row, i + 1)
                for j in (i + 1)..<max(r1, i + 1) { row[j] = 0 }
            }
        }

        let x = qkv.ptr, o = out.ptr
        BLAS.parallelRegion(pairs, work: work, flops: Double(pairs) * 4 * Double(t * t * hd)) { range, blasTime in
            let s = UnsafeMutablePointer<Float>.allocate(capacity: rowsPerBlock * t)
            defer { s.deallocate() }
            for pair in range {
                let b = pair / heads, h = pair % heads
                let q = x + b * t * c3 + h * hd, k = q + c, v = q + 2 * c
                for rows in blocks {
                    let r0 = rows.lowerBound, r1 = rows.upperBound
                    probabilities(q, k, rows, s, &blasTime)
                    let t0 = BLAS.stamp()
                    BLAS.local(m: r1 - r0, n: hd, k: r1, a: s, lda: t, b: v, ldb: c3, c: o + (b * t + r0) * c + h * hd, ldc: c)
                    blasTime += BLAS.stamp() - t0
                }
            }
        }
        return Tape.record(out, inputs: [qkv]) { out in
            let dy = out.gradStorage!.base
            let (g, beta) = qkv.gradForOverwrite()
            BLAS.parallelRegion(pairs, work: work, flops: Double(pairs) * 10 * Double(t * t * hd)) { range, blasTime in
                let s = UnsafeMutablePointer<Float>.allocate(capacity: rowsPerBlock * t)
                let dp = UnsafeMutablePointer<Float>.allocate(capacity: rowsPerBlock * t)
                defer { s.deallocate(); dp.deallocate() }
                for pair in range {
                    let b = pair / heads, h = pair % heads
                    let off = b * t * c3 + h * hd
                    let q = x + off, k = q + c, v = q + 2 * c, gq = g + off, gk = gq + c, gv = gq + 2 * c
                    let dO = dy + b * t * c + h * hd
                    for rows in blocks {
                        let r0 = rows.lowerBound, r1 = rows.upperBound, m = r1 - r0
                        probabilities(q, k, rows, s, &blasTime)
                        var t0 = BLAS.stamp()
                        // dP = dO·Vᵀ over the visible keys, then dS = P ∘ (dP − rowsum(P ∘ dP)) · scale.
                        BLAS.local(transB: true, m: m, n: r1, k: hd, a: dO + r0 * c, lda: c, b: v, ldb: c3, c: dp, ldc: t)
                        blasTime += BLAS.stamp() - t0
                        for i in rows {
                            let pr = s + (i - r0) * t, dr = dp + (i - r0) * t
                            let dot = Row.dot(pr, dr, i + 1)
                            for j in 0...i { dr[j] = pr[j] * (dr[j] - dot) * scale }
                            for j in (i + 1)..<max(r1, i + 1) { dr[j] = 0 }
                        }
                        t0 = BLAS.stamp()
                        // dQ of the block's rows: written once (or added to an earlier gradient).
                        BLAS.local(m: m, n: hd, k: r1, a: dp, lda: t, b: k, ldb: c3, beta: beta, c: gq + r0 * c3, ldc: c3)
                        // dV += Pᵀ·dO and dK += dSᵀ·Q: keys before the block were first written by an
                        // earlier block (add); the block's own keys are reached here first (beta).
                        if r0 > 0 {
                            BLAS.local(transA: true, m: r0, n: hd, k: m, a: s, lda: t, b: dO + r0 * c, ldb: c, beta: 1, c: gv, ldc: c3)
                            BLAS.local(transA: true, m: r0, n: hd, k: m, a: dp, lda: t, b: q + r0 * c3, ldb: c3, beta: 1, c: gk, ldc: c3)
                        }
                        BLAS.local(transA: true, m: m, n: hd, k: m, a: s + r0, lda: t, b: dO + r0 * c, ldb: c, beta: beta, c: gv + r0 * c3, ldc: c3)
                        BLAS.local(transA: true, m: m, n: hd, k: m, a: dp + r0, lda: t, b: q + r0 * c3, ldb: c3, beta: beta, c: gk + r0 * c3, ldc: c3)
                        blasTime += BLAS.stamp() - t0
                    }
                }
            }
        }
    }
}

/// The pointers of one (batch, head) pair in an attention backward pass over packed `[B, T, 3C]`
/// projections: queries, keys, values and their gradients (row stride `3C`), the pair's `T × T`
/// probabilities, the output gradient (row stride `C`), and `beta` (0: write the gradients, 1: add).
struct AttentionPair {
    let q, k, v, gq, gk, gv, p, dO: UnsafeMutablePointer<Float>
    let beta: Float
}

extension Tensor {
    /// Runs `body` for every (batch, head) pair of an attention backward pass, in parallel, with
    /// the pair's pointers, a `T × T` scratch buffer and the BLAS time accumulator. Every slice of
    /// dq, dk, dv must be written by exactly one product of `body` (they are written, not added,
    /// when the gradient is fresh).
    static func backwardPairs(_ qkv: Tensor, _ out: Tensor, probs: Storage, heads: Int,
                              _ body: (AttentionPair, UnsafeMutablePointer<Float>, inout Double) -> Void) {
        withExtendedLifetime(probs) {}
        let bsz = qkv.shape[0], t = qkv.shape[1], c3 = qkv.lastDim, c = c3 / 3, hd = c / heads
        let pairs = bsz * heads
        let x = qkv.ptr, pb = probs.base, dy = out.gradStorage!.base
        let (g, beta) = qkv.gradForOverwrite()
        BLAS.parallelRegion(pairs, work: pairs * t * t * hd, flops: Double(pairs) * 8 * Double(t * t * hd)) { range, blasTime in
            let dp = UnsafeMutablePointer<Float>.allocate(capacity: t * t)
            defer { dp.deallocate() }
            for pair in range {
                let b = pair / heads, h = pair % heads
                let off = b * t * c3 + h * hd
                let q = x + off, gq = g + off
                body(AttentionPair(q: q, k: q + c, v: q + 2 * c, gq: gq, gk: gq + c, gv: gq + 2 * c, p: pb + pair * t * t,
                                   dO: dy + b * t * c + h * hd, beta: beta), dp, &blasTime)
            }
        }
    }
}

/// Keys and values of earlier positions for one attention layer, for incremental decoding.
public final class KVCache {
    /// Batch size, heads, capacity (positions) and head width.
    public let batch: Int, heads: Int, capacity: Int, headDim: Int
    /// Number of positions stored.
    public internal(set) var length = 0
    let keys: Storage, values: Storage

    /// An empty cache for `capacity` positions.
    public init(batch: Int, heads: Int, capacity: Int, headDim: Int) {
        self.batch = batch; self.heads = heads; self.capacity = capacity; self.headDim = headDim
        keys = Storage(count: batch * heads * capacity * headDim, value: 0)
        values = Storage(count: batch * heads * capacity * headDim, value: 0)
    }

    /// Forgets all positions.
    public func clear() { length = 0 }

    /// Appends the new positions' keys and values from `qkv` (`[B, Tn, 3C]`), then attends the new
    /// queries causally over everything stored; returns `[B, Tn, C]`. Not differentiable.
    func attend(_ qkv: Tensor) -> Tensor {
        let bsz = qkv.shape[0], tn = qkv.shape[1], c3 = qkv.lastDim, c = c3 / 3, hd = headDim
        precondition(bsz == batch && c == heads * hd, "KV cache built for batch \(batch), width \(heads * hd); got qkv \(qkv.shape)")
        precondition(length + tn <= capacity, "KV cache full: \(length) + \(tn) > \(capacity)")
        let l0 = length, total = l0 + tn
        let scale = 1 / Float(hd).squareRoot()
        let out = Tensor.empty([bsz, tn, c])
        let s = UnsafeMutablePointer<Float>.allocate(capacity: tn * total)
        defer { s.deallocate() }
        for b in 0..<bsz {
            for h in 0..<heads {
                let kc = keys.base + (b * heads + h) * capacity * hd, vc = values.base + (b * heads + h) * capacity * hd
                for i in 0..<tn {
                    let src = qkv.ptr + (b * tn + i) * c3 + h * hd
                    (kc + (l0 + i) * hd).update(from: src + c, count: hd)
                    (vc + (l0 + i) * hd).update(from: src + 2 * c, count: hd)
                }
                let q = qkv.ptr + b * tn * c3 + h * hd
                BLAS.gemm(transB: true, m: tn, n: total, k: hd, alpha: scale, a: q, lda: c3, b: kc, ldb: hd, c: s, ldc: total)
                for i in 0..<tn {
                    let row = s + i * total, visible = l0 + i + 1
                    softmaxRowInPlace(row, visible)
                    for j in visible..<max(total, visible) { row[j] = 0 }
                }
                BLAS.gemm(m: tn, n: hd, k: total, a: s, lda: total, b: vc, ldb: hd, c: out.ptr + b * tn * c + h * hd, ldc: c)
            }
        }
        length = total
        return out
    }
}
