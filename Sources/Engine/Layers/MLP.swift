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
}
