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
}
