import ActionData
import Engine
import Foundation
import Support

/// VQ-BeT's action tokenizer (arXiv 2403.03181): a residual VQ autoencoder over windows of actions.
///
/// - A chunk of `T` steps is cut into `ceil(T / W)` consecutive windows of `W` actions (the last
///   one padded by repeating its final action); each window, standardised per dimension with the
///   fitting set's mean and deviation and flattened to `W x D` values, is one encoder input.
/// - Encoder: an MLP `W·D -> hidden... -> latent`; decoder: the mirror image. ReLU between layers.
/// - The latent is quantised by a ``ResidualQuantizer`` with `N` layers of `K` codes, whose
///   codebooks follow moving averages; the encoder is trained through the quantiser by the
///   straight-through estimator (the decoder sees the quantised latent, the encoder receives the
///   decoder's gradient unchanged).
/// - Loss: L1 reconstruction of the standardised window plus `commitment_weight` times the
///   commitment loss, the mean squared distance between the latent and each layer's running sum
///   of codes (summed over layers), which keeps the encoder close to its codes.
///
/// Tokens: window `w`, layer `l`, code `c` is token `tokens[w * N + l] = l * K + c`, so the
/// vocabulary is `N x K` and a token says which layer it belongs to; an id in the wrong layer's
/// range is an unknown id there.
public final class ResidualVQTokenizer: ActionTokenizer {
    public let name = "rvq"
    /// The configuration.
    public let config: ResidualVQConfig
    public var vocabularySize: Int { config.layers * config.codebookSize }
    public internal(set) var isFitted = false
    /// Action dimensions seen when fitting.
    public private(set) var fittedDims = 0
    /// Per-dimension mean and standard deviation of the fitting windows.
    public internal(set) var mean: [Double] = [], deviation: [Double] = []
    /// The encoder and decoder (built when fitting or restoring).
    public internal(set) var encoder: MLP?, decoder: MLP?
    /// The codebooks.
    public internal(set) var quantizer: ResidualQuantizer?
    /// What the last ``fit(_:)`` did: loss per logged step and dead codes replaced.
    public internal(set) var training = ResidualVQTraining()
    /// Receives a report per logged training step, phase `rvq`, with the L1 reconstruction term (`nil`: silent).
    public var progress: ((TrainingProgress) -> Void)?

    /// Creates an unfitted tokenizer; throws a ``ConfigError`` naming the bad field.
    public init(_ config: ResidualVQConfig = ResidualVQConfig()) throws {
        try config.validate(location: "rvq")
        self.config = config
    }

    public func tokensPerChunk(steps: Int, dims: Int) -> Int? { config.layers * windows(steps) }

    /// Windows a chunk of `steps` steps is cut into.
    public func windows(_ steps: Int) -> Int { (steps + config.window - 1) / config.window }

    /// The encoder and decoder for windows of `dims`-dimensional actions, drawn from `rng`.
    func networks(dims: Int, rng: SeededGeneratorBox) -> (encoder: MLP, decoder: MLP) {
        let width = config.window * dims
        return (MLP([width] + config.hidden + [config.latentDim], activation: .relu, rng: rng),
                MLP([config.latentDim] + config.hidden.reversed() + [width], activation: .relu, rng: rng))
    }

    // MARK: Fitting

    public func fit(_ data: ChunkSet) throws {
        let x = try standardisedFittingWindows(data)
        let run = train(x, quantised: true)
        encoder = run.encoder; decoder = run.decoder; quantizer = run.quantizer; training = run.report
        isFitted = true
    }

    /// Sets the standardisation from `data`'s windows and returns them standardised (`rows x W·D`).
    func standardisedFittingWindows(_ data: ChunkSet) throws -> [Float] {
        guard data.count > 0 else { throw TokenizerError.emptyFittingSet(name) }
        let D = data.dims, W = config.window, width = W * D
        var raw: [Double] = []
        for chunk in data.chunks { raw += windowValues(chunk) }
        let rows = raw.count / width
        // Standardise per dimension.
        var m = [Double](repeating: 0, count: D), v = [Double](repeating: 0, count: D)
        for (i, x) in raw.enumerated() { m[i % D] += x }
        m = m.map { $0 / Double(rows * W) }
        for (i, x) in raw.enumerated() { v[i % D] += (x - m[i % D]) * (x - m[i % D]) }
        let s = v.map { max(($0 / Double(rows * W)).squareRoot(), 1e-6) }
        mean = m; deviation = s; fittedDims = D
        return standardised(raw)
    }

    /// Trains the encoder and decoder on the standardised windows `x`: through the quantiser (the
    /// tokenizer's fit), or, with `quantised` false, with the quantiser bypassed and no commitment
    /// term (the unquantised floor). Both draw the same weights and batches from the seed.
    func train(_ x: [Float], quantised: Bool) -> (encoder: MLP, decoder: MLP, quantizer: ResidualQuantizer?, report: ResidualVQTraining) {
        let D = fittedDims, width = config.window * D, rows = x.count / width
        let rng = SeededGenerator(seed: config.seed)
        let (enc, dec) = networks(dims: D, rng: SeededGeneratorBox(rng.derived("weights")))
        var q: ResidualQuantizer?
        var codebookRNG = rng.derived("codebooks")
        if quantised {
            var books = ResidualQuantizer(layers: config.layers, codebookSize: config.codebookSize, dim: config.latentDim, rng: &codebookRNG)
            initialiseCodebooks(&books, encoder: enc, x: x, rows: rows, rng: &codebookRNG)
            q = books
        }
        let opt = AdamW(enc.parameters + dec.parameters, learningRate: Float(config.learningRate))
        var draws = rng.derived("batches"), deadRNG = rng.derived("dead codes")
        var report = ResidualVQTraining()
        let B = min(config.batchSize, rows), L = config.latentDim
        let logEvery = max(config.trainSteps / 10, 1)
        let t0 = monotonicSeconds()
        for step in 0..<config.trainSteps {
            var batch = [Float](repeating: 0, count: B * width)
            for b in 0..<B {
                let r = draws.nextInt(below: rows)
                for j in 0..<width { batch[b * width + j] = x[r * width + j] }
            }
            let input = Tensor(shape: [B, width], scalars: batch)
            let z = enc(input)
            let recon: Tensor
            var loss: Tensor
            if quantised {
                let zv = z.scalars
                let (codes, partial) = q!.quantize(zv, rows: B)
                let quantisedLatent = partial[config.layers - 1]
                // Straight-through: the value of the quantised latent, the gradient of the identity.
                let shift = Tensor(shape: [B, L], scalars: zip(quantisedLatent, zv).map { $0 - $1 })
                recon = Loss.l1(dec(z + shift), input)
                loss = recon
                if config.commitmentWeight > 0 {
                    var commit = Loss.mse(z, Tensor(shape: [B, L], scalars: partial[0]))
                    for l in 1..<config.layers { commit = commit + Loss.mse(z, Tensor(shape: [B, L], scalars: partial[l])) }
                    loss = loss + commit * Float(config.commitmentWeight)
                }
                loss.backward()
                opt.step()
                opt.zeroGrad()
                // Moving averages from the residuals each layer quantised.
                for l in 0..<config.layers {
                    let residual = l == 0 ? zv : zip(zv, partial[l - 1]).map { $0 - $1 }
                    q!.update(layer: l, residuals: residual, codes: codes[l], decay: Float(config.emaDecay))
                    report.deadCodesReplaced += q!.replaceDeadCodes(layer: l, threshold: Float(config.deadCodeThreshold),
                                                                    residuals: residual, rows: B, rng: &deadRNG)
                }
            } else {
                recon = Loss.l1(dec(z), input)
                loss = recon
                loss.backward()
                opt.step()
                opt.zeroGrad()
            }
            if step == 0 || (step + 1) % logEvery == 0 || step + 1 == config.trainSteps {
                report.losses.append(ResidualVQTraining.Point(step: step + 1, loss: Double(loss.item), reconstruction: Double(recon.item)))
                let elapsed = monotonicSeconds() - t0
                progress?(TrainingProgress(phase: quantised ? "rvq" : "rvq floor", step: step + 1, totalSteps: config.trainSteps, loss: Double(loss.item),
                                           terms: [.init("L1", Double(recon.item))], elapsed: elapsed))
            }
        }
        return (enc, dec, q, report)
    }

    /// Starts each layer's codes at latents of the untrained encoder: `K` drawn at random from up
    /// to 4,096 windows for layer 0, from their residuals for the next layers; with `kmeans_init`,
    /// refined by 20 Lloyd iterations. (Codes drawn from a fixed distribution instead would sit at
    /// a scale unrelated to the encoder's and mostly never be picked.)
    private func initialiseCodebooks(_ q: inout ResidualQuantizer, encoder: MLP, x: [Float], rows: Int, rng: inout SeededGenerator) {
        let width = config.window * fittedDims, n = min(rows, 4_096), L = config.latentDim, K = config.codebookSize
        let z = Tape.noGrad { encoder(Tensor(shape: [n, width], scalars: Array(x[0..<(n * width)]))).scalars }
        var residual = z
        for l in 0..<config.layers {
            let codes: [Float]
            if config.kmeansInit {
                codes = ResidualQuantizer.kmeans(residual, rows: n, dim: L, k: K, iterations: 20, rng: &rng)
            } else {
                var order = Array(0..<n)
                rng.shuffle(&order)
                codes = (0..<K).flatMap { c in residual[(order[c % n] * L)..<(order[c % n] * L + L)] }
            }
            q.setCodebook(layer: l, codes)
            let c = q.nearest(residual, rows: n, layer: l)
            for r in 0..<n { for d in 0..<L { residual[r * L + d] -= q.codebooks[l][c[r] * L + d] } }
        }
    }

    // MARK: Encoding and decoding

    public func encode(_ chunk: ActionChunk) throws -> [Int] {
        let codes = try codes(of: chunk)
        let n = codes.first?.count ?? 0
        var tokens = [Int](repeating: 0, count: n * config.layers)
        for w in 0..<n { for l in 0..<config.layers { tokens[w * config.layers + l] = l * config.codebookSize + codes[l][w] } }
        return tokens
    }

    /// The codes of every window of `chunk`, `codes[layer][window]`.
    public func codes(of chunk: ActionChunk) throws -> [[Int]] {
        try codes(ofAll: [chunk])
    }

    /// The codes of every window of every chunk, encoded in one batch: `codes[layer][row]`, the
    /// rows being the first chunk's windows, then the second's, and so on.
    public func codes(ofAll chunks: [ActionChunk]) throws -> [[Int]] {
        try requireFitted()
        guard !chunks.isEmpty else { return Array(repeating: [], count: config.layers) }
        var values: [Double] = []
        for chunk in chunks {
            try requireDims(chunk.dims, fitted: fittedDims, "chunk has")
            values += windowValues(chunk)
        }
        let rows = values.count / (config.window * fittedDims)
        return quantizer!.quantize(try latents(standardised(values), rows: rows), rows: rows).codes
    }

    /// The encoder's unquantised latents of `rows` standardised windows.
    public func latents(_ x: [Float], rows: Int) throws -> [Float] {
        try requireFitted()
        return Tape.noGrad { encoder!(Tensor(shape: [rows, config.window * fittedDims], scalars: x)).scalars }
    }

    public func decode(_ tokens: [Int], steps: Int, dims: Int) throws -> ActionChunk {
        try requireDecodable(tokens, steps: steps, dims: dims, fitted: fittedDims)
        let n = windows(steps), N = config.layers, K = config.codebookSize
        var codes = [[Int]](repeating: [Int](repeating: 0, count: n), count: N)
        for w in 0..<n {
            for l in 0..<N {
                let t = tokens[w * N + l], c = t - l * K
                guard (0..<K).contains(c) else {
                    throw TokenizerError.shapeMismatch(name, "token \(t) at position \(w * N + l) belongs to layer \(t / K), expected layer \(l) (ids \(l * K)..<\((l + 1) * K))")
                }
                codes[l][w] = c
            }
        }
        return try chunk(fromStandardised: decodeStandardised(codes: codes), steps: steps)
    }

    /// The decoder's standardised windows (`windows x W·D`) for `codes[l][w]`; passing only the
    /// first layers' codes decodes the coarser latent they sum to.
    public func decodeStandardised(codes: [[Int]]) throws -> [Float] {
        try requireFitted()
        let rows = codes.first?.count ?? 0
        let z = quantizer!.latents(codes: codes)
        return Tape.noGrad { decoder!(Tensor(shape: [rows, config.latentDim], scalars: z)).scalars }
    }

    /// Standardises raw window values (`rows x W·D`, as cut by ``windowValues(_:)``).
    public func standardised(_ raw: [Double]) -> [Float] {
        raw.enumerated().map { Float(($1 - mean[$0 % fittedDims]) / deviation[$0 % fittedDims]) }
    }

    /// The first `steps` actions of consecutive standardised windows, back in action units.
    public func chunk(fromStandardised x: [Float], steps: Int) throws -> ActionChunk {
        let D = fittedDims
        let values = (0..<(steps * D)).map { Double(x[$0]) * deviation[$0 % D] + mean[$0 % D] }
        return try ActionChunk(steps: steps, dims: D, values: values)
    }

    /// The chunk cut into windows of `W` actions, the last padded with its final action, flattened.
    public func windowValues(_ chunk: ActionChunk) -> [Double] {
        let n = windows(chunk.steps), D = chunk.dims
        var out = [Double](repeating: 0, count: n * config.window * D)
        for t in 0..<(n * config.window) {
            let src = min(t, chunk.steps - 1)
            for d in 0..<D { out[t * D + d] = chunk.values[src * D + d] }
        }
        return out
    }

    /// Code usage over `data`: distinct codes per layer, distinct combinations, perplexity.
    public func usage(_ data: ChunkSet) throws -> CodeUsage {
        var perLayer = [[Int]](repeating: [Int](repeating: 0, count: config.codebookSize), count: config.layers)
        var combinations = Set<[Int]>()
        for chunk in data.chunks {
            let c = try codes(of: chunk)
            for w in 0..<(c.first?.count ?? 0) {
                for l in 0..<config.layers { perLayer[l][c[l][w]] += 1 }
                combinations.insert((0..<config.layers).map { c[$0][w] })
            }
        }
        return CodeUsage(counts: perLayer, combinations: combinations.count)
    }

    // MARK: State

    public func fittedState() throws -> ParameterValue {
        try requireFitted()
        var weights: [(key: String, value: ParameterValue)] = []
        for (prefix, m) in [("encoder", encoder!), ("decoder", decoder!)] {
            for (n, t) in m.namedParameters() { weights.append(("\(prefix).\(n)", .array(t.scalars.map { .double(Double($0)) }))) }
        }
        return .table([
            ("config", config.parameters), ("dims", .int(fittedDims)),
            ("mean", .array(mean.map { .double($0) })), ("deviation", .array(deviation.map { .double($0) })),
            ("codebooks", .array(quantizer!.codebooks.map { .array($0.map { .double(Double($0)) }) })),
            ("weights", .table(weights)),
        ])
    }

    /// Rebuilds a fitted tokenizer from ``fittedState()``'s tree; encodes and decodes identically.
    public static func restore(_ p: ParameterReader) throws -> ResidualVQTokenizer {
        let config = try ResidualVQConfig(try p.table("config", required: true))
        let t = try ResidualVQTokenizer(config)
        let dims = try p.int("dims", in: 1...1_000_000)
        t.mean = try p.doubles("mean"); t.deviation = try p.doubles("deviation")
        guard t.mean.count == dims else { throw ConfigError(location: p.location, key: "mean", problem: "expected \(dims) numbers, found \(t.mean.count)") }
        guard t.deviation.count == dims, t.deviation.allSatisfy({ $0 > 0 }) else {
            throw ConfigError(location: p.location, key: "deviation", problem: "expected \(dims) positive numbers")
        }
        t.fittedDims = dims
        guard case .array(let books)? = p.value("codebooks"), books.count == config.layers else {
            throw ConfigError(location: p.location, key: "codebooks", problem: "expected \(config.layers) codebooks")
        }
        var codebooks: [[Float]] = []
        for (l, b) in books.enumerated() {
            let values = try ParameterReader(.table([("v", b)]), location: "\(p.location).codebooks[\(l)]").doubles("v")
            guard values.count == config.codebookSize * config.latentDim else {
                throw ConfigError(location: p.location, key: "codebooks", problem: "layer \(l) has \(values.count) numbers, expected \(config.codebookSize) x \(config.latentDim)")
            }
            codebooks.append(values.map(Float.init))
        }
        let (enc, dec) = t.networks(dims: dims, rng: SeededGeneratorBox(seed: 0))
        let w = try p.table("weights", required: true)
        var tensors: [String: Tensor] = [:]
        for (prefix, m) in [("encoder", enc), ("decoder", dec)] {
            for (n, param) in m.namedParameters() {
                tensors["\(prefix).\(n)"] = Tensor(shape: param.shape, scalars: try w.doubles("\(prefix).\(n)").map(Float.init))
            }
        }
        try w.finish()
        try t.load(tensors, encoder: enc, decoder: dec)
        t.quantizer = ResidualQuantizer(codebooks: codebooks, dim: config.latentDim)
        try p.finish()
        t.isFitted = true
        return t
    }

    /// The encoder, decoder and codebooks as named tensors, for a safetensors checkpoint.
    public func checkpoint() throws -> [String: Tensor] {
        try requireFitted()
        var out: [String: Tensor] = [:]
        for (n, t) in encoder!.namedParameters() { out["encoder.\(n)"] = t }
        for (n, t) in decoder!.namedParameters() { out["decoder.\(n)"] = t }
        for (l, b) in quantizer!.codebooks.enumerated() { out["codebooks.\(l)"] = Tensor(shape: [config.codebookSize, config.latentDim], scalars: b) }
        out["mean"] = Tensor(shape: [fittedDims], scalars: mean.map(Float.init))
        out["deviation"] = Tensor(shape: [fittedDims], scalars: deviation.map(Float.init))
        return out
    }

    /// Writes ``checkpoint()`` as safetensors, with the configuration and the exact (double)
    /// normalisation in the metadata.
    public func save(to url: URL) throws {
        try SafeTensors.write(try checkpoint(), to: url, metadata: [
            "format": "vla-workbench rvq", "config": config.parameters.canonicalJSON,
            "mean": mean.map { JSONNumber.format($0) }.joined(separator: ","),
            "deviation": deviation.map { JSONNumber.format($0) }.joined(separator: ","),
        ])
    }

    /// Reads a checkpoint written by ``save(to:)``.
    public static func load(from url: URL) throws -> ResidualVQTokenizer {
        let (tensors, meta) = try SafeTensors.read(url)
        guard meta["format"] == "vla-workbench rvq", let json = meta["config"] else {
            throw ConfigError(location: url.path, key: "__metadata__", problem: "not a residual VQ checkpoint (no format or config entry)")
        }
        let config = try ResidualVQConfig(try ParameterReader(try ParameterValue.parseJSON(Data(json.utf8), source: url.path), location: "\(url.path) config"))
        let t = try ResidualVQTokenizer(config)
        func numbers(_ key: String) throws -> [Double] {
            guard let s = meta[key] else { throw ConfigError(location: url.path, key: key, problem: "missing from the metadata") }
            return try s.split(separator: ",").map { guard let d = Double($0) else { throw ConfigError(location: url.path, key: key, problem: "'\($0)' is not a number") }; return d }
        }
        t.mean = try numbers("mean"); t.deviation = try numbers("deviation")
        let dims = t.mean.count
        guard dims > 0, t.deviation.count == dims else { throw ConfigError(location: url.path, key: "deviation", problem: "expected \(dims) numbers") }
        t.fittedDims = dims
        let (enc, dec) = t.networks(dims: dims, rng: SeededGeneratorBox(seed: 0))
        var named: [String: Tensor] = [:]
        for (n, x) in tensors where n.hasPrefix("encoder.") || n.hasPrefix("decoder.") { named[n] = x }
        try t.load(named, encoder: enc, decoder: dec)
        var books: [[Float]] = []
        for l in 0..<config.layers {
            guard let b = tensors["codebooks.\(l)"], b.shape == [config.codebookSize, config.latentDim] else {
                throw EngineError.missingTensor("codebooks.\(l) [\(config.codebookSize), \(config.latentDim)]")
            }
            books.append(b.scalars)
        }
        t.quantizer = ResidualQuantizer(codebooks: books, dim: config.latentDim)
        t.isFitted = true
        return t
    }

    private func load(_ tensors: [String: Tensor], encoder enc: MLP, decoder dec: MLP) throws {
        var e: [String: Tensor] = [:], d: [String: Tensor] = [:]
        for (n, x) in tensors {
            if n.hasPrefix("encoder.") { e[String(n.dropFirst(8))] = x } else if n.hasPrefix("decoder.") { d[String(n.dropFirst(8))] = x }
        }
        try enc.load(e); try dec.load(d)
        encoder = enc; decoder = dec
    }
}

/// What fitting a residual VQ autoencoder did.
public struct ResidualVQTraining: Equatable, Sendable {
    /// One logged step: total loss and its L1 reconstruction part (standardised units).
    public struct Point: Equatable, Sendable {
        public var step: Int, loss: Double, reconstruction: Double
    }
    /// The logged steps (the first, then about ten more).
    public var losses: [Point] = []
    /// Codes replaced by dead-code replacement over the whole fit.
    public var deadCodesReplaced = 0
}

extension ResidualVQTokenizer: ReportsProgress, ReportsCodeUsage, Windowed {
    /// Steps per window (``ResidualVQConfig/window``).
    public var window: Int { config.window }
    /// The L1 reconstruction term at the logged steps of the last fit (standardised units).
    public var fitLossCurve: [FitLossPoint] { training.losses.map { FitLossPoint(step: $0.step, loss: $0.reconstruction) } }
}
