import ActionData
import Foundation
import Lab
import Metrics
import Policies
import Simulation
import Support
import Tokenizers
import Experiments

/// Applications chapter: how fine a target each policy can stop on (the audit's dexterous
/// manipulation).
///
/// Per seed, a scripted expert's noisy demonstrations of ``Simulation/PrecisionTask`` (come to
/// rest on a target, seeing only the error) train every contender behind the one policy
/// protocol: token policies with each tokenizer (per-step binning at several bin counts, OpenVLA's
/// binning, FAST, BEAST), VQ-BeT with and without its offset head, and the continuous policies.
/// All act in chunks of the same length on the same transformer size and training budget, and
/// run the same seeded episodes. Each episode's final distance to the target gives success at
/// every tolerance at once; each tokenizer's resolution is measured as its round-trip error on
/// held-out demonstration chunks.
public struct TargetPrecision: Experiment {
    public let chapter = "applications"
    /// The experiment file's name: `precision`, or `precision-training` (the same task with the
    /// claim's contenders trained for VQ-BeT's 20,000 steps, a full-profile block).
    public let name: String

    public init(name: String = "precision") { self.name = name }

    /// The statistics its claims may name, each with the `select` keys it reads.
    public var statistics: [String: [String]] {
        ["resolution_drop": ["contenders", "coarse", "fine"],
         "tolerance_ratio": ["contenders", "versus"]]
    }

    /// One contender: its name (a column of every table) and what it is.
    struct Contender: Equatable {
        enum Kind: Equatable {
            /// A token policy over the registered tokenizer `name`, with its settings.
            case tokenizer(name: String, settings: ParameterValue)
            /// VQ-BeT's policy over its residual VQ, with or without the offset head.
            case vqbet(offsets: Bool)
            /// A continuous policy (PolicyRegistry name) with its settings.
            case continuous(name: String, settings: ParameterValue)
        }
        let name: String, kind: Kind
        /// The palette key of its colour.
        var palette: String {
            switch kind {
            case .tokenizer(let n, _): return n
            case .vqbet(let offsets): return offsets ? "rvq" : "verlet"
            case .continuous(let n, _): return n
            }
        }
        /// Whether it has a tokenizer, whose round-trip error is its resolution.
        var isTokenized: Bool { if case .continuous = kind { return false } else { return true } }
    }

    public struct Config {
        let task: PrecisionTask
        let contenders: [Contender]
        let tolerances: [Double]          // the grid of the success table and figure, descending
        let successLevel: Double          // the success rate at which "the tolerance reached" is read
        let residual: ResidualVQConfig    // VQ-BeT's tokenizer; its window is every policy's chunk
        let vqbet: VQBeTConfig            // VQ-BeT's policy (history and offsets set here)
        let model: TokenPolicyConfig      // the shared transformer of the token and continuous policies
        let trainDemos: Int, testDemos: Int, episodes: Int
        var chunk: Int { residual.window }
    }

    public func configure(_ p: ParameterReader) throws -> Config {
        let t = try p.table("task", required: true)
        let task: PrecisionTask
        do {
            task = try PrecisionTask(dims: try t.int("dims", in: 1...16), steps: try t.int("steps", in: 1...100_000),
                                     maxStep: try t.double("max_step", in: 1e-9...1e6), range: try t.double("range", in: 1e-9...1e6),
                                     gain: try t.double("expert_gain", in: 1e-6...1), noise: try t.double("expert_noise", in: 0...0.99))
        } catch let e as SimulationError {
            throw ConfigError(location: t.location, key: "task", problem: "\(e)")
        }
        try t.finish()
        let residual = try VQBeTStudy.residualVQ(p)
        var vqbet = try VQBeTStudy.policy(p, offsets: "set by the experiment: VQ-BeT runs with and without its offset head")
        let modelTable = try p.table("model", required: true)
        try modelTable.reject("seed", because: "drawn per seed by the experiment")
        let model = try TokenPolicyConfig(modelTable)
        vqbet.history = 1   // every policy sees the current error only (the task is Markov in it)

        var contenders: [Contender] = []
        let settings = try p.table("settings")
        let sweeps = try p.table("sweeps")
        for name in try p.strings("tokenizers", allowed: TokenizerRegistry.names.filter { $0 != "rvq" }) {
            let base = settings.value(name) ?? .table([])
            if let sweep = sweeps.value(name) {
                guard case .table(let entries) = sweep, entries.count == 1, case .array(let values) = entries[0].value, !values.isEmpty else {
                    throw ConfigError(location: sweeps.location, key: name, problem: "expected one setting with an array of values, e.g. { bins = [8, 256] }")
                }
                for v in values {
                    let merged = base.merged(with: .table([(key: entries[0].key, value: v)]))
                    contenders.append(Contender(name: "\(name)-\(Self.label(v))", kind: .tokenizer(name: name, settings: merged)))
                }
            } else {
                contenders.append(Contender(name: name, kind: .tokenizer(name: name, settings: base)))
            }
        }
        if try p.bool("vqbet") {
            contenders.append(Contender(name: "vq-bet", kind: .vqbet(offsets: true)))
            contenders.append(Contender(name: "vq-bet-codes", kind: .vqbet(offsets: false)))
        }
        let policySettings = try p.table("policy_settings")
        for name in try p.strings("policies", allowed: PolicyRegistry.names) {
            contenders.append(Contender(name: name, kind: .continuous(name: name, settings: policySettings.value(name) ?? .table([]))))
        }
        guard !contenders.isEmpty else { throw ConfigError(location: p.location, key: "tokenizers", problem: "expected at least one contender") }
        guard Set(contenders.map(\.name)).count == contenders.count else {
            throw ConfigError(location: p.location, key: "sweeps", problem: "two contenders share a name: \(contenders.map(\.name).joined(separator: ", "))")
        }
        // Every contender is built once now, so a bad setting fails before any work.
        for c in contenders {
            switch c.kind {
            case .tokenizer(let n, let s): _ = try TokenizerRegistry.make(n, parameters: ParameterReader(s, location: "\(settings.location).\(c.name)"))
            case .continuous(let n, let s): _ = try PolicyRegistry.make(n, parameters: ParameterReader(s, location: "\(policySettings.location).\(n)"))
            case .vqbet: break
            }
        }
        let tolerances = try p.doubles("tolerances", in: 1e-12...1e6).sorted(by: >)
        guard tolerances.count >= 2, Set(tolerances).count == tolerances.count else {
            throw ConfigError(location: p.location, key: "tolerances", problem: "expected at least two distinct tolerances")
        }
        return Config(task: task, contenders: contenders, tolerances: tolerances, successLevel: try p.double("success_level", in: 0.01...1),
                      residual: residual, vqbet: vqbet, model: model,
                      trainDemos: try p.int("train_demos", in: 2...1_000_000), testDemos: try p.int("test_demos", in: 1...1_000_000),
                      episodes: try p.int("episodes", in: 1...1_000_000))
    }

    /// A swept value as it appears in a contender's name (`minmax-8`, `fast-100`).
    static func label(_ v: ParameterValue) -> String {
        switch v {
        case .int(let i): return "\(i)"
        case .double(let d): return Format.parameter(d)
        case .string(let s): return s
        default: return "\(v)"
        }
    }

    /// What one contender measured in one seed.
    struct Cell: Codable {
        /// Final distance to the target of every episode, in episode order.
        var finalDistances: [Double]
        /// The 95th percentile of the absolute round-trip error per action value on held-out
        /// demonstration chunks (nil for a continuous policy: nothing is rounded).
        var resolution: Double?
        /// The mean absolute value per action of a chunk of zeros after the round trip: how far a
        /// policy drifts per step when it means to stand still (nil for a continuous policy).
        var standStill: Double?
        /// The last training loss and the training time.
        var finalLoss: Double, trainSeconds: Double
        /// A few episodes' paths (positions relative to the target), for the figure.
        var paths: [[[Double]]]
        /// What one chunk costs.
        var cost: String
        /// The demonstrations' content hash.
        var dataHash: String
    }

    public func run(_ c: Config, context: RunContext) throws -> ExperimentOutcome {
        // A unit of work is one contender in one seed; VQ-BeT's two variants share one unit (and one fit of their residual VQ).
        var groups: [[Contender]] = []
        for v in c.contenders {
            if case .vqbet = v.kind, let last = groups.last, case .vqbet = last[0].kind { groups[groups.count - 1].append(v) } else { groups.append([v]) }
        }
        struct Unit { let seed: UInt64; let group: [Contender] }
        let units = context.seeds.flatMap { s in groups.map { Unit(seed: s, group: $0) } }
        context.progress.begin(total: context.seeds.count * c.contenders.count, "precision: \(c.contenders.count) policies per seed, \(c.episodes) episodes each")
        let measured = try context.cells(units, label: { "seed \($0.seed) · \($0.group.map(\.name).joined(separator: " and "))" },
                                         cost: { u in u.group.contains { if case .vqbet = $0.kind { return true } else { return false } } ? 6 : 1 }) { u in
            try measure(c, group: u.group, seed: u.seed, context: context)
        }
        let flat = measured.flatMap { $0 }
        let perSeed = context.seeds.indices.map { i in Array(flat[(i * c.contenders.count)..<((i + 1) * c.contenders.count)]) }
        return try outcome(c, perSeed: perSeed, inputHash: StableHash.sha256Hex(perSeed.map { $0.first?.dataHash ?? "" }.joined()))
    }

    /// The expert's demonstrations: `count` episodes drawn from `rng`, as observations (the error) and actions.
    static func demonstrations(_ task: PrecisionTask, count: Int, rng: inout SeededGenerator) throws -> Demonstrations {
        try Demonstrations((0..<count).map { _ in
            let (start, target) = task.draw(&rng)
            let trace = try task.demonstrate(start: start, target: target, rng: &rng)
            return Demonstrations.Episode(observations: trace.observations, actions: trace.actions)
        })
    }

    /// The untrained policy of `contender` for this seed, and its tokenizer when it has one.
    func policy(_ v: Contender, _ c: Config, rng: SeededGenerator, residual: ResidualVQTokenizer?) throws -> (policy: any ActionPolicy, tokenizer: (any ActionTokenizer)?) {
        let dims = c.task.dims
        switch v.kind {
        case .tokenizer(let name, let settings):
            var tc = TokenizedPolicyConfig()
            tc.history = 1; tc.window = c.chunk; tc.model = c.model
            tc.seed = rng.derived("policy \(v.name)").seed
            let tok = try TokenizerRegistry.make(name, parameters: ParameterReader(settings, location: v.name))
            return (try TokenizedPolicy(tc, tokenizer: tok, observationDim: dims, actionDim: dims), tok)
        case .vqbet(let offsets):
            guard let residual else { throw PolicyError.invalidArgument("VQ-BeT needs its fitted residual VQ") }
            var pc = c.vqbet
            pc.offsets = offsets
            pc.seed = rng.derived("policy vq-bet").seed
            return (try VQBeTPolicy(pc, tokenizer: residual, observationDim: dims, actionDim: dims), residual)
        case .continuous(let name, let settings):
            var cc = ContinuousPolicyConfig()
            cc.history = 1; cc.window = c.chunk; cc.model = c.model
            cc.seed = rng.derived("policy \(v.name)").seed
            let objective = try PolicyRegistry.make(name, parameters: ParameterReader(settings, location: v.name))
            return (try ContinuousPolicy(cc, objective: objective, observationDim: dims, actionDim: dims), nil)
        }
    }

    /// The contenders of `group` in one seed: each trained on the seed's demonstrations, its
    /// resolution measured on the held-out ones, then rolled out on the seed's episodes. VQ-BeT's
    /// variants share one residual VQ, fitted first.
    func measure(_ c: Config, group: [Contender], seed: UInt64, context: RunContext) throws -> [Cell] {
        let rng = context.generator(seed: seed)
        var demoRNG = rng.derived("demonstrations")
        let train = try Self.demonstrations(c.task, count: c.trainDemos, rng: &demoRNG)
        var testRNG = rng.derived("held-out demonstrations")
        let test = try Self.demonstrations(c.task, count: c.testDemos, rng: &testRNG)
        let windows = try train.actionWindows(window: c.chunk)
        var residual: ResidualVQTokenizer? = nil
        if group.contains(where: { if case .vqbet = $0.kind { return true } else { return false } }) {
            var rc = c.residual
            rc.seed = rng.derived("tokenizer rvq").seed
            let r = try ResidualVQTokenizer(rc)
            r.progress = { context.progress.say("  seed \(seed) · residual VQ · \($0)") }
            try r.fit(windows)
            residual = r
        }
        return try group.map { v in try measure(c, contender: v, seed: seed, train: train, test: test, residual: residual, hash: windows.contentHash, context: context) }
    }

    /// One contender in one seed.
    func measure(_ c: Config, contender v: Contender, seed: UInt64, train: Demonstrations, test: Demonstrations,
                 residual: ResidualVQTokenizer?, hash: String, context: RunContext) throws -> Cell {
        let rng = context.generator(seed: seed)
        let (policy, tokenizer) = try self.policy(v, c, rng: rng, residual: residual)
        var finalLoss = Double.nan
        let seconds = try Stopwatch.seconds {
            try policy.train(train) { report in
                finalLoss = report.loss
                context.progress.say("  seed \(seed) · \(v.name) · \(report)")
            }
        }
        var resolution: Double? = nil, standStill: Double? = nil
        if let tokenizer {
            var errors: [Double] = []
            for chunk in try test.actionWindows(window: c.chunk).chunks {
                let decoded = try tokenizer.decode(try tokenizer.encode(chunk), steps: chunk.steps, dims: chunk.dims)
                errors.append(contentsOf: zip(chunk.values, decoded.values).map { abs($0 - $1) })
            }
            resolution = Statistics.quantile(sorted: errors.sorted(), 0.95)
            let zeros = try ActionChunk(steps: c.chunk, dims: c.task.dims, values: [Double](repeating: 0, count: c.chunk * c.task.dims))
            standStill = Statistics.mean(try tokenizer.decode(try tokenizer.encode(zeros), steps: c.chunk, dims: c.task.dims).values.map(abs))
        }
        var episodeRNG = rng.derived("episodes")
        var sampling = rng.derived("sampling \(v.name)")
        var distances: [Double] = [], paths: [[[Double]]] = []
        for e in 0..<c.episodes {
            let (start, target) = c.task.draw(&episodeRNG)
            let trace = try c.task.run({ error in
                let chunk = try policy.act(history: [error], rng: &sampling)
                return (0..<chunk.steps).map { Array(chunk.values[($0 * chunk.dims)..<(($0 + 1) * chunk.dims)]) }
            }, start: start, target: target)
            distances.append(trace.finalDistance)
            if e < 8 { paths.append(trace.positions.map { zip($0, target).map { $0 - $1 } }) }
        }
        let reached = Self.toleranceReached(distances, level: c.successLevel)
        context.progress.step("seed \(seed) · \(v.name) · trained in \(Int(seconds.rounded())) s · \(Format.percent(c.successLevel)) of episodes end within \(Format.number(reached))",
                              loss: finalLoss)
        return Cell(finalDistances: distances, resolution: resolution, standStill: standStill, finalLoss: finalLoss, trainSeconds: seconds, paths: paths,
                    cost: policy.costPerChunk.description, dataHash: hash)
    }
}
