import Foundation

/// Elementwise arithmetic with broadcasting over trailing dimensions, and activations.
///
/// Broadcasting rule: the smaller operand's shape must be a suffix of the larger one's (e.g. a
/// bias `[C]` against `[B, T, C]`); it is repeated over the leading dimensions, and its gradient is
/// summed over them.
extension Tensor {
    /// The four arithmetic operations.
    enum BinaryKind { case add, sub, mul, div }

    /// Applies `kind` elementwise, broadcasting the smaller operand over leading dimensions.
    static func binary(_ a: Tensor, _ b: Tensor, _ kind: BinaryKind) -> Tensor {
        let aBig = a.count >= b.count
        let big = aBig ? a : b, small = aBig ? b : a
        precondition(big.shape.count >= small.shape.count && Array(big.shape.suffix(small.shape.count)) == small.shape,
                     "cannot broadcast \(a.shape) with \(b.shape): the smaller shape must be a trailing suffix")
        let inner = small.count, reps = big.count / max(inner, 1)
        let out = Tensor.empty(big.shape)
        let ap = a.ptr, bp = b.ptr, op = out.ptr
        let aStride = aBig ? inner : 0, bStride = aBig ? 0 : inner
        Parallel.forRanges(reps, work: big.count) { rows in for r in rows {
            let x = ap + r * aStride, y = bp + r * bStride, z = op + r * inner
            switch kind {
            case .add: for j in 0..<inner { z[j] = x[j] + y[j] }
            case .sub: for j in 0..<inner { z[j] = x[j] - y[j] }
            case .mul: for j in 0..<inner { z[j] = x[j] * y[j] }
            case .div: for j in 0..<inner { z[j] = x[j] / y[j] }
            }
        } }
        return Tape.record(out, inputs: [a, b]) { out in
            let dy = out.gradStorage!.base
            if reps == 1 {
                // Same shapes: a fresh gradient buffer is written (no zero fill), an existing one
                // accumulated. `a` is handled before `b` on each range, so `x + x` works too.
                let (ga, betaA): (UnsafeMutablePointer<Float>?, Float) = a.requiresGrad ? a.gradForOverwrite() : (nil, 1)
                let (gb, betaB): (UnsafeMutablePointer<Float>?, Float) = b.requiresGrad ? b.gradForOverwrite() : (nil, 1)
                let overwriteA = betaA == 0, overwriteB = betaB == 0
                Parallel.forRanges(inner, work: inner) { js in
                    let x = ap, y = bp, d = dy
                    switch kind {
                    case .add, .sub:
                        if let ga { for j in js { put(ga, j, d[j], !overwriteA) } }
                        if let gb {
                            if kind == .add { for j in js { put(gb, j, d[j], !overwriteB) } }
                            else if overwriteB { for j in js { gb[j] = -d[j] } }
                            else { for j in js { gb[j] -= d[j] } }
                        }
                    case .mul:
                        if let ga { for j in js { put(ga, j, d[j] * y[j], !overwriteA) } }
                        if let gb { for j in js { put(gb, j, d[j] * x[j], !overwriteB) } }
                    case .div:
                        if let ga { for j in js { put(ga, j, d[j] / y[j], !overwriteA) } }
                        if let gb {
                            if overwriteB { for j in js { gb[j] = -(d[j] * x[j] / (y[j] * y[j])) } }
                            else { for j in js { gb[j] -= d[j] * x[j] / (y[j] * y[j]) } }
                        }
                    }
                }
                return
            }
            let ga = a.requiresGrad ? a.gradPtr() : nil
            let gb = b.requiresGrad ? b.gradPtr() : nil
            // Broadcast: the big operand's rows are disjoint, so split rows for it; the small
            // operand's gradient sums over rows, and threads take disjoint ranges of its columns
            // (each column still sums its rows in order).
            let (gBig, gSmall) = aBig ? (ga, gb) : (gb, ga)
            let bigSign: Float = (!aBig && kind == .sub) ? -1 : 1
            if kind == .add || kind == .sub, let gBig {
                Parallel.forRanges(reps, work: big.count) { rows in
                    for r in rows { let g = gBig + r * inner, d = dy + r * inner; for j in 0..<inner { g[j] += bigSign * d[j] } }
                }
                if let gSmall {
                    let smallSign: Float = (aBig && kind == .sub) ? -1 : 1
                    Parallel.forRanges(inner, work: big.count) { cols in
                        Row.addColumnSums(gSmall, dy, rows: reps, stride: inner, cols: cols, sign: smallSign)
                    }
                }
                return
            }
            for r in 0..<reps {
                let x = ap + r * aStride, y = bp + r * bStride, d = dy + r * inner
                switch kind {
                case .add:
                    if let ga { let g = ga + r * aStride; for j in 0..<inner { g[j] += d[j] } }
                    if let gb { let g = gb + r * bStride; for j in 0..<inner { g[j] += d[j] } }
                case .sub:
                    if let ga { let g = ga + r * aStride; for j in 0..<inner { g[j] += d[j] } }
                    if let gb { let g = gb + r * bStride; for j in 0..<inner { g[j] -= d[j] } }
                case .mul:
                    if let ga { let g = ga + r * aStride; for j in 0..<inner { g[j] += d[j] * y[j] } }
                    if let gb { let g = gb + r * bStride; for j in 0..<inner { g[j] += d[j] * x[j] } }
                case .div:
                    if let ga { let g = ga + r * aStride; for j in 0..<inner { g[j] += d[j] / y[j] } }
                    if let gb { let g = gb + r * bStride; for j in 0..<inner { g[j] -= d[j] * x[j] / (y[j] * y[j]) } }
                }
            }
        }
    }

    /// Elementwise sum with trailing broadcasting.
    public static func + (a: Tensor, b: Tensor) -> Tensor { binary(a, b, .add) }
    /// Elementwise difference with trailing broadcasting.
    public static func - (a: Tensor, b: Tensor) -> Tensor { binary(a, b, .sub) }
    /// Elementwise product with trailing broadcasting.
    public static func * (a: Tensor, b: Tensor) -> Tensor { binary(a, b, .mul) }
    /// Elementwise quotient with trailing broadcasting.
    public static func / (a: Tensor, b: Tensor) -> Tensor { binary(a, b, .div) }

    /// `scale · x + shift` with constants.
    public func affine(scale: Float, shift: Float = 0) -> Tensor {
        let out = Tensor.empty(shape)
        let x = ptr, z = out.ptr
        for i in 0..<count { z[i] = scale * x[i] + shift }
        return Tape.record(out, inputs: [self]) { [self] out in
            let dy = out.gradStorage!.base, g = self.gradPtr()
            for i in 0..<self.count { g[i] += scale * dy[i] }
        }
    }
    /// Tensor times a constant.
    public static func * (a: Tensor, s: Float) -> Tensor { a.affine(scale: s) }
    /// Tensor plus a constant.
    public static func + (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1, shift: s) }
    /// Negation.
    public static prefix func - (a: Tensor) -> Tensor { a.affine(scale: -1) }

    /// Unary pointwise functions; each case knows its derivative.
    public enum Pointwise { case relu, gelu, silu, tanh, sigmoid, exp, log, square, abs }

    /// Applies a pointwise function.
    public func apply(_ f: Pointwise) -> Tensor {
        let out = Tensor.empty(shape)
        let x = ptr, z = out.ptr, n = count
        // GELU keeps Φ(x) for its backward pass (saves recomputing erf).
        let saved: Storage? = f == .gelu && Tape.current.gradEnabled && requiresGrad ? Storage(uninitialized: n) : nil
        let cdfOut = saved?.base
        Parallel.forRanges(n, work: 8 * n) { r in
        switch f {
        case .relu: for i in r { z[i] = x[i] > 0 ? x[i] : 0 }
        case .gelu:
            if let c = cdfOut {
                for i in r { let p = 0.5 * (1 + fastErf(x[i] * 0.70710678118654752)); c[i] = p; z[i] = x[i] * p }
            } else {
                for i in r { z[i] = 0.5 * x[i] * (1 + fastErf(x[i] * 0.70710678118654752)) }
            }
        case .silu: for i in r { z[i] = x[i] / (1 + fastExp(-x[i])) }
        case .tanh: for i in r { z[i] = tanhf(x[i]) }
        case .sigmoid: for i in r { z[i] = 1 / (1 + fastExp(-x[i])) }
        case .exp: for i in r { z[i] = fastExp(x[i]) }
        case .log: for i in r { z[i] = logf(x[i]) }
        case .square: for i in r { z[i] = x[i] * x[i] }
        case .abs: for i in r { z[i] = Swift.abs(x[i]) }
        }
        }
        return Tape.record(out, inputs: [self]) { [self, saved] out in
            let dy = out.gradStorage!.base, y = out.ptr, cdf = saved?.base
            let (g, beta) = self.gradForOverwrite()
            let add = beta != 0
            Parallel.forRanges(n, work: 8 * n) { r in
                switch f {
                case .relu: for i in r { put(g, i, x[i] > 0 ? dy[i] : 0, add) }
                case .gelu:
                    // d/dx [x Φ(x)] = Φ(x) + x φ(x).
                    let c = cdf!
                    for i in r {
                        let pdf = fastExp(-0.5 * x[i] * x[i]) * 0.3989422804014327
                        put(g, i, dy[i] * (c[i] + x[i] * pdf), add)
                    }
                case .silu:
                    for i in r {
                        let s = 1 / (1 + fastExp(-x[i]))
                        put(g, i, dy[i] * s * (1 + x[i] * (1 - s)), add)
                    }
                case .tanh: for i in r { put(g, i, dy[i] * (1 - y[i] * y[i]), add) }
                case .sigmoid: for i in r { put(g, i, dy[i] * y[i] * (1 - y[i]), add) }
                case .exp: for i in r { put(g, i, dy[i] * y[i], add) }
                case .log: for i in r { put(g, i, dy[i] / x[i], add) }
                case .square: for i in r { put(g, i, dy[i] * 2 * x[i], add) }
                case .abs: for i in r { put(g, i, dy[i] * (x[i] > 0 ? 1 : (x[i] < 0 ? -1 : 0)), add) }
                }
            }
        }
    }

    /// Rectified linear unit.
    public func relu() -> Tensor { apply(.relu) }
    /// Gaussian error linear unit (exact, erf-based, as PyTorch's default `nn.GELU`).
    public func gelu() -> Tensor { apply(.gelu) }
    /// Sigmoid linear unit `x·σ(x)`.
    public func silu() -> Tensor { apply(.silu) }

    /// Inverted dropout: zeroes each element with probability `p` and scales survivors by 1/(1-p).
    /// Identity when `p == 0`. Draws come from `rng`, so runs are reproducible.
    public func dropout(_ p: Float, rng: SeededGeneratorBox) -> Tensor {
        precondition(p >= 0 && p < 1, "dropout probability must be in [0, 1), got \(p)")
        if p == 0 { return self }
        let mask = Storage(uninitialized: count)
        let keep = 1 / (1 - p)
        for i in 0..<count { mask.base[i] = rng.gen.nextUniform() < Double(p) ? 0 : keep }
        let out = Tensor.empty(shape)
        for i in 0..<count { out.ptr[i] = ptr[i] * mask.base[i] }
        return Tape.record(out, inputs: [self]) { [self] out in
            let dy = out.gradStorage!.base, g = self.gradPtr()
            for i in 0..<self.count { g[i] += dy[i] * mask.base[i] }
        }
    }
}

/// Writes (`add == false`, into a fresh gradient buffer) or accumulates `v` at `g[i]`.
@inline(__always) func put(_ g: UnsafeMutablePointer<Float>, _ i: Int, _ v: Float, _ add: Bool) {
    if add { g[i] += v } else { g[i] = v }
}
