import Foundation

/// Training losses, each fused (forward and backward in one op) and averaged over counted items.
public enum Loss {
    /// Mean cross-entropy of `logits` (`[..., V]`) against integer `targets` (one per row).
    ///
    /// Rows whose `mask` entry is `false` are ignored (neither counted nor given gradient); the
    /// mean is over the kept rows. Equivalent to `focal(..., gamma: 0)`.
    public static func crossEntropy(_ logits: Tensor, targets: [Int], mask: [Bool]? = nil) -> Tensor {
        focal(logits, targets: targets, mask: mask, gamma: 0)
    }

    /// Mean focal loss `-(1 - p_t)^γ · log p_t` (Lin et al.); `gamma = 0` is cross-entropy.
    public static func focal(_ logits: Tensor, targets: [Int], mask: [Bool]? = nil, gamma: Float = Defaults.focalGamma) -> Tensor {
        let v = logits.lastDim, rows = logits.count / max(v, 1)
        precondition(targets.count == rows, "loss: \(rows) rows of logits \(logits.shape) but \(targets.count) targets")
        precondition(mask == nil || mask!.count == rows, "loss: mask has \(mask!.count) entries for \(rows) rows")
        let logp = Storage(uninitialized: logits.count)
        var kept = 0
        for r in 0..<rows where mask?[r] ?? true {
            precondition(targets[r] >= 0 && targets[r] < v, "target \(targets[r]) out of range 0..<\(v)")
            kept += 1
        }
        let partial = UnsafeMutablePointer<Double>.allocate(capacity: Defaults.parallelSplits)
        defer { partial.deallocate() }
        var chunks = 1
        Parallel.forChunks(rows, work: 4 * logits.count) { chunk, n, range in
            var total: Double = 0
            for r in range where mask?[r] ?? true {
                let lp = logp.base + r * v
                logSoftmaxRow(logits.ptr + r * v, lp, v)
                let l = lp[targets[r]]
                total += gamma == 0 ? Double(-l) : Double(-powf(1 - expf(l), gamma) * l)
            }
            partial[chunk] = total
            if chunk == 0 { chunks = n }
        }
        var total: Double = 0
        for i in 0..<chunks { total += partial[i] }
        let denom = Float(max(kept, 1))
        let out = Tensor(shape: [1], scalars: [Float(total) / denom])
        return Tape.record(out, inputs: [logits]) { out in
            let d = out.gradStorage!.base[0] / denom
            let (g, beta) = logits.gradForOverwrite()
            let add = beta != 0
            Parallel.forRanges(rows, work: 4 * logits.count) { range in for r in range {
                let gr = g + r * v
                guard mask?[r] ?? true else {
                    if !add { gr.update(repeating: 0, count: v) }
                    continue
                }
                let y = targets[r], lp = logp.base + r * v
                // dL/dz_j = (δ_jy − p_j) · coef, with coef = γ(1−p_t)^(γ−1) p_t log p_t − (1−p_t)^γ.
                var coef: Float = -1
                if gamma != 0 {
                    let pt = expf(lp[y]), q = 1 - pt
                    coef = (q > 0 ? gamma * powf(q, gamma - 1) * pt * lp[y] : 0) - powf(q, gamma)
                }
                let dc = d * coef
                for j in 0..<v { put(gr, j, -dc * fastExp(lp[j]), add) }
                gr[y] += dc
            } }
        }
    }

    /// Mean squared error between same-shaped tensors.
    public static func mse(_ prediction: Tensor, _ target: Tensor) -> Tensor {
        precondition(prediction.shape == target.shape, "mse: shapes \(prediction.shape) and \(target.shape) differ")
        let n = prediction.count
        var s: Double = 0
        for i in 0..<n { let d = Double(prediction.ptr[i] - target.ptr[i]); s += d * d }
        let out = Tensor(shape: [1], scalars: [Float(s / Double(n))])
        return Tape.record(out, inputs: [prediction, target]) { out in
            let d = out.gradStorage!.base[0] * 2 / Float(n)
            if prediction.requiresGrad {
                let g = prediction.gradPtr()
                for i in 0..<n { g[i] += d * (prediction.ptr[i] - target.ptr[i]) }
            }
            if target.requiresGrad {
                let g = target.gradPtr()
                for i in 0..<n { g[i] -= d * (prediction.ptr[i] - target.ptr[i]) }
            }
        }
    }

    /// Mean absolute error between same-shaped tensors (subgradient 0 at equality).
    public static func l1(_ prediction: Tensor, _ target: Tensor) -> Tensor {
        precondition(prediction.shape == target.shape, "l1: shapes \(prediction.shape) and \(target.shape) differ")
        let n = prediction.count
        var s: Double = 0
        for i in 0..<n { s += Double(abs(prediction.ptr[i] - target.ptr[i])) }
        let out = Tensor(shape: [1], scalars: [Float(s / Double(n))])
        return Tape.record(out, inputs: [prediction, target]) { out in
            let d = out.gradStorage!.base[0] / Float(n)
            for i in 0..<n {
                let diff = prediction.ptr[i] - target.ptr[i]
                let sgn: Float = diff > 0 ? 1 : (diff < 0 ? -1 : 0)
                if prediction.requiresGrad { prediction.gradPtr()[i] += d * sgn }
                if target.requiresGrad { target.gradPtr()[i] -= d * sgn }
            }
        }
    }
}
