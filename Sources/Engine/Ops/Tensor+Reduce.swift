import Foundation

/// Reductions and numerically stable (log-)softmax over the last axis.
extension Tensor {
    /// Sum of all elements, as a one-element tensor.
    public func sum() -> Tensor {
        var s: Double = 0
        for i in 0..<count { s += Double(ptr[i]) }
        let out = Tensor(shape: [1], scalars: [Float(s)])
        return Tape.record(out, inputs: [self]) { [self] out in
            let d = out.gradStorage!.base[0], g = self.gradPtr()
            for i in 0..<self.count { g[i] += d }
        }
    }

    /// Mean of all elements, as a one-element tensor.
    public func mean() -> Tensor { sum() * (1 / Float(count)) }

    /// Sum over the last axis: `[..., N]` → `[...]` (a 1-D input gives `[1]`).
    public func sumLastAxis() -> Tensor {
        let n = lastDim, rows = count / max(n, 1)
        let outShape = shape.count > 1 ? Array(shape.dropLast()) : [1]
        let out = Tensor.empty(outShape)
        for r in 0..<rows {
            var s: Float = 0
            let x = ptr + r * n
            for j in 0..<n { s += x[j] }
            out.ptr[r] = s
        }
        return Tape.record(out, inputs: [self]) { [self] out in
            let dy = out.gradStorage!.base, g = self.gradPtr()
            for r in 0..<rows { let d = dy[r]; let gr = g + r * n; for j in 0..<n { gr[j] += d } }
        }
    }

    /// Softmax over the last axis (max-subtracted).
    public func softmax() -> Tensor {
        mapRows(softmaxRow) { dy, y, g, n in
            var dot: Float = 0
            for j in 0..<n { dot += dy[j] * y[j] }
            for j in 0..<n { g[j] += y[j] * (dy[j] - dot) }
        }
    }

    /// Log-softmax over the last axis (log-sum-exp with the maximum subtracted).
    public func logSoftmax() -> Tensor {
        mapRows({ logSoftmaxRow($0, $1, $2) }) { dy, y, g, n in
            var s: Float = 0
            for j in 0..<n { s += dy[j] }
            for j in 0..<n { g[j] += dy[j] - fastExp(y[j]) * s }
        }
    }

    /// A map of every row over the last axis to a row of the same length, recorded on the tape:
    /// `forward(x, y, n)` writes output row `y` from input row `x`; `backward(dy, y, g, n)` adds to
    /// input gradient row `g` from output row `y` and its gradient `dy`.
    @inline(__always)
    private func mapRows(
        _ forward: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void,
        backward: @escaping (_ dy: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>, _ n: Int) -> Void
    ) -> Tensor {
        let n = lastDim, rows = count / max(n, 1)
        let out = Tensor.empty(shape)
        for r in 0..<rows { forward(ptr + r * n, out.ptr + r * n, n) }
        return Tape.record(out, inputs: [self]) { [self] out in
            let dy = out.gradStorage!.base, g = self.gradPtr(), y = out.ptr
            for r in 0..<rows { backward(dy + r * n, y + r * n, g + r * n, n) }
        }
    }
}

/// Writes softmax(x) of one row into y.
@inline(__always) func softmaxRow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    let m = Row.max(x, n)
    for j in 0..<n { y[j] = fastExp(x[j] - m) }
    let inv = 1 / Row.sum(y, n)
    for j in 0..<n { y[j] *= inv }
}

/// Replaces one row by its softmax (the same operations as ``softmaxRow(_:_:_:)``; one pointer,
/// so the loops vectorise without run-time aliasing checks).
@inline(__always) func softmaxRowInPlace(_ y: UnsafeMutablePointer<Float>, _ n: Int) {
    let m = Row.max(y, n)
    for j in 0..<n { y[j] = fastExp(y[j] - m) }
    let inv = 1 / Row.sum(y, n)
    for j in 0..<n { y[j] *= inv }
}

/// Writes log-softmax(x) of one row into y; returns log-sum-exp.
@inline(__always) @discardableResult
func logSoftmaxRow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) -> Float {
    let m = Row.max(x, n)
    for j in 0..<n { y[j] = fastExp(x[j] - m) }
    let lse = m + logf(Row.sum(y, n))
    for j in 0..<n { y[j] = x[j] - lse }
    return lse
}
