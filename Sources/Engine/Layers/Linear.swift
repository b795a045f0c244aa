import Support

/// Affine layer `y = x·Wᵀ + b`, weight `[out, in]` as in PyTorch.
public final class Linear: Module {
    /// Weight `[out, in]`.
    public let weight: Tensor
    /// Bias `[out]`, if any.
    public let bias: Tensor?

    /// Initialises uniformly in ±1/√in (PyTorch's default), or normally with `std` when given.
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, std: Float? = nil, rng: SeededGeneratorBox) {
        if let std {
            weight = .randn([outFeatures, inFeatures], std: std, rng: rng, requiresGrad: true)
            self.bias = bias ? .zeros([outFeatures], requiresGrad: true) : nil
        } else {
            let bound = 1 / Float(inFeatures).squareRoot()
            weight = .uniform([outFeatures, inFeatures], -bound, bound, rng: rng, requiresGrad: true)
            self.bias = bias ? .uniform([outFeatures], -bound, bound, rng: rng, requiresGrad: true) : nil
        }
    }

    /// Applies the layer to `[..., in]`.
    public func callAsFunction(_ x: Tensor) -> Tensor { Tensor.linear(x, weight: weight, bias: bias) }

    public func namedParameters() -> [(String, Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }
}

/// Lookup table from integer ids to learned vectors.
public final class Embedding: Module {
    /// Table `[count, dim]`.
    public let weight: Tensor

    /// Initialises normally with `std`.
    public init(_ count: Int, _ dim: Int, std: Float = Defaults.initStd, rng: SeededGeneratorBox) {
        weight = .randn([count, dim], std: std, rng: rng, requiresGrad: true)
    }

    /// Looks up `ids` laid out with `shape`; returns `shape + [dim]`.
    public func callAsFunction(_ ids: [Int], shape: [Int]) -> Tensor {
        Tensor.gather(weight, indices: ids, indexShape: shape)
    }

    public func namedParameters() -> [(String, Tensor)] { [("weight", weight)] }
}

/// Layer normalisation over the last axis with learned scale and shift.
public final class LayerNorm: Module {
    /// Scale `[dim]` (ones) and shift `[dim]` (zeros).
    public let weight: Tensor, bias: Tensor
    /// Variance epsilon.
    public let eps: Float

    /// Creates the layer for width `dim`.
    public init(_ dim: Int, eps: Float = Defaults.layerNormEpsilon) {
        weight = Tensor(shape: [dim], repeating: 1, requiresGrad: true)
        bias = .zeros([dim], requiresGrad: true)
        self.eps = eps
    }

    /// Normalises `[..., dim]`.
    public func callAsFunction(_ x: Tensor) -> Tensor { Tensor.layerNorm(x, weight: weight, bias: bias, eps: eps) }

    public func namedParameters() -> [(String, Tensor)] { [("weight", weight), ("bias", bias)] }
}

/// Seeded inverted dropout, active only while `training`.
public final class Dropout {
    /// Drop probability.
    public let p: Float
    /// Whether to drop (training) or pass through (evaluation).
    public var training = true
    /// Source of the drop masks.
    public let rng: SeededGeneratorBox

    /// Creates a dropout with its own random stream.
    public init(_ p: Float, rng: SeededGeneratorBox) { self.p = p; self.rng = rng }

    /// Applies dropout when training and `p > 0`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        training && p > 0 && Tape.current.gradEnabled ? x.dropout(p, rng: rng) : x
    }
}
