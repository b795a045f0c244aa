import Foundation
import Support

/// A reference-counted block of Float32 values; tensors share it for cheap reshape views.
public final class Storage {
    /// First element.
    public let base: UnsafeMutablePointer<Float>
    /// Number of elements.
    public let count: Int

    /// Allocates `count` uninitialised elements.
    init(uninitialized count: Int) {
        self.count = count
        base = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
    }

    /// Allocates `count` elements set to `value`.
    convenience init(count: Int, value: Float) {
        self.init(uninitialized: count)
        base.initialize(repeating: value, count: count)
    }

    deinit { base.deallocate() }
}

/// Errors raised by public APIs that take user data.
public enum EngineError: Error, CustomStringConvertible, Equatable {
    /// Two shapes that had to agree do not.
    case shapeMismatch(String, expected: [Int], got: [Int])
    /// A value is outside what the operation accepts.
    case invalidArgument(String)
    /// A checkpoint lacks a tensor the model needs.
    case missingTensor(String)
    /// A file is not in the expected format.
    case badFormat(String)

    public var description: String {
        switch self {
        case let .shapeMismatch(what, expected, got):
            return "shape mismatch for \(what): expected \(expected), got \(got)"
        case let .invalidArgument(m): return "invalid argument: \(m)"
        case let .missingTensor(name): return "missing tensor '\(name)'"
        case let .badFormat(m): return "bad format: \(m)"
        }
    }
}

/// A shaped, row-major Float32 tensor that records the operations producing it for autodiff.
///
/// Values live in a shared ``Storage``; `reshaped` returns a view over the same storage. When
/// gradients are enabled and an input requires them, each op appends its result to the current
/// ``Tape`` together with a backward closure defined beside the forward code.
public final class Tensor {
    /// Dimensions, outermost first.
    public let shape: [Int]
    /// Values (may be shared with views).
    public let storage: Storage
    /// Accumulated gradient, allocated on first use.
    public internal(set) var gradStorage: Storage?
    /// Whether gradients flow to (and are kept for) this tensor.
    public var requiresGrad: Bool
    /// Backward function; receives this tensor (so the closure need not capture it).
    var backwardFn: ((Tensor) -> Void)?

    /// Number of elements.
    public var count: Int { storage.count }
    /// Pointer to the values.
    @inline(__always) public var ptr: UnsafeMutablePointer<Float> { storage.base }

    init(shape: [Int], storage: Storage, requiresGrad: Bool = false) {
        self.shape = shape
        self.storage = storage
        self.requiresGrad = requiresGrad
    }

    /// A tensor with uninitialised values (every op writes all of them).
    static func empty(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, storage: Storage(uninitialized: shape.reduce(1, *)))
    }

    /// A tensor holding `scalars` with the given shape.
    public convenience init(shape: [Int], scalars: [Float], requiresGrad: Bool = false) {
        precondition(shape.reduce(1, *) == scalars.count, "shape \(shape) needs \(shape.reduce(1, *)) values, got \(scalars.count)")
        let s = Storage(uninitialized: scalars.count)
        scalars.withUnsafeBufferPointer { s.base.initialize(from: $0.baseAddress!, count: scalars.count) }
        self.init(shape: shape, storage: s, requiresGrad: requiresGrad)
    }

    /// A tensor filled with `value`.
    public convenience init(shape: [Int], repeating value: Float, requiresGrad: Bool = false) {
        self.init(shape: shape, storage: Storage(count: shape.reduce(1, *), value: value), requiresGrad: requiresGrad)
    }

    /// Zeros.
    public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        Tensor(shape: shape, repeating: 0, requiresGrad: requiresGrad)
    }

    /// Normal draws with mean 0 and standard deviation `std` from `rng`.
    public static func randn(_ shape: [Int], std: Float = 1, rng: SeededGeneratorBox, requiresGrad: Bool = false) -> Tensor {
        let t = Tensor.empty(shape)
        for i in 0..<t.count { t.ptr[i] = Float(rng.gen.nextGaussian()) * std }
        t.requiresGrad = requiresGrad
        return t
    }

    /// Uniform draws in [lower, upper) from `rng`.
    public static func uniform(_ shape: [Int], _ lower: Float, _ upper: Float, rng: SeededGeneratorBox, requiresGrad: Bool = false) -> Tensor {
        let t = Tensor.empty(shape)
        for i in 0..<t.count { t.ptr[i] = Float(rng.gen.nextUniform(Double(lower), Double(upper))) }
        t.requiresGrad = requiresGrad
        return t
    }

    /// A copy of the values.
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: ptr, count: count)) }

    /// A copy of the gradient, or `nil` when none has been accumulated.
    public var grad: [Float]? {
        gradStorage.map { Array(UnsafeBufferPointer(start: $0.base, count: $0.count)) }
    }

    /// The single value of a one-element tensor.
    public var item: Float {
        precondition(count == 1, "item needs a one-element tensor, shape is \(shape)")
        return ptr[0]
    }

    /// Reads one element by multi-index.
    public subscript(_ index: Int...) -> Float {
        var flat = 0
        for (i, d) in zip(index, shape) { flat = flat * d + i }
        return ptr[flat]
    }

    /// Overwrites the values (not recorded on the tape).
    public func assign(_ values: [Float]) throws {
        guard values.count == count else { throw EngineError.shapeMismatch("assign", expected: shape, got: [values.count]) }
        values.withUnsafeBufferPointer { ptr.update(from: $0.baseAddress!, count: count) }
    }

    /// Copies values from `other`, which must have the same shape (not recorded on the tape).
    public func assign(_ other: Tensor, name: String = "tensor") throws {
        guard other.shape == shape else { throw EngineError.shapeMismatch(name, expected: shape, got: other.shape) }
        ptr.update(from: other.ptr, count: count)
    }

    /// The gradient buffer, allocated as zeros on first use.
    @inline(__always) func gradPtr() -> UnsafeMutablePointer<Float> {
        if let g = gradStorage { return g.base }
        let g = Storage(count: count, value: 0)
        gradStorage = g
        return g.base
    }

    /// The gradient buffer for a product that fully overwrites it: a fresh, uninitialised buffer
    /// with `beta = 0` (write), or the existing one with `beta = 1` (accumulate).
    @inline(__always) func gradForOverwrite() -> (ptr: UnsafeMutablePointer<Float>, beta: Float) {
        if let g = gradStorage { return (g.base, 1) }
        let g = Storage(uninitialized: count)
        gradStorage = g
        return (g.base, 0)
    }

    /// Drops the accumulated gradient.
    public func zeroGrad() { gradStorage = nil }

    /// A detached copy of the values that does not require gradients.
    public func detached() -> Tensor {
        let t = Tensor.empty(shape)
        t.ptr.update(from: ptr, count: count)
        return t
    }

    /// Size of the last dimension.
    var lastDim: Int { shape.last ?? 1 }
}

/// A class box around a ``SeededGenerator`` so layers can share and advance one stream.
public final class SeededGeneratorBox {
    /// The wrapped generator.
    public var gen: SeededGenerator
    /// Boxes a generator seeded with `seed`.
    public init(seed: UInt64) { gen = SeededGenerator(seed: seed) }
    /// Boxes `generator`.
    public init(_ generator: SeededGenerator) { gen = generator }
}
