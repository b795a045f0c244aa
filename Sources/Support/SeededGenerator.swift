/// A seeded, platform-independent random number generator (xoshiro256**).
///
/// Every random draw in the workbench comes from one of these, never from the system generator,
/// so that the same seed gives the same numbers on every machine. Streams for independent parts
/// of an experiment are derived with ``derived(_:)`` so that adding a draw in one part does not
/// shift the numbers of another.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64
    /// The seed this generator was created from.
    public let seed: UInt64

    /// Creates a generator whose state is expanded from `seed` with SplitMix64.
    public init(seed: UInt64) {
        self.seed = seed
        var sm = seed
        func splitmix(_ x: inout UInt64) -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitmix(&sm); s1 = splitmix(&sm); s2 = splitmix(&sm); s3 = splitmix(&sm)
    }

    /// Returns the next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    @inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A new generator for a named sub-stream, independent of how many draws this one has made.
    public func derived(_ label: String) -> SeededGenerator {
        SeededGenerator(seed: seed ^ StableHash.fnv1a64(label) &* 0x9E37_79B9_7F4A_7C15)
    }

    /// A uniform draw in [0, 1) with 53 bits of precision.
    public mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform draw in [lower, upper).
    public mutating func nextUniform(_ lower: Double, _ upper: Double) -> Double {
        lower + (upper - lower) * nextUniform()
    }

    /// A standard normal draw (Box-Muller; one pair member per call, deterministic).
    public mutating func nextGaussian() -> Double {
        var u1 = nextUniform()
        while u1 <= .leastNonzeroMagnitude { u1 = nextUniform() }
        let u2 = nextUniform()
        return (-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2)
    }

    /// A Gamma(`shape`, 1) draw (Marsaglia and Tsang's squeeze method; for `shape < 1`, a
    /// Gamma(`shape + 1`) draw times `U^(1/shape)`).
    public mutating func nextGamma(shape: Double) -> Double {
        precondition(shape > 0 && shape.isFinite, "gamma shape must be positive and finite, got \(shape)")
        if shape < 1 {
            let u = max(nextUniform(), .leastNonzeroMagnitude)
            return nextGamma(shape: shape + 1) * _pow(u, 1 / shape)
        }
        let d = shape - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        while true {
            var x = 0.0, v = 0.0
            repeat { x = nextGaussian(); v = 1 + c * x } while v <= 0
            v = v * v * v
            let u = nextUniform()
            if u < 1 - 0.0331 * x * x * x * x { return d * v }
            if u > 0, _log(u) < 0.5 * x * x + d * (1 - v + _log(v)) { return d * v }
        }
    }

    /// A Beta(`a`, `b`) draw, `X / (X + Y)` with `X ~ Gamma(a)` and `Y ~ Gamma(b)`.
    public mutating func nextBeta(_ a: Double, _ b: Double) -> Double {
        let x = nextGamma(shape: a), y = nextGamma(shape: b)
        return x / (x + y)
    }

    /// A uniform integer in 0..<upperBound, without modulo bias.
    public mutating func nextInt(below upperBound: Int) -> Int {
        precondition(upperBound > 0, "upperBound must be positive")
        return Int(next(upperBound: UInt64(upperBound)))
    }

    /// Returns `true` with probability `p`.
    public mutating func nextBool(probability p: Double) -> Bool { nextUniform() < p }

    /// Shuffles `array` in place (Fisher-Yates with this generator).
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = nextInt(below: i + 1)
            if i != j { array.swapAt(i, j) }
        }
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Glibc.cos(x) }
@inline(__always) func _pow(_ x: Double, _ y: Double) -> Double { Glibc.pow(x, y) }
#elseif canImport(Darwin)
import Darwin
@inline(__always) func _log(_ x: Double) -> Double { Darwin.log(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Darwin.cos(x) }
@inline(__always) func _pow(_ x: Double, _ y: Double) -> Double { Darwin.pow(x, y) }
#endif
