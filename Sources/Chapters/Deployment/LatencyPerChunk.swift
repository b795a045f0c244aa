import ActionData
import Engine
import Foundation
import Lab
import Metrics
import Policies
import Support
import Tokenizers
import Experiments

/// Deployment chapter: seconds to produce one chunk of actions at batch 1, for every contender.
///
/// For every seed, control rate and model width, the token contenders (per-step binning, FAST,
/// BEAST, the residual VQ) generate one chunk's tokens with the KV cache on the shared
/// decoder-only transformer and decode them with their tokenizer; the continuous contenders
/// (flow matching and diffusion at several numbers of network evaluations) sample one chunk from
/// the chunk transformer of the same width and depth. ``ChunkLatency`` calls them in turn, on one
/// engine thread; the claims are ratios of medians measured in the same call. With `vqbet`,
/// VQ-BeT's own policy runs beside them, never judged: per window, one pass of its transformer
/// over the recent observations, its code and offset heads and the residual VQ's decoder, as many
/// windows as make the chunk.
///
/// The models are untrained: what a chunk costs depends on the shapes and on how many tokens or
/// evaluations it takes, not on the weights. Each token policy generates exactly as many tokens
/// as its fitted tokenizer gives the held-out arm chunk of median token count at that rate, and
/// the decode times that chunk's real tokens (an untrained model's tokens would not decode).
public struct LatencyPerChunk: Experiment {
    public let chapter = "deployment"
    public let name = "latency-per-chunk"

    public init() {}

    /// Its results are latencies: it runs alone, after every other experiment's helpers are done.
    public var timesWallClock: Bool { true }

    /// The statistics its claims may name, each with the `select` keys it reads.
    public var statistics: [String: [String]] {
        let range = ["min_rate_hz", "max_rate_hz", "min_width", "max_width"]
        return ["latency_ratio": ["contender", "reference"] + range,
                "latency_vs_fastest_other": ["contender"] + range,
                "latency_vs_slowest_other": ["contender"] + range,
                "rate_growth": ["contender", "min_width", "max_width"]]
    }

    /// A continuous contender: its name (`flow-10`), the ``PolicyRegistry`` method and settings it
    /// is built from, and the network evaluations per chunk its name promises.
    struct ContinuousContender {
        let name: String, method: String
        let settings: ParameterValue
        let evaluations: Int
    }

    /// The experiment's parameters (every default lives in the experiment file).
    public struct Config {
        /// Duration of a chunk, seconds.
        let chunkSeconds: Double
        /// Control rates (Hz) and model widths (`d_model`), ascending.
        let rates: [Double], widths: [Int]
        /// Token contenders (tokenizer registry names) and continuous ones, in table order.
        let tokenizers: [String]
        /// Whether VQ-BeT's own policy over the `rvq` tokenizer is timed too (shown after the token contenders).
        let vqbet: Bool
        let continuous: [ContinuousContender]
        /// The contender the table's ratios divide by.
        let reference: String
        /// Condition steps before the chunk.
        let prefixLength: Int
        /// Arm chunks to fit each tokenizer on, and held-out chunks that set the generated length.
        let fitChunks: Int, heldOutChunks: Int
        /// Timed and untimed calls per contender.
        let repetitions: Int, warmUp: Int
        /// Heads, depth and MLP ratio shared by every model; `d_model` is set per width.
        let policy: TokenPolicyConfig
        let settings: TokenizerSettings

        /// Every contender's name, token contenders first, then VQ-BeT's policy, then the continuous ones.
        var contenders: [String] { tokenizers + (vqbet ? [LatencyPerChunk.vqbet] : []) + continuous.map(\.name) }
    }

    public func configure(_ p: ParameterReader) throws -> Config {
        let rates = try p.doubles("rates_hz", in: 1...10_000)
        let widths = try p.ints("widths", in: 4...4_096)
        for (key, n, distinct) in [("rates_hz", rates.count, Set(rates).count), ("widths", widths.count, Set(widths).count)] where n < 2 || distinct != n {
            throw ConfigError(location: p.location, key: key, problem: "expected at least two distinct values")
        }
        let tokenizers = try p.strings("tokenizers", allowed: TokenizerRegistry.names)
        guard tokenizers.count >= 2 else {
            throw ConfigError(location: p.location, key: "tokenizers", problem: "expected at least two token contenders (the claims compare them with each other)")
        }
        let continuous = try p.strings("continuous").map { try Self.contender($0, location: p.location) }
        guard Set(continuous.map(\.name)).count == continuous.count, !continuous.isEmpty else {
            throw ConfigError(location: p.location, key: "continuous", problem: "expected at least one continuous contender, each named once")
        }
        let vqbet = try p.bool("vqbet", default: false)
        guard !vqbet || tokenizers.contains("rvq") else {
            throw ConfigError(location: p.location, key: "vqbet", problem: "VQ-BeT's policy decodes with the rvq tokenizer; add \"rvq\" to `tokenizers` or set vqbet = false")
        }
        let table = try p.table("policy", required: true)
        for key in ["d_model"] where table.keys.contains(key) {
            throw ConfigError(location: table.location, key: key, problem: "set by `widths`, not here")
        }
        var policy = try TokenPolicyConfig(table)
        policy.trainingSteps = 1; policy.warmupSteps = 0   // only the continuous models' action scaling is fitted
        let widthsSorted = widths.sorted()
        for w in widthsSorted where w % policy.heads != 0 || w % 2 != 0 {
            throw ConfigError(location: p.location, key: "widths", problem: "\(w) is not an even multiple of the \(policy.heads) heads")
        }
        let c = Config(
            chunkSeconds: try p.double("chunk_seconds", in: 0.01...100),
            rates: rates.sorted(), widths: widthsSorted, tokenizers: tokenizers, vqbet: vqbet, continuous: continuous,
            reference: try p.string("reference", allowed: tokenizers + continuous.map(\.name)),
            prefixLength: try p.int("prefix_length", in: 1...10_000),
            fitChunks: try p.int("fit_chunks", in: 10...1_000_000),
            heldOutChunks: try p.int("held_out_chunks", in: 1...100_000),
            repetitions: try p.int("repetitions", in: 1...100_000),
            warmUp: try p.int("warm_up", in: 0...1_000),
            policy: policy,
            settings: try TokenizerSettings(p, tokenizers: tokenizers, measured: tokenizers))
        for rate in c.rates where (rate * c.chunkSeconds).rounded() < 2 {
            throw ConfigError(location: p.location, key: "rates_hz", problem: "\(Format.parameter(rate)) Hz gives fewer than two steps per \(Format.parameter(c.chunkSeconds)) s chunk")
        }
        return c
    }

    /// `flow-N` (flow matching, N Euler steps), `ddim-N` (diffusion, DDIM over N of its 100
    /// training timesteps) or `ddpm-N` (diffusion trained and sampled over N timesteps, every one
    /// an evaluation); the objective is built now, so a bad name fails before any work.
    static func contender(_ name: String, location: String) throws -> ContinuousContender {
        let parts = name.split(separator: "-", maxSplits: 1).map(String.init)
        guard parts.count == 2, let n = Int(parts[1]), n >= 1, ["flow", "ddim", "ddpm"].contains(parts[0]) else {
            throw ConfigError(location: location, key: "continuous", problem: "expected flow-N, ddim-N or ddpm-N with N ≥ 1 network evaluations per chunk, found \"\(name)\"")
        }
        let method = parts[0] == "flow" ? "flow" : "diffusion"
        let settings: ParameterValue
        switch parts[0] {
        case "flow": settings = .table([("inference_steps", .int(n))])
        case "ddim": settings = .table([("sampler", .string("ddim")), ("inference_steps", .int(n))])
        default: settings = .table([("sampler", .string("ddpm")), ("train_timesteps", .int(max(n, 2))), ("inference_steps", .int(n))])
        }
        let objective = try PolicyRegistry.make(method, parameters: ParameterReader(settings, location: "\(location).continuous[\(name)]"))
        guard objective.functionEvaluations == n else {
            throw ConfigError(location: location, key: "continuous", problem: "\(name) runs \(objective.functionEvaluations) network evaluations, not \(n)")
        }
        return ContinuousContender(name: name, method: method, settings: settings, evaluations: n)
    }

    /// The name VQ-BeT's own policy has among the contenders.
    static let vqbet = "vqbet"

    /// One rate and width.
    struct Key: Hashable, Codable { let rate: Double; let width: Int }

    /// What one seed measured: every contender's latency per rate and width (in contender
    /// order), the tokens each tokenizer gives the median held-out chunk per rate, and the hash of
    /// the arm data.
    struct SeedCells: Codable {
        var latency: [Key: [ChunkLatency.Result]]
        var tokens: [Double: [String: Int]]
        var hash: String
    }

    public func run(_ c: Config, context: RunContext) throws -> ExperimentOutcome {
        context.progress.begin(total: context.seeds.count * c.rates.count * c.widths.count,
                               "timing \(c.contenders.count) contenders (\(c.contenders.joined(separator: ", "))) at \(c.rates.map { Format.parameter($0) }.joined(separator: ", ")) Hz and widths \(c.widths.map(String.init).joined(separator: ", "))")
        // One cell for all seeds, in the coordinator alone (``timesWallClock``): nothing else of the run computes meanwhile.
        let perSeed = try context.cell("every seed, timed alone") { () -> [SeedCells] in
            let threads = Parallel.threads
            Parallel.setThreads(1)
            defer { Parallel.setThreads(threads) }
            return try context.seeds.map { try measure(c, seed: $0, context: context) }
        }
        return try outcome(c, perSeed: perSeed, inputHash: StableHash.sha256Hex(perSeed.map(\.hash).joined()))
    }

    /// Fits the tokenizers and times every contender at every rate and width for one seed.
    func measure(_ c: Config, seed: UInt64, context: RunContext) throws -> SeedCells {
        let rng = context.generator(seed: seed)
        var cells = SeedCells(latency: [:], tokens: [:], hash: "")
        for rate in c.rates {
            let arm = RobotArmGenerator(frequency: rate, chunkSeconds: c.chunkSeconds)
            let fit = try arm.chunks(count: c.fitChunks, seed: rng.derived("fit-data-\(rate)").seed)
            let heldOut = try arm.chunks(count: c.heldOutChunks, seed: rng.derived("held-out-data-\(rate)").seed)
            cells.hash += fit.contentHash + heldOut.contentHash
            let (steps, dims) = (fit.steps, fit.dims)
            // VQ-BeT's own tokenizer is the rvq contender's, built from its settings and seed (VQ-BeT's
            // policy needs the residual VQ itself, not any tokenizer): one fit serves both.
            var vqTokenizer: ResidualVQTokenizer?
            if c.vqbet {
                vqTokenizer = try ResidualVQTokenizer(try ResidualVQConfig(ParameterReader(c.settings.table("rvq", steps: steps, seed: seed), location: "\(c.settings.location).rvq")))
            }
            // Each tokenizer, fitted, with the real tokens of its median held-out chunk.
            var tokenizers: [(name: String, tokenizer: any ActionTokenizer, tokens: [Int])] = []
            for name in c.tokenizers {
                let tok: any ActionTokenizer = try (name == "rvq" ? vqTokenizer : nil)
                    ?? c.settings.make(name, steps: steps, seed: seed, location: "\(c.settings.location).\(name)")
                try tok.fit(fit)
                let encoded = try heldOut.chunks.map { try tok.encode($0) }
                let median = encoded.indices.sorted { (encoded[$0].count, $0) < (encoded[$1].count, $1) }[encoded.count / 2]
                tokenizers.append((name, tok, encoded[median]))
            }
            cells.tokens[rate] = Dictionary(uniqueKeysWithValues: tokenizers.map { ($0.name, $0.tokens.count) })
            var conditionRNG = rng.derived("condition-\(rate)")
            let condition = (0..<(c.prefixLength * dims)).map { _ in Float(conditionRNG.nextGaussian() * 0.5) }
            for width in c.widths {
                var config = c.policy
                config.dModel = width
                var probes: [ChunkLatency.Probe] = []
                for t in tokenizers {
                    let policy = try TokenPolicy(config: config, vocabulary: t.tokenizer.vocabularySize, prefixLength: c.prefixLength,
                                                 conditionDim: dims, maxLength: t.tokens.count, seed: rng.derived("token-model-\(t.name)-\(rate)-\(width)").seed)
                    probes.append(Self.tokenProbe(t.name, policy: policy, tokenizer: t.tokenizer, condition: condition, tokens: t.tokens, steps: steps, dims: dims))
                }
                if let vqTokenizer {
                    var vc = VQBeTConfig()
                    vc.history = c.prefixLength; vc.dModel = width; vc.heads = config.heads; vc.blocks = config.layers
                    vc.seed = rng.derived("vqbet-model-\(rate)-\(width)").seed
                    let policy = try VQBeTPolicy(vc, tokenizer: vqTokenizer, observationDim: dims, actionDim: dims)
                    let history = (0..<c.prefixLength).map { i in condition[(i * dims)..<((i + 1) * dims)].map(Double.init) }
                    let window = vqTokenizer.config.window
                    probes.append(Self.vqbetProbe(policy: policy, history: history, windows: (steps + window - 1) / window,
                                                  seed: rng.derived("vqbet-sampling-\(rate)-\(width)").seed))
                }
                for k in c.continuous {
                    let objective = try PolicyRegistry.make(k.method, parameters: ParameterReader(k.settings, location: k.name))
                    let model = try ContinuousChunkModel(objective: objective, config: config, prefixLength: c.prefixLength, conditionDim: dims,
                                                         chunkLength: steps, actionDim: dims, seed: rng.derived("continuous-model-\(k.name)-\(rate)-\(width)").seed)
                    // One training step fits the action scaling sampling needs; the weights stay as good as untrained.
                    try model.train(conditions: Array(repeating: condition, count: fit.count), chunks: fit.chunks.map(\.values))
                    probes.append(.continuous(k.name, model: model, condition: condition, seed: rng.derived("sampling-\(k.name)-\(rate)-\(width)").seed))
                }
                let results = try ChunkLatency.measure(probes, repetitions: c.repetitions, warmUp: c.warmUp)
                cells.latency[Key(rate: rate, width: width)] = results
                let shown = results.filter { ["fast", c.reference].contains($0.name) }.map { "\($0.name) \(Format.number($0.median * 1000)) ms" }
                context.progress.step("seed \(seed) · \(Format.parameter(rate)) Hz · width \(width) · \(shown.joined(separator: ", "))")
            }
        }
        return cells
    }

    /// VQ-BeT's own policy: `windows` calls of its act, each a pass of its transformer over
    /// `history`, its code and offset heads, a draw of each layer's code and the decoder; the
    /// decode happens inside the call and is counted with the model.
    static func vqbetProbe(policy: VQBeTPolicy, history: [[Double]], windows: Int, seed: UInt64) -> ChunkLatency.Probe {
        var rng = SeededGenerator(seed: seed)
        return ChunkLatency.Probe(name: vqbet) {
            let seconds = try Stopwatch.seconds { for _ in 0..<windows { _ = try policy.act([history], rng: &rng) } }
            return ChunkLatency.Sample(modelSeconds: seconds, decodeSeconds: 0, functionEvaluations: windows)
        }
    }

    /// A token contender: generates `tokens.count` tokens from `condition` with the KV cache (end
    /// forbidden), then decodes `tokens`, the real tokens of a held-out chunk, strictly.
    static func tokenProbe(_ name: String, policy: TokenPolicy, tokenizer: any ActionTokenizer, condition: [Float], tokens: [Int],
                           steps: Int, dims: Int) -> ChunkLatency.Probe {
        ChunkLatency.Probe(name: name) {
            let model = try Stopwatch.seconds { _ = try policy.generate(conditions: [condition], length: .fixed(tokens.count)) }
            let decode = try Stopwatch.seconds { _ = try tokenizer.decode(tokens, steps: steps, dims: dims) }
            return ChunkLatency.Sample(modelSeconds: model, decodeSeconds: decode, tokens: tokens.count)
        }
    }
}
