import ActionData
import Dispatch
import Foundation
import Metrics
import Support

/// FAST (Pertsch et al. 2025): percentile normalisation, a DCT along time, rounding, then BPE.
///
/// Encoding a `steps x dims` chunk:
/// 1. normalise each dimension with the fitted 1st and 99th percentiles, `2 (x - q01) / (q99 - q01 +
///    1e-8) - 1` (a constant dimension maps to 0); values beyond the percentiles pass through, as in
///    the FAST paper and openpi, unless ``FASTConfig/clip`` clips them to [-1, 1] as OpenVLA does;
/// 2. take the orthonormal DCT-II of each dimension along time (``DCT``, batched with BLAS);
/// 3. multiply by `gamma` and round half to even (numpy's `around`);
/// 4. flatten low frequencies first: coefficient `k` of dimension `d` goes to index `k * dims + d`;
/// 5. shift by the fitted minimum coefficient, so symbols are `0..<baseSize`, clipping (and
///    counting, in ``stats``) values outside the fitted range, and apply the learned BPE merges.
///
/// Decoding expands the ids, shifts back, divides by `gamma`, applies the inverse DCT and undoes the
/// normalisation. Each failure is counted by kind in ``stats``; ``FASTDecodeMode/strict`` throws
/// ``FASTDecodingError`` and ``FASTDecodeMode/relaxed`` repairs the sequence and reports the repair.
/// The number of tokens depends on the content, so ``tokensPerChunk(steps:dims:)`` is `nil`.
///
/// Round-trip bound: for a chunk whose coefficients lie in the fitted range (inside the clip when
/// clipping; without it, values beyond the percentiles too), the rounding error of each scaled
/// coefficient is at most 0.5, so (the transform being orthonormal) the normalised-space RMSE of a
/// chunk dimension is at most `0.5 / gamma` and each value's error at most `0.5 sqrt(steps) / gamma`.
/// When clipping, the same bound sets the decode range check: a normalised value beyond `1 + 0.5
/// sqrt(steps) / gamma` cannot come from an encoded chunk and counts as out of range. Without
/// clipping an encoded chunk may hold any value, so there is no range check (openpi has none).
///
/// Threads: a fitted tokenizer may encode and decode from several threads at once (scratch buffers
/// come from a pool and the counters are updated under a lock); ``fit(_:)`` must not overlap them.
public final class FASTTokenizer: ActionTokenizer {
    public let name = "fast"
    /// The configuration this tokenizer was created with.
    public let config: FASTConfig
    public internal(set) var isFitted = false
    /// The fitted vocabulary (base symbols plus merges), or the configured target before fitting.
    public var vocabularySize: Int { model?.vocabularySize ?? config.vocabulary }
    /// Counts of clipped coefficients and decode failures and repairs since the last reset.
    public var stats: FASTStatistics { lock.lock(); defer { lock.unlock() }; return counters }
    /// Dimensions seen when fitting.
    public internal(set) var fittedDims = 0
    /// The smallest scaled, rounded coefficient seen when fitting (symbol 0).
    public internal(set) var minCoefficient = 0
    /// The learned BPE model over the shifted coefficients.
    public internal(set) var model: BPEModel?
    /// Chunks per matrix product in the batched paths.
    public static let blockSize = 128

    var normaliser = FASTNormaliser(q01: [], q99: [], constant: [], clip: false)
    private let lock = NSLock()
    private var counters = FASTStatistics()
    private var spareWorkspaces: [FASTWorkspace] = []

    /// Creates an unfitted tokenizer.
    public init(_ config: FASTConfig = FASTConfig()) { self.config = config }

    /// The largest coefficient that has a symbol.
    public var maxCoefficient: Int { minCoefficient + (model?.baseSize ?? 1) - 1 }

    /// The fitted (q01, q99) of dimension `d`.
    public func percentiles(dimension d: Int) -> (q01: Double, q99: Double) { (normaliser.q01[d], normaliser.q99[d]) }

    public func tokensPerChunk(steps: Int, dims: Int) -> Int? { nil }

    /// Sets every counter in ``stats`` back to zero.
    public func resetStatistics() { lock.lock(); counters = FASTStatistics(); lock.unlock() }

    // MARK: Fitting

    public func fit(_ data: ChunkSet) throws {
        guard data.count > 0 else { throw TokenizerError.emptyFittingSet(name) }
        try config.validate()
        let norm = Self.normaliser(data, clip: config.clip)
        let coefficients = Self.integerCoefficients(data.chunks, normaliser: norm, gamma: config.gamma)
        let lo = coefficients.min()!, hi = coefficients.max()!
        let baseSize = Int(hi) - Int(lo) + 1
        guard baseSize <= config.vocabulary else {
            throw ConfigError(location: "tokenizer fast", key: "vocabulary",
                              problem: "the fitted coefficients span \(baseSize) integers (\(lo)...\(hi)), more than the vocabulary \(config.vocabulary); raise vocabulary or lower gamma")
        }
        let symbols = coefficients.map { $0 - lo }
        let merges = BPEModel.learnMerges(symbols, lengths: [Int](repeating: data.steps * data.dims, count: data.count),
                                          baseSize: baseSize, target: config.vocabulary)
        model = try BPEModel(baseSize: baseSize, merges: merges)
        normaliser = norm; minCoefficient = Int(lo); fittedDims = data.dims
        isFitted = true
    }

    /// Scaled, rounded DCT coefficients of every chunk (all one shape), flattened low frequencies first.
    static func integerCoefficients(_ chunks: [ActionChunk], normaliser: FASTNormaliser, gamma: Double) -> [Int32] {
        guard let first = chunks.first else { return [] }
        let per = first.steps * first.dims
        var out = [Int32](repeating: 0, count: chunks.count * per)
        let ws = FASTWorkspace()
        var start = 0
        while start < chunks.count {
            let end = min(chunks.count, start + blockSize)
            ws.forward(chunks[start..<end], normaliser: normaliser)
            let cols = (end - start) * first.dims
            for b in 0..<(end - start) {
                for k in 0..<first.steps {
                    for d in 0..<first.dims {
                        out[(start + b) * per + k * first.dims + d] = Int32((ws.output[k * cols + b * first.dims + d] * gamma).rounded(.toNearestOrEven))
                    }
                }
            }
            start = end
        }
        return out
    }

    /// The scaled, rounded coefficients of `chunk` (before clipping and BPE), low frequencies first.
    public func coefficients(of chunk: ActionChunk) throws -> [Int] {
        try check(dims: chunk.dims)
        return Self.integerCoefficients([chunk], normaliser: normaliser, gamma: config.gamma).map { Int($0) }
    }

    // MARK: Encoding

    public func encode(_ chunk: ActionChunk) throws -> [Int] {
        try encode(batch: [chunk])[0]
    }

    /// Encodes many chunks of one shape, in blocks of ``blockSize`` per matrix product, split over
    /// `threads` threads (each takes a contiguous share of the chunks).
    public func encode(batch: [ActionChunk], threads: Int = 1) throws -> [[Int]] {
        guard let first = batch.first else { return [] }
        try check(dims: first.dims)
        if let bad = batch.firstIndex(where: { $0.steps != first.steps || $0.dims != first.dims }) {
            throw TokenizerError.shapeMismatch(name, "chunk \(bad) is \(batch[bad].steps) x \(batch[bad].dims), chunk 0 is \(first.steps) x \(first.dims)")
        }
        var out = [[Int]](repeating: [], count: batch.count)
        try out.withUnsafeMutableBufferPointer { out in
            try parallel(count: batch.count, threads: threads) { range, ws, stats in
                var start = range.lowerBound
                while start < range.upperBound {
                    let end = min(range.upperBound, start + Self.blockSize)
                    ws.forward(batch[start..<end], normaliser: normaliser)
                    for b in 0..<(end - start) { out[start + b] = ws.tokens(chunk: b, of: end - start, tokenizer: self, stats: &stats) }
                    start = end
                }
            }
        }
        return out
    }

    // MARK: Decoding

    public func decode(_ tokens: [Int], steps: Int, dims: Int) throws -> ActionChunk {
        try decode(tokens, steps: steps, dims: dims, mode: config.decodeMode).chunk
    }

    /// Decodes one sequence in `mode`, returning the chunk and what was found and repaired.
    public func decode(_ tokens: [Int], steps: Int, dims: Int, mode: FASTDecodeMode) throws -> (chunk: ActionChunk, report: FASTDecodeReport) {
        let r = try decodeReports(batch: [tokens], steps: steps, dims: dims, mode: mode, threads: 1)
        return (r.chunks[0], r.reports[0])
    }

    /// Decodes many sequences into chunks of one shape (mode: the configured one unless given).
    public func decode(batch: [[Int]], steps: Int, dims: Int, mode: FASTDecodeMode? = nil, threads: Int = 1) throws -> [ActionChunk] {
        try decodeReports(batch: batch, steps: steps, dims: dims, mode: mode ?? config.decodeMode, threads: threads).chunks
    }

    /// Decodes many sequences, returning one report per sequence alongside the chunks.
    public func decodeReports(batch: [[Int]], steps: Int, dims: Int, mode: FASTDecodeMode, threads: Int = 1) throws
        -> (chunks: [ActionChunk], reports: [FASTDecodeReport]) {
        try check(dims: dims)
        guard steps > 0 else { throw TokenizerError.shapeMismatch(name, "cannot decode into \(steps) steps x \(dims) dims") }
        var chunks = [ActionChunk?](repeating: nil, count: batch.count)
        var reports = [FASTDecodeReport](repeating: FASTDecodeReport(), count: batch.count)
        try chunks.withUnsafeMutableBufferPointer { chunks in
            try reports.withUnsafeMutableBufferPointer { reports in
                try parallel(count: batch.count, threads: threads) { range, ws, stats in
                    var start = range.lowerBound
                    while start < range.upperBound {
                        let end = min(range.upperBound, start + Self.blockSize)
                        try ws.decode(batch[start..<end], steps: steps, tokenizer: self, mode: mode, stats: &stats) { b, chunk, report in
                            chunks[start + b] = chunk; reports[start + b] = report
                        }
                        start = end
                    }
                }
            }
        }
        return (chunks.map { $0! }, reports)
    }

    // MARK: Shared

    private func check(dims: Int) throws {
        try requireFitted()
        try requireDims(dims, fitted: fittedDims, "got")
    }

    /// Runs `body` over `threads` contiguous shares of `0..<count`, each with its own workspace and
    /// counters. Every share's counters are added to ``stats``; the first error (in share order) is
    /// rethrown after all shares finish.
    private func parallel(count: Int, threads: Int,
                          _ body: (Range<Int>, FASTWorkspace, inout FASTStatistics) throws -> Void) throws {
        let n = max(1, min(threads, count / Self.blockSize + 1))
        var parts = [FASTStatistics](repeating: FASTStatistics(), count: n)
        var errors = [Error?](repeating: nil, count: n)
        func share(_ p: Int, _ stats: inout FASTStatistics) -> Error? {
            lock.lock()
            let ws = spareWorkspaces.popLast() ?? FASTWorkspace()
            lock.unlock()
            defer { lock.lock(); spareWorkspaces.append(ws); lock.unlock() }
            do { try body((p * count / n)..<((p + 1) * count / n), ws, &stats) } catch { return error }
            return nil
        }
        if n == 1 {
            errors[0] = share(0, &parts[0])
        } else {
            parts.withUnsafeMutableBufferPointer { partsBuffer in
                errors.withUnsafeMutableBufferPointer { errorBuffer in
                    DispatchQueue.concurrentPerform(iterations: n) { p in errorBuffer[p] = share(p, &partsBuffer[p]) }
                }
            }
        }
        lock.lock()
        for s in parts { counters.add(s) }
        lock.unlock()
        if let e = errors.compactMap({ $0 }).first { throw e }
    }

    // MARK: Saving

    public func fittedState() throws -> ParameterValue {
        try requireFitted()
        let m = model!
        return .table(FASTConfig.fields.entries(of: config) + [
            ("dims", .int(fittedDims)),
            ("q01", .array(normaliser.q01.map { .double($0) })), ("q99", .array(normaliser.q99.map { .double($0) })),
            ("constant", .array(normaliser.constant.map { .int($0 ? 1 : 0) })),
            ("min_coefficient", .int(minCoefficient)), ("base_size", .int(m.baseSize)),
            ("merges", .array(m.merges.map { .array([.int($0.left), .int($0.right)]) })),
        ])
    }

    /// Rebuilds a fitted tokenizer from ``fittedState()``'s tree; errors name the bad key.
    public static func restore(_ p: ParameterReader) throws -> FASTTokenizer {
        let config = try FASTConfig(saved: p)
        let dims = try p.int("dims", in: 1...1_000_000)
        func perDim(_ key: String) throws -> [Double] {
            let v = try p.doubles(key)
            guard v.count == dims else { throw ConfigError(location: p.location, key: key, problem: "expected \(dims) numbers, found \(v.count)") }
            return v
        }
        let q01 = try perDim("q01"), q99 = try perDim("q99")
        let constant = try p.ints("constant", in: 0...1)
        guard constant.count == dims else { throw ConfigError(location: p.location, key: "constant", problem: "expected \(dims) flags, found \(constant.count)") }
        let minCoefficient = try p.int("min_coefficient")
        let baseSize = try p.int("base_size", in: 1...config.vocabulary)
        guard case .array(let items)? = p.value("merges") else {
            throw ConfigError(location: p.location, key: "merges", problem: "missing; expected an array of [left, right] pairs")
        }
        let merges = try items.enumerated().map { (i, item) -> BPEMerge in
            guard case .array(let pair) = item, pair.count == 2, case .int(let l) = pair[0], case .int(let r) = pair[1] else {
                throw ConfigError(location: p.location, key: "merges", problem: "item \(i): expected a pair of integers [left, right], found \(item)")
            }
            return BPEMerge(l, r)
        }
        guard baseSize + merges.count <= config.vocabulary else {
            throw ConfigError(location: p.location, key: "merges", problem: "\(baseSize) base symbols and \(merges.count) merges exceed the vocabulary \(config.vocabulary)")
        }
        try p.finish()
        let t = FASTTokenizer(config)
        do { t.model = try BPEModel(baseSize: baseSize, merges: merges) } catch {
            throw ConfigError(location: p.location, key: "merges", problem: "\(error)")
        }
        t.normaliser = FASTNormaliser(q01: q01, q99: q99, constant: constant.map { $0 != 0 }, clip: config.clip)
        t.minCoefficient = minCoefficient; t.fittedDims = dims; t.isFitted = true
        return t
    }
}

/// The per-dimension percentile normalisation and its inverse.
struct FASTNormaliser {
    let q01: [Double], q99: [Double], constant: [Bool]
    /// Whether normalised values are clipped to [-1, 1] (OpenVLA's formula).
    let clip: Bool
    /// `q99 - q01 + 1e-8` per dimension.
    let width: [Double]

    init(q01: [Double], q99: [Double], constant: [Bool], clip: Bool) {
        self.q01 = q01; self.q99 = q99; self.constant = constant; self.clip = clip
        width = zip(q01, q99).map { $1 - $0 + 1e-8 }
    }

}

extension FASTTokenizer: ReportsClipStatistics, RelaxedDecoding {
    /// Resets every counter in ``stats`` (``resetStatistics()``).
    public func resetClipStatistics() { resetStatistics() }

    /// Coefficients clipped to the fitted range at encoding, out of the coefficients encoded.
    public var clipCount: ClipCount { let s = stats; return ClipCount(clipped: s.encodeClipped, counted: s.encodedCoefficients) }

    /// Decodes in ``FASTDecodeMode/relaxed`` mode; `clean` is whether the sequence needed no repair.
    public func decodeRelaxed(_ tokens: [Int], steps: Int, dims: Int) throws -> (chunk: ActionChunk, clean: Bool) {
        let r = try decode(tokens, steps: steps, dims: dims, mode: .relaxed)
        return (r.chunk, r.report.isClean)
    }
}
