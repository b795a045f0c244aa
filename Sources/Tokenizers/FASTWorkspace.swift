import ActionData

/// Scratch buffers and the hot loops of FAST for one block of chunks; one workspace per thread.
///
/// A block of `count` chunks of `steps x dims` is held as a `steps x (count * dims)` matrix (row `t`
/// holds every chunk's dimensions at step `t`) so that one `cblas_dgemm` transforms the whole block
/// (see ``DCT``). The loops index flat buffers directly: no closures or dictionaries per value.
final class FASTWorkspace {
    private(set) var input: UnsafeMutablePointer<Double> = .allocate(capacity: 1)
    private(set) var output: UnsafeMutablePointer<Double> = .allocate(capacity: 1)
    private var symbols: UnsafeMutablePointer<Int32> = .allocate(capacity: 1)
    private var capacity = 0, symbolCapacity = 0
    private var steps = 0, dims = 0, columns = 0
    private let bpe = BPEWorkspace()

    deinit { input.deallocate(); output.deallocate(); symbols.deallocate() }

    private func reserve(steps: Int, dims: Int, count: Int) {
        self.steps = steps; self.dims = dims; columns = count * dims
        let n = steps * columns
        if n > capacity {
            input.deallocate(); output.deallocate()
            capacity = n
            input = .allocate(capacity: n); output = .allocate(capacity: n)
        }
        if steps * dims > symbolCapacity {
            symbols.deallocate(); symbolCapacity = steps * dims
            symbols = .allocate(capacity: symbolCapacity)
        }
    }

    /// Normalises `chunks` (one shape) into the block matrix and takes the DCT-II along time; the
    /// unscaled coefficient `k` of dimension `d` of the `b`-th chunk is then `output[k * columns + b * dims + d]`.
    func forward(_ chunks: ArraySlice<ActionChunk>, normaliser: FASTNormaliser) {
        guard let first = chunks.first else { return }
        let t = first.steps, d = first.dims
        reserve(steps: t, dims: d, count: chunks.count)
        let cols = columns, input = input
        let clip = normaliser.clip
        normaliser.q01.withUnsafeBufferPointer { q01 in
            normaliser.width.withUnsafeBufferPointer { width in
                normaliser.constant.withUnsafeBufferPointer { constant in
                    for (b, chunk) in chunks.enumerated() {
                        chunk.values.withUnsafeBufferPointer { v in
                            for s in 0..<t {
                                let row = input + s * cols + b * d
                                for j in 0..<d {
                                    let x = 2 * (v[s * d + j] - q01[j]) / width[j] - 1
                                    row[j] = constant[j] ? 0 : clip ? min(1, max(-1, x)) : x
                                }
                            }
                        }
                    }
                }
            }
        }
        DCT.multiply(basis: DCT.basis(steps: t), inverse: false, steps: t, columns: cols, input, output)
    }

    /// The tokens of the `b`-th chunk after ``forward(_:normaliser:)``: scale, round, clip (counted), BPE.
    func tokens(chunk b: Int, of count: Int, tokenizer: FASTTokenizer, stats: inout FASTStatistics) -> [Int] {
        let model = tokenizer.model!
        let gamma = tokenizer.config.gamma
        let lo = Double(tokenizer.minCoefficient), hi = Double(tokenizer.maxCoefficient)
        let t = steps, d = dims, cols = columns
        var below = 0, above = 0
        for k in 0..<t {
            let row = output + k * cols + b * d
            for j in 0..<d {
                var v = (row[j] * gamma).rounded(.toNearestOrEven)
                if v < lo { below += 1; v = lo } else if v > hi { above += 1; v = hi }
                symbols[k * d + j] = Int32(v - lo)
            }
        }
        stats.encodedChunks += 1; stats.encodedCoefficients += t * d; stats.encodeClippedBelow += below; stats.encodeClippedAbove += above
        var out: [Int] = []
        out.reserveCapacity(64)
        bpe.encode(UnsafeBufferPointer(start: symbols, count: t * d), model: model, into: &out)
        return out
    }

    /// Decodes a block of token sequences into `steps x fittedDims` chunks, calling `emit` for each.
    ///
    /// Checks, in order: unknown ids, the coefficient count, then the range of the decoded values
    /// (constant dimensions are skipped: they decode to their constant). Every failure is counted
    /// in `stats`; strict mode throws at the first failing sequence, relaxed mode repairs it.
    func decode(_ batch: ArraySlice<[Int]>, steps t: Int, tokenizer: FASTTokenizer, mode: FASTDecodeMode,
                stats: inout FASTStatistics, emit: (Int, ActionChunk, FASTDecodeReport) throws -> Void) throws {
        let d = tokenizer.fittedDims, per = t * d, count = batch.count
        reserve(steps: t, dims: d, count: count)
        let model = tokenizer.model!, vocabulary = model.vocabularySize
        let gamma = tokenizer.config.gamma, lo = tokenizer.minCoefficient
        // The range an encoded chunk decodes within: only clipped normalisation has one.
        let limit = tokenizer.normaliser.clip ? 1 + 0.5 * Double(t).squareRoot() / gamma + 1e-9 : .infinity
        let cols = columns, input = input, output = output
        let strict = mode == .strict
        var reports = [FASTDecodeReport](repeating: FASTDecodeReport(), count: count)
        try model.expansionStart.withUnsafeBufferPointer { start in
            try model.expansion.withUnsafeBufferPointer { expansion in
                for (b, tokens) in batch.enumerated() {
                    var r = FASTDecodeReport()
                    r.expectedCoefficients = per
                    var firstUnknown = -1
                    for (p, id) in tokens.enumerated() {
                        if id < 0 || id >= vocabulary {
                            r.unknownIds += 1
                            if firstUnknown < 0 { firstUnknown = p }
                        } else {
                            r.coefficients += Int(start[id + 1] - start[id])
                        }
                    }
                    if strict {
                        if r.unknownIds > 0 {
                            stats.record(r)
                            throw FASTDecodingError.unknownIds(count: r.unknownIds, id: tokens[firstUnknown], position: firstUnknown, vocabularySize: vocabulary)
                        }
                        if r.coefficients != per {
                            stats.record(r)
                            throw FASTDecodingError.wrongCoefficientCount(expected: per, got: r.coefficients)
                        }
                    } else if r.coefficients > per {
                        r.truncated = r.coefficients - per
                    } else {
                        r.padded = per - r.coefficients
                    }
                    // Fill column block b: coefficient c = k * d + j goes to input[k * cols + b * d + j].
                    var c = 0, k = 0, j = 0
                    fill: for id in tokens where id >= 0 && id < vocabulary {
                        for e in Int(start[id])..<Int(start[id + 1]) {
                            if c == per { break fill }
                            input[k * cols + b * d + j] = Double(Int(expansion[e]) + lo) / gamma
                            c += 1; j += 1
                            if j == d { j = 0; k += 1 }
                        }
                    }
                    while c < per {
                        input[k * cols + b * d + j] = 0
                        c += 1; j += 1
                        if j == d { j = 0; k += 1 }
                    }
                    reports[b] = r
                }
            }
        }
        DCT.multiply(basis: DCT.basis(steps: t), inverse: true, steps: t, columns: cols, input, output)
        let n = tokenizer.normaliser
        for b in 0..<count {
            var r = reports[b], worst = 0.0
            var values = [Double](repeating: 0, count: per)
            n.q01.withUnsafeBufferPointer { q01 in
                n.width.withUnsafeBufferPointer { width in
                    n.constant.withUnsafeBufferPointer { constant in
                        values.withUnsafeMutableBufferPointer { values in
                            for s in 0..<t {
                                let row = output + s * cols + b * d
                                for j in 0..<d {
                                    if constant[j] { values[s * d + j] = q01[j]; continue }
                                    var v = row[j]
                                    if abs(v) > limit {
                                        r.outOfRange += 1; worst = max(worst, abs(v))
                                        v = min(limit, max(-limit, v))
                                    }
                                    values[s * d + j] = (v + 1) / 2 * width[j] + q01[j]
                                }
                            }
                        }
                    }
                }
            }
            stats.record(r)
            if strict, r.outOfRange > 0 { throw FASTDecodingError.outOfRange(count: r.outOfRange, worst: worst, limit: limit) }
            try emit(b, try ActionChunk(steps: t, dims: d, values: values), r)
        }
    }
}
