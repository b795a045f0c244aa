/// Branch-free `exp` and `erf` for Float32 that the compiler can vectorise (libm calls cannot be).
///
/// `fastExp`: Cody–Waite range reduction `x = n·ln2 + r` and a degree-6 polynomial for `eʳ`
/// (the classic single-precision coefficients), relative error ≈ 2e-7 on [-87, 88]; inputs are
/// clamped to that range. `fastErf`: Abramowitz & Stegun 7.1.26, absolute error ≤ 1.5e-7.

/// e^x for x clamped to [-87.3, 88.7].
@inline(__always) func fastExp(_ x: Float) -> Float {
    let xc = Swift.min(Swift.max(x, -87.3), 88.7)
    // Round x·log2(e) to an integer with the 1.5·2²³ trick; the integer sits in the low mantissa bits.
    let shifted = xc * 1.44269504088896341 + 12_582_912
    let n = shifted - 12_582_912
    let r = xc - n * 0.693359375 + n * 2.12194440e-4
    var p: Float = 1.9875691500e-4
    p = p * r + 1.3981999507e-3
    p = p * r + 8.3334519073e-3
    p = p * r + 4.1665795894e-2
    p = p * r + 1.6666665459e-1
    p = p * r + 5.0000001201e-1
    let er = p * r * r + r + 1
    let ni = Int32(bitPattern: shifted.bitPattern) &- 0x4B40_0000
    return er * Float(bitPattern: UInt32(bitPattern: (ni &+ 127) &<< 23))
}

/// The error function, |error| ≤ 1.5e-7.
@inline(__always) func fastErf(_ x: Float) -> Float {
    let a = Swift.abs(x)
    let t = 1 / (1 + 0.3275911 * a)
    var p: Float = 1.061405429
    p = p * t - 1.453152027
    p = p * t + 1.421413741
    p = p * t - 0.284496736
    p = p * t + 0.254829592
    let e = 1 - p * t * fastExp(-a * a)
    return x < 0 ? -e : e
}

/// Row reductions with eight independent lanes (a plain loop is one serial dependency chain).
enum Row {
    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always) static func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
    }

    /// Σ x[j].
    @inline(__always) static func sum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD8<Float>(repeating: 0)
        var j = 0
        while j + 8 <= n { acc += load(x + j); j += 8 }
        var s = acc.sum()
        while j < n { s += x[j]; j += 1 }
        return s
    }

    /// Σ x[j]·y[j].
    @inline(__always) static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD8<Float>(repeating: 0)
        var j = 0
        while j + 8 <= n { acc += load(x + j) * load(y + j); j += 8 }
        var s = acc.sum()
        while j < n { s += x[j] * y[j]; j += 1 }
        return s
    }

    /// `y[j] += a·x[j]` for `j` in `0..<n`.
    @inline(__always) static func addScaled(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ a: Float, _ n: Int) {
        let av = SIMD8<Float>(repeating: a)
        var j = 0
        while j + 8 <= n { store(load(y + j) + av * load(x + j), y + j); j += 8 }
        while j < n { y[j] += a * x[j]; j += 1 }
    }

    /// Σ (x[j] − c)².
    @inline(__always) static func sumSquaredDeviation(_ x: UnsafePointer<Float>, _ c: Float, _ n: Int) -> Float {
        var acc = SIMD8<Float>(repeating: 0)
        let cv = SIMD8<Float>(repeating: c)
        var j = 0
        while j + 8 <= n { let d = load(x + j) - cv; acc += d * d; j += 8 }
        var s = acc.sum()
        while j < n { let d = x[j] - c; s += d * d; j += 1 }
        return s
    }

    /// max x[j] (−∞ for an empty row).
    @inline(__always) static func max(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var m0 = -Float.infinity, m1 = m0, m2 = m0, m3 = m0
        var j = 0
        while j + 4 <= n {
            m0 = x[j] > m0 ? x[j] : m0; m1 = x[j + 1] > m1 ? x[j + 1] : m1
            m2 = x[j + 2] > m2 ? x[j + 2] : m2; m3 = x[j + 3] > m3 ? x[j + 3] : m3
            j += 4
        }
        while j < n { m0 = x[j] > m0 ? x[j] : m0; j += 1 }
        return Swift.max(Swift.max(m0, m1), Swift.max(m2, m3))
    }

    /// `acc[j] += Σ_r sign·x[r·stride + j]` for `j` in `cols`, rows added in order.
    ///
    /// Each column gets exactly the additions of the plain loop `for r { acc[j] += sign·x[…] }`
    /// (so results are bit-identical to it), but the running sums stay in registers across rows
    /// instead of a load and store of `acc` per row.
    static func addColumnSums(_ acc: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, rows: Int, stride: Int,
                              cols: Range<Int>, sign: Float = 1) {
        var j = cols.lowerBound
        let sv = SIMD8<Float>(repeating: sign)
        // 64 columns at a time: eight independent running sums hide the adder's latency.
        while j + 64 <= cols.upperBound {
            var a0 = load(acc + j), a1 = load(acc + j + 8), a2 = load(acc + j + 16), a3 = load(acc + j + 24)
            var a4 = load(acc + j + 32), a5 = load(acc + j + 40), a6 = load(acc + j + 48), a7 = load(acc + j + 56)
            if sign == 1 {
                for r in 0..<rows {
                    let p = x + r * stride + j
                    a0 += load(p); a1 += load(p + 8); a2 += load(p + 16); a3 += load(p + 24)
                    a4 += load(p + 32); a5 += load(p + 40); a6 += load(p + 48); a7 += load(p + 56)
                }
            } else {
                for r in 0..<rows {
                    let p = x + r * stride + j
                    a0 += sv * load(p); a1 += sv * load(p + 8); a2 += sv * load(p + 16); a3 += sv * load(p + 24)
                    a4 += sv * load(p + 32); a5 += sv * load(p + 40); a6 += sv * load(p + 48); a7 += sv * load(p + 56)
                }
            }
            store(a0, acc + j); store(a1, acc + j + 8); store(a2, acc + j + 16); store(a3, acc + j + 24)
            store(a4, acc + j + 32); store(a5, acc + j + 40); store(a6, acc + j + 48); store(a7, acc + j + 56)
            j += 64
        }
        while j + 8 <= cols.upperBound {
            var a = load(acc + j)
            for r in 0..<rows { a += sv * load(x + r * stride + j) }
            store(a, acc + j)
            j += 8
        }
        while j < cols.upperBound {
            var a = acc[j]
            for r in 0..<rows { a += sign * x[r * stride + j] }
            acc[j] = a
            j += 1
        }
    }

    /// `w[j] += Σ_r d[r·n + j]·h[r·n + j]` and `b[j] += Σ_r d[r·n + j]` for `j` in `cols`, rows in
    /// order: the scale and shift gradients of a normalisation, bit-identical to the plain loop.
    static func addScaleShiftSums(_ w: UnsafeMutablePointer<Float>, _ b: UnsafeMutablePointer<Float>,
                                  _ d: UnsafePointer<Float>, _ h: UnsafePointer<Float>, rows: Int, n: Int, cols: Range<Int>) {
        var j = cols.lowerBound
        while j + 16 <= cols.upperBound {
            var w0 = load(w + j), w1 = load(w + j + 8), b0 = load(b + j), b1 = load(b + j + 8)
            for r in 0..<rows {
                let dp = d + r * n + j, hp = h + r * n + j
                let d0 = load(dp), d1 = load(dp + 8)
                w0 += d0 * load(hp); w1 += d1 * load(hp + 8)
                b0 += d0; b1 += d1
            }
            store(w0, w + j); store(w1, w + j + 8); store(b0, b + j); store(b1, b + j + 8)
            j += 16
        }
        while j < cols.upperBound {
            var wj = w[j], bj = b[j]
            for r in 0..<rows { let dv = d[r * n + j]; wj += dv * h[r * n + j]; bj += dv }
            w[j] = wj; b[j] = bj
            j += 1
        }
    }
}
