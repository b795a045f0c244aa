import ActionData
import Foundation
import Support

/// BEAST (arXiv 2506.06072): each dimension becomes the control points of a B-spline, quantised.
///
/// Fitting and encoding:
/// - A chunk's `T` steps sit at normalised times `u_t = t / (T - 1)` (one step at 0). Each
///   dimension is fitted by a clamped uniform B-spline of degree `P` with `N` control points, by
///   ridge least squares `C = (Phi^T Phi + lambda I)^-1 Phi^T A` (see ``BSplineRidgeFit``).
/// - `fit` fits every chunk of the set and records, for every (control-point slot, dimension),
///   the minimum and maximum of that slot's control points over the set: the quantisation bounds
///   ("256 bins per slot with bounds fitted on data"). Min/max, not percentiles, so every chunk of
///   the fitting set is in bounds; an outlier chunk widens its slots' bins.
/// - Each control point is quantised into `bins` equal-width bins between its slot's bounds and
///   decodes to the bin centre. Values outside the bounds go to the first or last bin and are
///   counted in ``stats``.
///
/// Token layout: slot-major, `tokens[n * D + d]` is control point `n` of dimension `d` (all
/// dimensions of control point 0, then of control point 1, ...), so a chunk is always `N x D`
/// tokens whatever `T`. The token id is the bin index, shared by all slots (vocabulary = `bins`,
/// as in RT-1's shared binning); the position says which slot a token belongs to.
///
/// Chunk length: the fitting set's `T` is recorded (``fittedSteps``) but not required. Because
/// time is normalised, a chunk of any length is encoded against the same curve domain and the
/// same bounds, and `decode(steps:)` may sample the curve at any `T` (resampling the chunk).
///
/// Error bound: with in-bounds control points, each decoded value differs from the unquantised
/// spline fit by at most `sum_n B_n(u_t) w_n,d / 2 <= max_n w_n,d / 2`, where `w_n,d` is slot
/// `(n, d)`'s bin width, because the basis is non-negative and sums to one.
public final class BEASTTokenizer: ActionTokenizer {
    public let name = "beast"
    /// The configuration (degree, control points, lambda, bins).
    public let config: BEASTConfig
    /// The spline basis.
    public let basis: BSplineBasis
    public var vocabularySize: Int { config.bins }
    public private(set) var isFitted = false
    /// Dimensions seen when fitting.
    public private(set) var fittedDims = 0
    /// Steps per chunk of the fitting set (informational; any length can be encoded).
    public private(set) var fittedSteps = 0
    /// Lower quantisation bound per (slot, dimension), slot-major (`N x D`).
    public private(set) var lower: [Double] = []
    /// Upper quantisation bound per (slot, dimension), slot-major (`N x D`).
    public private(set) var upper: [Double] = []
    /// Clipping counts since fitting, restoring or ``resetStats()``.
    public var stats: BEASTStats { lock.lock(); defer { lock.unlock() }; return _stats }

    private var _stats = BEASTStats()
    private let lock = NSLock()
    private let cache = BSplineFitCache()

    /// Creates an unfitted tokenizer; throws a ``ConfigError`` naming the bad field.
    public init(_ config: BEASTConfig = BEASTConfig()) throws {
        try config.validate(location: "beast")
        self.config = config
        basis = try BSplineBasis(degree: config.degree, controlPoints: config.controlPoints)
    }

    public func tokensPerChunk(steps: Int, dims: Int) -> Int? { config.controlPoints * dims }

    /// The bin width of slot `(n, d)`.
    public func binWidth(slot n: Int, dimension d: Int) -> Double {
        (upper[n * fittedDims + d] - lower[n * fittedDims + d]) / Double(config.bins)
    }

    /// Sets the clipping counts back to zero.
    public func resetStats() { lock.lock(); _stats = BEASTStats(); lock.unlock() }

    public func fit(_ data: ChunkSet) throws {
        guard data.count > 0 else { throw TokenizerError.emptyFittingSet(name) }
        let n = config.controlPoints, dims = data.dims
        var lo = [Double](repeating: .infinity, count: n * dims), hi = [Double](repeating: -.infinity, count: n * dims)
        let solve = try ridgeFit(steps: data.steps)
        for chunk in data.chunks {
            let c = solve.controlPoints(of: chunk.values, dims: dims)
            for i in 0..<c.count { lo[i] = min(lo[i], c[i]); hi[i] = max(hi[i], c[i]) }
        }
        lower = lo; upper = hi
        fittedDims = dims; fittedSteps = data.steps
        resetStats()
        isFitted = true
    }

    /// The unquantised `N x D` control points of `chunk` (slot-major), by the ridge fit.
    public func controlPoints(of chunk: ActionChunk) throws -> [Double] {
        try ridgeFit(steps: chunk.steps).controlPoints(of: chunk.values, dims: chunk.dims)
    }

    /// The `steps`-step chunk drawn by `N x D` control points (slot-major).
    public func curve(controlPoints c: [Double], steps: Int, dims: Int) throws -> ActionChunk {
        try ActionChunk(steps: steps, dims: dims, values: basis.evaluate(controlPoints: c, dims: dims, steps: steps))
    }

    public func encode(_ chunk: ActionChunk) throws -> [Int] {
        try requireEncodable(chunk, fitted: fittedDims)
        let c = try controlPoints(of: chunk)
        var tokens = [Int](repeating: 0, count: c.count), clipped = 0
        for (i, x) in c.enumerated() {
            if x < lower[i] || x > upper[i] { clipped += 1 }
            tokens[i] = bin(x, i)
        }
        lock.lock()
        _stats.chunks += 1; _stats.controlPoints += c.count; _stats.clipped += clipped
        lock.unlock()
        return tokens
    }

    public func decode(_ tokens: [Int], steps: Int, dims: Int) throws -> ActionChunk {
        try requireDecodable(tokens, steps: steps, dims: dims, fitted: fittedDims)
        return try curve(controlPoints: tokens.enumerated().map { value(ofBin: $1, $0) }, steps: steps, dims: dims)
    }

    public func fittedState() throws -> ParameterValue {
        try requireFitted()
        return .table(BEASTConfig.fields.entries(of: config) + [
            ("dims", .int(fittedDims)), ("steps", .int(fittedSteps)),
            ("lower", .array(lower.map { .double($0) })), ("upper", .array(upper.map { .double($0) })),
        ])
    }

    /// Rebuilds a fitted tokenizer from ``fittedState()``'s tree; encodes and decodes identically.
    public static func restore(_ p: ParameterReader) throws -> BEASTTokenizer {
        let config = try BEASTConfig(saved: p)
        let t = try BEASTTokenizer(config)
        let dims = try p.int("dims", in: 1...1_000_000)
        let steps = try p.int("steps", in: 1...100_000_000)
        let count = config.controlPoints * dims
        for key in ["lower", "upper"] {
            let v = try p.doubles(key)
            guard v.count == count else {
                throw ConfigError(location: p.location, key: key, problem: "expected \(count) numbers for \(config.controlPoints) control points x \(dims) dimensions, found \(v.count)")
            }
            if key == "lower" { t.lower = v } else { t.upper = v }
        }
        if let i = t.lower.indices.first(where: { t.lower[$0] > t.upper[$0] }) {
            throw ConfigError(location: p.location, key: "upper", problem: "entry \(i) is below its lower bound")
        }
        try p.finish()
        t.fittedDims = dims; t.fittedSteps = steps
        t.isFitted = true
        return t
    }

    // MARK: Internals

    private func ridgeFit(steps: Int) throws -> BSplineRidgeFit {
        do { return try cache.fit(basis: basis, steps: steps, lambda: config.lambda) }
        catch let e as BSplineError { throw TokenizerError.shapeMismatch(name, e.description) }
    }

    /// The bin of control point `x` in slot-major position `i`, in `0..<bins`.
    private func bin(_ x: Double, _ i: Int) -> Int {
        let width = (upper[i] - lower[i]) / Double(config.bins)
        guard width > 0 else { return 0 }                       // a constant slot: one bin
        let b = Int(((x - lower[i]) / width).rounded(.down))
        return min(max(b, 0), config.bins - 1)                  // the maximum falls in the last bin
    }

    /// The centre of bin `b` in slot-major position `i`.
    private func value(ofBin b: Int, _ i: Int) -> Double {
        lower[i] + (Double(b) + 0.5) * (upper[i] - lower[i]) / Double(config.bins)
    }
}

/// How often BEAST's control points fell outside their fitted bounds while encoding.
public struct BEASTStats: Equatable, Sendable {
    /// Chunks encoded.
    public var chunks = 0
    /// Control points quantised (`N x D` per chunk).
    public var controlPoints = 0
    /// Control points outside their slot's bounds, clamped into the first or last bin.
    public var clipped = 0
    /// `clipped / controlPoints` (0 when nothing was encoded).
    public var clipRate: Double { controlPoints == 0 ? 0 : Double(clipped) / Double(controlPoints) }

    public init() {}
}

/// BEAST's configuration: spline degree, control points, ridge weight and bins per slot.
public struct BEASTConfig: Equatable, Sendable, FieldListedConfig {
    /// Spline degree `P` (the reference uses 4).
    public var degree = 4
    /// Control points `N` per dimension; a chunk is `N x D` tokens (reference: 10 for 20 steps).
    public var controlPoints = 10
    /// Ridge weight `lambda` of the least-squares fit (reference: small, e.g. 1e-4).
    public var lambda = 1e-4
    /// Quantisation bins per control-point slot (256 in the paper).
    public var bins = 256

    /// Every field: its key and allowed values (the reader, ``validate(location:)`` and saved states use this list).
    public static let fields: [ConfigField<Self>] = [
        .int("degree", \.degree, in: 0...20),
        .int("control_points", \.controlPoints, in: 1...1000),
        .double("lambda", \.lambda, in: 0...1e6),
        .int("bins", \.bins, in: 2...65_536),
    ]

    /// Every default value, in one place (the property declarations above).
    public static let defaults = BEASTConfig()

    /// A configuration holding every default.
    public init() {}

    /// A configuration that changes the given fields and keeps the others' defaults.
    public init(degree: Int = defaults.degree, controlPoints: Int = defaults.controlPoints, lambda: Double = defaults.lambda, bins: Int = defaults.bins) {
        self.degree = degree; self.controlPoints = controlPoints; self.lambda = lambda; self.bins = bins
    }

    /// Checks every field, naming the first bad one.
    public func validate(location: String) throws {
        try Self.fields.validate(self, location: location)
        guard degree < controlPoints else {
            throw ConfigError(location: location, key: "degree", problem: "must be less than control_points (\(controlPoints)); a degree-\(degree) spline needs at least \(degree + 1) control points, found degree \(degree)")
        }
    }
}

extension BEASTTokenizer: ReportsClipStatistics {
    /// ``resetStats()``.
    public func resetClipStatistics() { resetStats() }

    /// Control points clamped into the first or last bin, out of the control points quantised.
    public var clipCount: ClipCount { let s = stats; return ClipCount(clipped: s.clipped, counted: s.controlPoints) }
}
