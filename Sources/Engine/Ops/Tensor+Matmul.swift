/// Matrix products through `cblas_sgemm`, with their backward passes.
extension Tensor {
    /// Matrix product `a · b` (or `a · bᵀ` with `transposeB`).
    ///
    /// `a` is `[..., M, K]`. A 2-D `b` (`[K, N]`, or `[N, K]` transposed) is shared by every leading
    /// index and the product is one sgemm over the flattened rows; a `b` with the same leading
    /// dimensions as `a` gives a batched product (one sgemm per batch entry).
    public static func matmul(_ a: Tensor, _ b: Tensor, transposeB: Bool = false) -> Tensor {
        precondition(a.shape.count >= 2 && b.shape.count >= 2, "matmul needs rank ≥ 2, got \(a.shape) and \(b.shape)")
        let k = a.lastDim
        let m = a.shape[a.shape.count - 2]
        let bRows = b.shape[b.shape.count - 2], bCols = b.lastDim
        let (bk, n) = transposeB ? (bCols, bRows) : (bRows, bCols)
        precondition(bk == k, "matmul inner dimensions differ: \(a.shape) · \(b.shape)\(transposeB ? "ᵀ" : "")")
        let lead = Array(a.shape.dropLast(2))
        let batch = lead.reduce(1, *)
        let shared = b.shape.count == 2
        precondition(shared || Array(b.shape.dropLast(2)) == lead, "matmul batch dimensions differ: \(a.shape) and \(b.shape)")
        let out = Tensor.empty(lead + [m, n])
        let ldb = bCols
        if shared {
            BLAS.gemm(transB: transposeB, m: batch * m, n: n, k: k, a: a.ptr, lda: k, b: b.ptr, ldb: ldb, c: out.ptr, ldc: n)
        } else {
            for i in 0..<batch {
                BLAS.gemm(transB: transposeB, m: m, n: n, k: k, a: a.ptr + i * m * k, lda: k,
                          b: b.ptr + i * k * n, ldb: ldb, c: out.ptr + i * m * n, ldc: n)
            }
        }
        return Tape.record(out, inputs: [a, b]) { out in
            let dy = out.gradStorage!.base
            let rowsA = shared ? batch * m : m
            let reps = shared ? 1 : batch
            for i in 0..<reps {
                let aOff = i * m * k, bOff = i * k * n, yOff = i * m * n
                if a.requiresGrad {
                    // da = dy · bᵀ (or dy · b when b was transposed).
                    BLAS.gemm(transB: !transposeB, m: rowsA, n: k, k: n, a: dy + yOff, lda: n,
                              b: b.ptr + bOff, ldb: ldb, beta: 1, c: a.gradPtr() + aOff, ldc: k)
                }
                if b.requiresGrad {
                    if transposeB {
                        // db = dyᵀ · a, shape [n, k].
                        BLAS.gemm(transA: true, m: n, n: k, k: rowsA, a: dy + yOff, lda: n,
                                  b: a.ptr + aOff, ldb: k, beta: 1, c: b.gradPtr() + bOff, ldc: k)
                    } else {
                        // db = aᵀ · dy, shape [k, n].
                        BLAS.gemm(transA: true, m: k, n: n, k: rowsA, a: a.ptr + aOff, lda: k,
                                  b: dy + yOff, ldb: n, beta: 1, c: b.gradPtr() + bOff, ldc: n)
                    }
                }
            }
        }
    }

    /// Affine map `x · Wᵀ + b` with PyTorch's weight layout `[out, in]`; `x` is `[..., in]`.
    public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        let k = x.lastDim, n = weight.shape[0]
        precondition(weight.shape.count == 2 && weight.shape[1] == k, "linear: input \(x.shape) does not fit weight \(weight.shape)")
        let rows = x.count / max(k, 1)
        let out = Tensor.empty(Array(x.shape.dropLast()) + [n])
        if let bias {
            precondition(bias.shape == [n], "linear: bias \(bias.shape) does not fit weight \(weight.shape)")
            Parallel.forRanges(rows, work: rows * n / 4) { rs in for r in rs { (out.ptr + r * n).update(from: bias.ptr, count: n) } }
        }
        BLAS.gemm(transB: true, m: rows, n: n, k: k, a: x.ptr, lda: k, b: weight.ptr, ldb: k,
                  beta: bias == nil ? 0 : 1, c: out.ptr, ldc: n)
        var inputs = [x, weight]
        if let bias { inputs.append(bias) }
        return Tape.record(out, inputs: inputs) { out in
            let dy = out.gradStorage!.base
            if let bias, bias.requiresGrad {
                // Column sums of dy (first, while dy is still in cache); threads take disjoint column ranges.
                let db = bias.gradPtr()
                Parallel.forRanges(n, work: rows * n) { cols in
                    Row.addColumnSums(db, dy, rows: rows, stride: n, cols: cols)
                }
            }
            if x.requiresGrad {
                let (gx, beta) = x.gradForOverwrite()
                BLAS.gemm(m: rows, n: k, k: n, a: dy, lda: n, b: weight.ptr, ldb: k, beta: beta, c: gx, ldc: k)
            }
            if weight.requiresGrad {
                let (gw, beta) = weight.gradForOverwrite()
                BLAS.gemm(transA: true, m: n, n: k, k: rows, a: dy, lda: n, b: x.ptr, ldb: k, beta: beta, c: gw, ldc: k)
            }
        }
    }
}

extension Tensor {
    /// The affine map `x · Wᵀ + b` evaluated only at chosen output blocks: row `i` of the result
    /// is outputs `blocks[i]·width ..< (blocks[i] + 1)·width` of the input row `rows[i]`; shape
    /// `[rows.count, width]`.
    ///
    /// Equal to gathering those outputs from ``linear(_:weight:bias:)`` (the same dot products,
    /// summed in another order), at a cost proportional to the outputs kept rather than to all of
    /// them: for a head with one output block per class, gathering the blocks of a few chosen
    /// classes out of many. Gradients reach only the weight and bias rows of the chosen blocks.
    public static func linearBlocks(_ x: Tensor, weight: Tensor, bias: Tensor?, rows: [Int], blocks: [Int], width: Int) -> Tensor {
        let k = x.lastDim, n = weight.shape[0], inputRows = x.count / max(k, 1)
        precondition(weight.shape.count == 2 && weight.shape[1] == k, "linearBlocks: input \(x.shape) does not fit weight \(weight.shape)")
        precondition(rows.count == blocks.count, "linearBlocks: \(rows.count) rows but \(blocks.count) blocks")
        precondition(width > 0 && n % width == 0, "linearBlocks: block width \(width) does not divide the \(n) outputs")
        precondition(bias.map { $0.shape == [n] } ?? true, "linearBlocks: bias \(bias!.shape) does not fit weight \(weight.shape)")
        for (r, b) in zip(rows, blocks) {
            precondition(r >= 0 && r < inputRows, "linearBlocks: row \(r) out of range 0..<\(inputRows)")
            precondition(b >= 0 && b < n / width, "linearBlocks: block \(b) out of range 0..<\(n / width)")
        }
        let out = Tensor.empty([rows.count, width])
        for (i, (r, b)) in zip(rows, blocks).enumerated() {
            let xr = x.ptr + r * k, y = out.ptr + i * width
            for j in 0..<width {
                let o = b * width + j
                y[j] = Row.dot(xr, weight.ptr + o * k, k) + (bias?.ptr[o] ?? 0)
            }
        }
        var inputs = [x, weight]
        if let bias { inputs.append(bias) }
        return Tape.record(out, inputs: inputs) { out in
            let dy = out.gradStorage!.base
            let gx = x.requiresGrad ? x.gradPtr() : nil
            let gw = weight.requiresGrad ? weight.gradPtr() : nil
            let gb = bias.flatMap { $0.requiresGrad ? $0.gradPtr() : nil }
            // In order of i, so every accumulation has one fixed order.
            for (i, (r, b)) in zip(rows, blocks).enumerated() {
                let xr = x.ptr + r * k
                for j in 0..<width {
                    let o = b * width + j, g = dy[i * width + j]
                    if let gb { gb[o] += g }
                    if let gx { Row.addScaled(gx + r * k, weight.ptr + o * k, g, k) }
                    if let gw { Row.addScaled(gw + o * k, xr, g, k) }
                }
            }
        }
    }
}
