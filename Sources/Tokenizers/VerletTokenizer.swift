import ActionData
import Foundation
import Support

/// MotionLM's "Verlet" tokens (arXiv 2309.16534): each step emits the change of a quantised delta.
///
/// Quantisation. Per dimension, `fit` records the range of the values and the range of the
/// step-to-step deltas within chunks (minimum and maximum over the fitting set). A delta maps to
/// the nearest of `baseBins` (128) evenly spaced levels spanning the delta range, both ends
/// included, so every delta within half a level spacing `s = (max - min) / (baseBins - 1)` of the
/// range comes back within `s / 2`. The index of that level is the *base token* of the delta.
///
/// Tokens, per dimension (time-major layout: `tokens[t * D + d]`, one token per step, `T x D`):
/// - step 0: an *anchor*, the nearest of `anchorBins` levels over the value range: the chunk's
///   absolute starting point (a chunk has no history to start from);
/// - step 1, with `firstDelta = .rest` (the default): a change like every later step, from the
///   level nearest to a zero delta (the chunk is assumed to start at rest, so a fast start is
///   clipped and caught up over the next steps); with `.base`: the base token of the first delta;
/// - steps 2 and later: the *change* of the delta index from the previous step,
///   `k_t = b_t - b_t-1`, clipped to `-maxChange ... maxChange` (13 values for 6). A zero change
///   repeats the previous delta, so a constant velocity costs one repeated token.
///
/// Vocabulary: anchors are ids `0 ..< anchorBins` (256 by default); with `.base`, base tokens follow at
/// `anchorBins ..< anchorBins + baseBins`; the `2 maxChange + 1` change tokens come last, the id
/// `changeOffset + maxChange + k` meaning change `k` (so `changeOffset + maxChange` is "repeat").
///
/// Decoding integrates: `b_t = b_t-1 + k_t`, `x_t = x_t-1 + delta(b_t)`. A sequence whose index
/// walks out of `0 ..< baseBins`, or that puts a token of the wrong kind at a position, throws.
///
/// Closed-loop encoding (the default): each delta is measured from the *reconstructed* previous
/// value, `x_t - x^_t-1`, as the decoder will see it, so quantisation errors do not add up: while
/// no clipping happens, every step `t >= 1` is within `s / 2` of the input (step 0 within half an
/// anchor spacing). Open-loop encoding quantises the true deltas `x_t - x_t-1` independently, so
/// errors add up through the integration: step `t` is only within `a / 2 + t s / 2`. Either way
/// a clipped change loses part of a delta; open-loop never gets it back (the offset persists to
/// the end of the chunk), closed-loop steers back as fast as the change limit allows.
///
/// Braking: the closed loop aims at the true delta plus the error left so far, `d_t + e_t-1`,
/// i.e. it closes the gap in one step (dead-beat). After a clipped jump the gap can be many
/// levels wide, and closing it at full speed overshoots, because the delta index can only come
/// back down `maxChange` levels per step. So a gap of `z > maxChange` levels is approached at
/// most at the speed `r = (sqrt(M^2 + 8 M z) - M) / 2` from which braking at `M` levels per step
/// stops on target (`r (r + M) / 2M = z`). Gaps of at most `maxChange` levels, the only ones
/// that occur without clipping (barring an anchor error wider than that under `.rest`), are closed
/// in one step, so the `s / 2` bound is unaffected. The first delta under `.base` has no change
/// limit and is always dead-beat. The braking only looks at the position gap, not at future
/// deltas: a fast start must still be slowed at `maxChange` levels per step.
///
/// ``stats`` counts clipped changes and deltas outside the fitted range.
public final class VerletTokenizer: ActionTokenizer {
    public let name = "verlet"
    /// The configuration (bins, change limit, first-delta rule, closed or open loop).
    public let config: VerletConfig
    public private(set) var isFitted = false
    /// Dimensions seen when fitting.
    public private(set) var fittedDims = 0
    /// Per-dimension value range of the anchors.
    public private(set) var valueLower: [Double] = [], valueUpper: [Double] = []
    /// Per-dimension range of the step-to-step deltas.
    public private(set) var deltaLower: [Double] = [], deltaUpper: [Double] = []
    /// Clipping counts since fitting, restoring or ``resetStats()``.
    public var stats: VerletStats { lock.lock(); defer { lock.unlock() }; return _stats }

    private var _stats = VerletStats()
    private let lock = NSLock()

    /// Creates an unfitted tokenizer; throws a ``ConfigError`` naming the bad field.
    public init(_ config: VerletConfig = VerletConfig()) throws {
        try config.validate(location: "verlet")
        self.config = config
    }

    /// First id of the base-token block (only used with `firstDelta = .base`).
    public var baseOffset: Int { config.anchorBins }
    /// First id of the change-token block; id `changeOffset + maxChange + k` is change `k`.
    public var changeOffset: Int { config.anchorBins + (config.firstDelta == .base ? config.baseBins : 0) }
    public var vocabularySize: Int { changeOffset + 2 * config.maxChange + 1 }

    public func tokensPerChunk(steps: Int, dims: Int) -> Int? { steps * dims }

    /// The spacing `s` of the delta levels of dimension `d` (the closed-loop error bound is `s / 2`).
    public func deltaSpacing(dimension d: Int) -> Double { (deltaUpper[d] - deltaLower[d]) / Double(config.baseBins - 1) }
    /// The spacing of the anchor levels of dimension `d`.
    public func anchorSpacing(dimension d: Int) -> Double { (valueUpper[d] - valueLower[d]) / Double(config.anchorBins - 1) }

    /// Sets the clipping counts back to zero.
    public func resetStats() { lock.lock(); _stats = VerletStats(); lock.unlock() }

    public func fit(_ data: ChunkSet) throws {
        guard data.count > 0 else { throw TokenizerError.emptyFittingSet(name) }
        let dims = data.dims
        var vlo = [Double](repeating: .infinity, count: dims), vhi = [Double](repeating: -.infinity, count: dims)
        var dlo = vlo, dhi = vhi
        for c in data.chunks {
            for t in 0..<c.steps {
                for d in 0..<dims {
                    vlo[d] = min(vlo[d], c[t, d]); vhi[d] = max(vhi[d], c[t, d])
                    guard t > 0 else { continue }
                    dlo[d] = min(dlo[d], c[t, d] - c[t - 1, d]); dhi[d] = max(dhi[d], c[t, d] - c[t - 1, d])
                }
            }
        }
        if data.steps == 1 { dlo = .init(repeating: 0, count: dims); dhi = dlo }    // no deltas: [0, 0]
        valueLower = vlo; valueUpper = vhi; deltaLower = dlo; deltaUpper = dhi
        fittedDims = dims
        resetStats()
        isFitted = true
    }

    public func encode(_ chunk: ActionChunk) throws -> [Int] {
        try requireEncodable(chunk, fitted: fittedDims)
        let dims = chunk.dims, m = config.maxChange
        var tokens = [Int](repeating: 0, count: chunk.steps * dims)
        var s = VerletStats()
        s.chunks = 1
        for d in 0..<dims {
            let anchor = level(chunk[0, d], valueLower[d], valueUpper[d], config.anchorBins).index
            tokens[d] = anchor
            var rec = levelValue(anchor, valueLower[d], valueUpper[d], config.anchorBins)
            var prev = zeroIndex(d)
            for t in 1..<chunk.steps {
                let target: Double
                if !config.closedLoop {
                    target = chunk[t, d] - chunk[t - 1, d]                       // open loop: the true delta
                } else if t == 1, config.firstDelta == .base {
                    target = chunk[t, d] - rec                                   // dead-beat, no change limit
                } else {
                    target = chunk[t, d] - chunk[t - 1, d] + braked(chunk[t - 1, d] - rec, spacing: deltaSpacing(dimension: d))
                }
                var (b, outside) = level(target, deltaLower[d], deltaUpper[d], config.baseBins)
                if outside { s.clippedDeltas += 1 }
                if t == 1, config.firstDelta == .base {
                    tokens[t * dims + d] = baseOffset + b
                } else {
                    let k = b - prev, kept = min(max(k, -m), m)
                    if kept != k { s.clippedChanges += 1 }
                    s.changeTokens += 1
                    b = prev + kept
                    tokens[t * dims + d] = changeOffset + m + kept
                }
                prev = b
                rec += levelValue(b, deltaLower[d], deltaUpper[d], config.baseBins)
            }
        }
        lock.lock()
        _stats.chunks += s.chunks; _stats.changeTokens += s.changeTokens
        _stats.clippedChanges += s.clippedChanges; _stats.clippedDeltas += s.clippedDeltas
        lock.unlock()
        return tokens
    }

    public func decode(_ tokens: [Int], steps: Int, dims: Int) throws -> ActionChunk {
        try requireDecodable(tokens, steps: steps, dims: dims, fitted: fittedDims)
        let m = config.maxChange
        var values = [Double](repeating: 0, count: steps * dims)
        for d in 0..<dims {
            func token(_ t: Int, in range: Range<Int>, _ kind: String) throws -> Int {
                let id = tokens[t * dims + d]
                guard range.contains(id) else {
                    throw TokenizerError.shapeMismatch(name, "token \(id) at position \(t * dims + d) (step \(t), dimension \(d)) should be \(kind), ids \(range.lowerBound)..<\(range.upperBound)")
                }
                return id - range.lowerBound
            }
            var x = levelValue(try token(0, in: 0..<config.anchorBins, "an anchor"), valueLower[d], valueUpper[d], config.anchorBins)
            values[d] = x
            var prev = zeroIndex(d)
            for t in 1..<steps {
                var b: Int
                if t == 1, config.firstDelta == .base {
                    b = try token(t, in: baseOffset..<changeOffset, "a base delta token")
                } else {
                    b = prev + (try token(t, in: changeOffset..<vocabularySize, "a change token") - m)
                    guard (0..<config.baseBins).contains(b) else {
                        throw TokenizerError.shapeMismatch(name, "the change at position \(t * dims + d) (step \(t), dimension \(d)) moves the delta index to \(b), outside 0..<\(config.baseBins)")
                    }
                }
                prev = b
                x += levelValue(b, deltaLower[d], deltaUpper[d], config.baseBins)
                values[t * dims + d] = x
            }
        }
        return try ActionChunk(steps: steps, dims: dims, values: values)
    }

    public func fittedState() throws -> ParameterValue {
        try requireFitted()
        func array(_ v: [Double]) -> ParameterValue { .array(v.map { .double($0) }) }
        return .table(VerletConfig.fields.entries(of: config) + [
            ("dims", .int(fittedDims)),
            ("value_lower", array(valueLower)), ("value_upper", array(valueUpper)),
            ("delta_lower", array(deltaLower)), ("delta_upper", array(deltaUpper)),
        ])
    }

    /// Rebuilds a fitted tokenizer from ``fittedState()``'s tree; encodes and decodes identically.
    public static func restore(_ p: ParameterReader) throws -> VerletTokenizer {
        let config = try VerletConfig(saved: p)
        let t = try VerletTokenizer(config)
        let dims = try p.int("dims", in: 1...1_000_000)
        var arrays: [[Double]] = []
        for key in ["value_lower", "value_upper", "delta_lower", "delta_upper"] {
            let v = try p.doubles(key)
            guard v.count == dims else {
                throw ConfigError(location: p.location, key: key, problem: "expected \(dims) numbers, one per dimension, found \(v.count)")
            }
            arrays.append(v)
        }
        for (lo, hi, key) in [(arrays[0], arrays[1], "value_upper"), (arrays[2], arrays[3], "delta_upper")] {
            if let d = lo.indices.first(where: { lo[$0] > hi[$0] }) {
                throw ConfigError(location: p.location, key: key, problem: "dimension \(d) is below its lower bound")
            }
        }
        try p.finish()
        t.valueLower = arrays[0]; t.valueUpper = arrays[1]; t.deltaLower = arrays[2]; t.deltaUpper = arrays[3]
        t.fittedDims = dims
        t.isFitted = true
        return t
    }

    // MARK: Internals

    /// The nearest of `count` levels spanning `[lo, hi]`, and whether `x` lay more than half a
    /// spacing outside the range (it is then clamped to the end level).
    private func level(_ x: Double, _ lo: Double, _ hi: Double, _ count: Int) -> (index: Int, outside: Bool) {
        let spacing = (hi - lo) / Double(count - 1)
        guard spacing > 0 else { return (0, abs(x - lo) > 1e-12 * max(1, abs(lo))) }   // a constant range: one level
        let raw = ((x - lo) / spacing).rounded()
        if raw < 0 { return (0, true) }
        if raw > Double(count - 1) { return (count - 1, true) }
        return (Int(raw), false)
    }

    /// The value of level `i` of `count` levels spanning `[lo, hi]`.
    private func levelValue(_ i: Int, _ lo: Double, _ hi: Double, _ count: Int) -> Double {
        i == count - 1 ? hi : lo + Double(i) * (hi - lo) / Double(count - 1)
    }

    /// The part of the reconstruction error `e` to correct in one step: all of it up to
    /// `maxChange` levels, beyond that the largest speed from which braking still stops on target.
    private func braked(_ e: Double, spacing: Double) -> Double {
        let m = Double(config.maxChange), z = abs(e) / spacing
        guard spacing > 0, z > m else { return e }
        return ((m * m + 8 * m * z).squareRoot() - m) / 2 * spacing * (e < 0 ? -1 : 1)
    }

    /// The delta index nearest to zero: the previous index of step 1 under `.rest`.
    private func zeroIndex(_ d: Int) -> Int { level(0, deltaLower[d], deltaUpper[d], config.baseBins).index }
}

/// How often Verlet encoding had to clip, over the chunks encoded.
public struct VerletStats: Equatable, Sendable {
    /// Chunks encoded.
    public var chunks = 0
    /// Change tokens emitted (one per dimension for every step after the first delta).
    public var changeTokens = 0
    /// Changes of the delta index larger than `maxChange` in size, clipped to `±maxChange`.
    public var clippedChanges = 0
    /// Deltas more than half a level outside the fitted delta range, clamped to its end.
    public var clippedDeltas = 0
    /// `clippedChanges / changeTokens` (0 when nothing was encoded).
    public var changeClipRate: Double { changeTokens == 0 ? 0 : Double(clippedChanges) / Double(changeTokens) }

    public init() {}
}

/// The Verlet tokenizer's configuration.
public struct VerletConfig: Equatable, Sendable, FieldListedConfig {
    /// What step 1 of a chunk emits, per dimension.
    public enum FirstDelta: String, CaseIterable, Sendable {
        /// The base token of the first delta (vocabulary gains `baseBins` ids).
        case base
        /// A change token relative to a zero delta: the chunk is assumed to start at rest.
        case rest
    }

    /// Levels of the step-0 anchor over each dimension's value range.
    public var anchorBins = 256
    /// Levels of a delta over each dimension's delta range (MotionLM: 128).
    public var baseBins = 128
    /// Largest change of the delta index per step (MotionLM: 6, so 13 change tokens).
    public var maxChange = 6
    /// What step 1 emits (`.rest` keeps the vocabulary to anchors plus change tokens).
    public var firstDelta = FirstDelta.rest
    /// Measure deltas from the reconstruction (closed loop) rather than from the input.
    public var closedLoop = true

    /// Every field: its key and allowed values (the reader, ``validate(location:)`` and saved states use this list).
    public static let fields: [ConfigField<Self>] = [
        .int("anchor_bins", \.anchorBins, in: 2...65_536),
        .int("base_bins", \.baseBins, in: 2...65_536),
        .int("max_change", \.maxChange, in: 0...65_535),
        .choice("first_delta", \.firstDelta),
        .bool("closed_loop", \.closedLoop),
    ]

    /// Every default value, in one place (the property declarations above).
    public static let defaults = VerletConfig()

    /// A configuration holding every default.
    public init() {}

    /// A configuration that changes the given fields and keeps the others' defaults.
    public init(anchorBins: Int = defaults.anchorBins, baseBins: Int = defaults.baseBins, maxChange: Int = defaults.maxChange,
                firstDelta: FirstDelta = defaults.firstDelta, closedLoop: Bool = defaults.closedLoop) {
        self.anchorBins = anchorBins; self.baseBins = baseBins; self.maxChange = maxChange
        self.firstDelta = firstDelta; self.closedLoop = closedLoop
    }

    /// Checks every field, naming the first bad one.
    public func validate(location: String) throws {
        try Self.fields.validate(self, location: location)
        guard maxChange < baseBins else {
            throw ConfigError(location: location, key: "max_change", problem: "must be in 0...\(baseBins - 1) (less than base_bins), found \(maxChange)")
        }
    }
}
