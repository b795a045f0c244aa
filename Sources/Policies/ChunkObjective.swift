import Support

/// How a continuous chunk model is trained and sampled: flow matching, diffusion or plain regression.
///
/// Every objective trains the same network (``ContinuousChunkModel``'s `ChunkTransformer`, which
/// maps a condition, an input chunk and a time per row to one vector per action step) on scaled
/// action chunks, and samples by calling that network ``functionEvaluations`` times. Chunks are
/// passed row-major, `width` values (steps × action dimensions) per row.
public protocol ChunkObjective: Sendable {
    /// The registry name (``PolicyRegistry``).
    var name: String { get }
    /// Network evaluations per sampled chunk: deployment's cost per chunk.
    var functionEvaluations: Int { get }
    /// How actions are scaled before the network sees them.
    var scaling: ActionScaling { get }
    /// The settings as a parameter table (saved next to every result and every checkpoint).
    var settings: ParameterValue { get }
    /// The network's inputs, times and targets for clean scaled chunks `x0` (`rows × width` values);
    /// the noise comes from `rng`.
    func trainingBatch(_ x0: [Float], width: Int, rng: inout SeededGenerator) -> ObjectiveBatch
    /// `rows` scaled chunks, starting from noise drawn from `rng`; `network(inputs, times)` is one
    /// evaluation of the model on `rows × width` inputs and `rows` times.
    func sample(rows: Int, width: Int, rng: inout SeededGenerator,
                network: (_ inputs: [Float], _ times: [Float]) throws -> [Float]) rethrows -> [Float]
}

/// One training batch of an objective: what the network sees and what it should output.
public struct ObjectiveBatch: Sendable {
    /// Network inputs (`rows × width`), one time per row, and the targets (`rows × width`).
    public var inputs: [Float], times: [Float], targets: [Float]
}

/// How action values are mapped to the scale the network works in, per action dimension.
public enum ActionScaling: String, Sendable, Codable, CaseIterable {
    /// Mean 0 and deviation 1 over the training actions (pi0's normalisation).
    case standard
    /// The training minimum to -1 and maximum to 1 (Diffusion Policy's, whose samples are clipped to [-1, 1]).
    case minMax = "min_max"
}

/// A fitted ``ActionScaling``: `scaled = (value - center) / spread`, per action dimension.
public struct FittedScaling: Sendable, Equatable, Codable {
    public var center: [Double], spread: [Double]

    /// Fits `kind` on `values`, `dims` values per action (spreads at least 1e-6).
    public init(_ kind: ActionScaling, values: [Double], dims: Int) {
        center = []; spread = []
        for d in 0..<dims {
            let v = stride(from: d, to: values.count, by: dims).map { values[$0] }
            switch kind {
            case .standard:
                let m = v.reduce(0, +) / Double(max(v.count, 1))
                center.append(m)
                spread.append(max((v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(max(v.count, 1))).squareRoot(), 1e-6))
            case .minMax:
                let lo = v.min() ?? 0, hi = v.max() ?? 0
                center.append((lo + hi) / 2); spread.append(max((hi - lo) / 2, 1e-6))
            }
        }
    }

    /// Values (`dims` per action) in the network's scale.
    public func scaled(_ values: [Double]) -> [Float] {
        values.indices.map { Float((values[$0] - center[$0 % center.count]) / spread[$0 % center.count]) }
    }

    /// Network-scale values back in action units.
    public func unscaled(_ values: [Float]) -> [Double] {
        values.indices.map { Double(values[$0]) * spread[$0 % center.count] + center[$0 % center.count] }
    }
}

/// Plain regression: the network sees zeros at time 0 and outputs the chunk; one evaluation.
///
/// With an MSE loss this is the mode-averaging policy: where the demonstrations split, it predicts
/// their mean. It shares the flow and diffusion policies' network, so only the objective differs.
public struct Regression: ChunkObjective {
    public init() {}
    public var name: String { "regression" }
    public var functionEvaluations: Int { 1 }
    public var scaling: ActionScaling { .standard }
    public var settings: ParameterValue { .table([]) }

    public func trainingBatch(_ x0: [Float], width: Int, rng: inout SeededGenerator) -> ObjectiveBatch {
        ObjectiveBatch(inputs: [Float](repeating: 0, count: x0.count), times: [Float](repeating: 0, count: x0.count / width), targets: x0)
    }

    public func sample(rows: Int, width: Int, rng: inout SeededGenerator,
                       network: ([Float], [Float]) throws -> [Float]) rethrows -> [Float] {
        try network([Float](repeating: 0, count: rows * width), [Float](repeating: 0, count: rows))
    }
}
