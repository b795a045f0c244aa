import Foundation

/// Layer normalisation over the last axis, fused forward and backward.
extension Tensor {
    /// `(x - mean) / sqrt(var + eps) · weight + bias` over the last axis (biased variance, as PyTorch).
    public static func layerNorm(_ x: Tensor, weight: Tensor, bias: Tensor, eps: Float = Defaults.layerNormEpsilon) -> Tensor {
        let n = x.lastDim, rows = x.count / max(n, 1)
        precondition(weight.shape == [n] && bias.shape == [n], "layerNorm: input \(x.shape) does not fit weight \(weight.shape) / bias \(bias.shape)")
        let out = Tensor.empty(x.shape)
        let xhat = Storage(uninitialized: x.count)
        let rstd = Storage(uninitialized: rows)
        let w = weight.ptr, b = bias.ptr
        Parallel.forRanges(rows, work: x.count) { rs in for r in rs {
            let xr = x.ptr + r * n, h = xhat.base + r * n, y = out.ptr + r * n
            let mean = Row.sum(xr, n) / Float(n)
            let v = Row.sumSquaredDeviation(xr, mean, n)
            let rs = 1 / (v / Float(n) + eps).squareRoot()
            rstd.base[r] = rs
            for j in 0..<n { let hj = (xr[j] - mean) * rs; h[j] = hj; y[j] = hj * w[j] + b[j] }
        } }
        return Tape.record(out, inputs: [x, weight, bias]) { out in
            let dy = out.gradStorage!.base
            if weight.requiresGrad || bias.requiresGrad {
                // Column sums over rows; threads take disjoint column ranges, rows stay in order.
                let gw = weight.gradPtr(), gb = bias.gradPtr()
                Parallel.forRanges(n, work: x.count) { cols in
                    Row.addScaleShiftSums(gw, gb, dy, xhat.base, rows: rows, n: n, cols: cols)
                }
            }
            if x.requiresGrad {
                let (gx, beta) = x.gradForOverwrite()
                let add = beta != 0
                let inv = 1 / Float(n)
                Parallel.forRanges(rows, work: x.count) { rr in
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: n) { buf in
                        let dh = buf.baseAddress!
                        for r in rr {
                            let d = dy + r * n, h = xhat.base + r * n, g = gx + r * n
                            for j in 0..<n { dh[j] = d[j] * w[j] }
                            let s1 = Row.sum(dh, n), s2 = Row.dot(dh, h, n)
                            let rs = rstd.base[r]
                            for j in 0..<n { put(g, j, rs * (dh[j] - inv * (s1 + h[j] * s2)), add) }
                        }
                    }
                }
            }
        }
    }
}
