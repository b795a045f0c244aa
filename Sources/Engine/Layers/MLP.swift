import Foundation

/// A stack of linear layers with an activation between consecutive ones (not after the last).
public final class MLP: Module {
    /// The linear layers, first to last.
    public let layers: [Linear]
    /// The activation between layers.
    public let activation: Activation

    /// `widths` lists the input width, each hidden width and the output width.
    public init(_ widths: [Int], activation: Activation = .gelu, std: Float? = nil, rng: SeededGeneratorBox) {
        precondition(widths.count >= 2, "an MLP needs at least input and output widths")
        layers = zip(widths, widths.dropFirst()).map { Linear($0, $1, std: std, rng: rng) }
        self.activation = activation
    }

    /// Applies the stack to `[..., widths.first]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        var h = x
        for (i, l) in layers.enumerated() {
            h = l(h)
            if i < layers.count - 1 { h = activation(h) }
        }
        return h
    }

    /// The last hidden features: every layer but the last, each followed by the activation.
    public func features(_ x: Tensor) -> Tensor {
        var h = x
        for l in layers.dropLast() { h = activation(l(h)) }
        return h
    }

    public func namedParameters() -> [(String, Tensor)] {
        layers.enumerated().flatMap { scoped("layers.\($0.offset)", $0.element.namedParameters()) }
    }
}

/// Sinusoidal features of scalar positions or times (no parameters).
public enum SinusoidalEmbedding {
    /// For each value `x`, returns `[sin(x·f_0), …, sin(x·f_{h-1}), cos(x·f_0), …, cos(x·f_{h-1})]`
    /// with `f_i = maxPeriod^(-i/h)` and `h = dim/2`; shape `[values.count, dim]`.
    public static func embed(_ values: [Float], dim: Int, maxPeriod: Float = Defaults.sinusoidalMaxPeriod) -> Tensor {
        precondition(dim % 2 == 0, "sinusoidal embedding width must be even, got \(dim)")
        let half = dim / 2
        let out = Tensor.empty([values.count, dim])
        for (r, x) in values.enumerated() {
            for i in 0..<half {
                let f = expf(-logf(maxPeriod) * Float(i) / Float(half))
                out.ptr[r * dim + i] = sinf(x * f)
                out.ptr[r * dim + half + i] = cosf(x * f)
            }
        }
        return out
    }

    /// pi0's time embedding: for each time `t`, `[sin(2π·t/p_0), …, sin(2π·t/p_{h-1}), cos(…)]` with
    /// `h = dim/2` periods `p_i` spaced geometrically from `minPeriod` to `maxPeriod` (both
    /// included: `p_i = minPeriod·(maxPeriod/minPeriod)^(i/(h-1))`); shape `[times.count, dim]`.
    public static func geometricPeriods(_ times: [Float], dim: Int, minPeriod: Double = Defaults.timeMinPeriod,
                                        maxPeriod: Double = Defaults.timeMaxPeriod) -> Tensor {
        precondition(dim % 2 == 0 && dim >= 4, "time embedding width must be even and at least 4, got \(dim)")
        precondition(minPeriod > 0 && maxPeriod > minPeriod, "time embedding periods must satisfy 0 < min < max, got \(minPeriod), \(maxPeriod)")
        let half = dim / 2
        let scales = (0..<half).map { i -> Double in
            let period = minPeriod * pow(maxPeriod / minPeriod, Double(i) / Double(half - 1))
            return 2 * Double.pi / period
        }
        let out = Tensor.empty([times.count, dim])
        for (r, t) in times.enumerated() {
            for i in 0..<half {
                let x = Double(t) * scales[i]
                out.ptr[r * dim + i] = Float(sin(x))
                out.ptr[r * dim + half + i] = Float(cos(x))
            }
        }
        return out
    }
}
