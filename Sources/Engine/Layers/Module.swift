/// Anything with named, trainable parameters.
///
/// Names are dotted paths (`blocks.0.attn.qkv.weight`) chosen to match the equivalent PyTorch
/// module's `state_dict()`, so checkpoints move between the two unchanged.
public protocol Module: AnyObject {
    /// Every parameter with its dotted name, in a fixed order.
    func namedParameters() -> [(String, Tensor)]
}

extension Module {
    /// The parameters, in ``namedParameters()`` order.
    public var parameters: [Tensor] { namedParameters().map(\.1) }

    /// Total number of scalar parameters.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// Drops every parameter's accumulated gradient.
    public func zeroGrad() { for p in parameters { p.zeroGrad() } }

    /// Copies values from `tensors` into the parameters with the same names.
    ///
    /// Throws ``EngineError/missingTensor(_:)`` for an absent name and
    /// ``EngineError/shapeMismatch(_:expected:got:)`` naming the tensor and both shapes.
    public func load(_ tensors: [String: Tensor]) throws {
        for (name, p) in namedParameters() {
            guard let t = tensors[name] else { throw EngineError.missingTensor(name) }
            try p.assign(t, name: name)
        }
    }
}

/// Prefixes child parameter names with `prefix.`.
public func scoped(_ prefix: String, _ params: [(String, Tensor)]) -> [(String, Tensor)] {
    params.map { ("\(prefix).\($0.0)", $0.1) }
}

/// Pointwise non-linearities used between layers.
public enum Activation: String, Sendable {
    case relu, gelu, silu

    /// Applies the activation.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch self {
        case .relu: return x.relu()
        case .gelu: return x.gelu()
        case .silu: return x.silu()
        }
    }
}
