import ActionData
import Foundation
import Lab
import Policies
import Support
import Tokenizers
import Experiments

/// One contender of an applications experiment: a policy behind the one policy protocol, named as
/// it appears in every table (`minmax-8`, `vq-bet-codes`, `flow`).
///
/// Every applications experiment reads its contenders from the same keys, builds them the same way
/// and trains them on the same chunk and transformer, so that a contender means one thing across
/// the chapter.
struct ApplicationContender: Equatable {
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
    /// Whether it is one of VQ-BeT's variants (which share one residual VQ per seed).
    var isVQBeT: Bool { if case .vqbet = kind { return true } else { return false } }
    /// Whether it is per-step binning (min-max, OpenVLA's percentiles or equal mass).
    var isBinning: Bool { if case .tokenizer(let n, _) = kind { return ["minmax", "openvla", "equal-mass"].contains(n) } else { return false } }

    /// The contenders the keys `tokenizers`, `settings`, `sweeps`, `vqbet`, `policies` and
    /// `policy_settings` name, in that order; each is built once, so a bad setting fails before any
    /// work, naming its key.
    static func read(_ p: ParameterReader) throws -> [ApplicationContender] {
        var contenders: [ApplicationContender] = []
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
                    contenders.append(ApplicationContender(name: "\(name)-\(label(v))", kind: .tokenizer(name: name, settings: merged)))
                }
            } else {
                contenders.append(ApplicationContender(name: name, kind: .tokenizer(name: name, settings: base)))
            }
        }
        if try p.bool("vqbet") {
            contenders.append(ApplicationContender(name: "vq-bet", kind: .vqbet(offsets: true)))
            contenders.append(ApplicationContender(name: "vq-bet-codes", kind: .vqbet(offsets: false)))
        }
        let policySettings = try p.table("policy_settings")
        for name in try p.strings("policies", allowed: PolicyRegistry.names) {
            contenders.append(ApplicationContender(name: name, kind: .continuous(name: name, settings: policySettings.value(name) ?? .table([]))))
        }
        guard !contenders.isEmpty else { throw ConfigError(location: p.location, key: "tokenizers", problem: "expected at least one contender") }
        guard Set(contenders.map(\.name)).count == contenders.count else {
            throw ConfigError(location: p.location, key: "sweeps", problem: "two contenders share a name: \(contenders.map(\.name).joined(separator: ", "))")
        }
        for c in contenders {
            switch c.kind {
            case .tokenizer(let n, let s): _ = try TokenizerRegistry.make(n, parameters: ParameterReader(s, location: "\(settings.location).\(c.name)"))
            case .continuous(let n, let s): _ = try PolicyRegistry.make(n, parameters: ParameterReader(s, location: "\(policySettings.location).\(n)"))
            case .vqbet: break
            }
        }
        return contenders
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

    /// VQ-BeT's residual VQ and policy from the keys `tokenizer` and `policy`, the policy seeing
    /// the current observation only, like every other contender (LeRobot's history of 5 is for
    /// tasks that need one); the experiment sets the offset head per variant.
    static func vqbetConfigs(_ p: ParameterReader) throws -> (residual: ResidualVQConfig, policy: VQBeTConfig) {
        let residual = try VQBeTStudy.residualVQ(p)
        var policy = try VQBeTStudy.policy(p, offsets: "set by the experiment: VQ-BeT runs with and without its offset head")
        policy.history = 1
        return (residual, policy)
    }

    /// The shared transformer of the token and continuous policies, from the key `model` (its
    /// seed is drawn per seed and contender).
    static func sharedModel(_ p: ParameterReader) throws -> TokenPolicyConfig {
        let table = try p.table("model", required: true)
        try table.reject("seed", because: "drawn per seed by the experiment")
        return try TokenPolicyConfig(table)
    }

    /// Units of work: one contender each, except VQ-BeT's variants, which go together (they share
    /// one fit of their residual VQ).
    static func groups(_ contenders: [ApplicationContender]) -> [[ApplicationContender]] {
        var groups: [[ApplicationContender]] = []
        for v in contenders {
            if v.isVQBeT, let last = groups.last, last[0].isVQBeT { groups[groups.count - 1].append(v) } else { groups.append([v]) }
        }
        return groups
    }

    /// Every contender measured at every key (a seed, or a seed and a shape), the results per key
    /// in contender order. A unit of work is one group at one key (``groups(_:)``); VQ-BeT's
    /// weighs six, for its two 20,000-step fits, so helper processes take it first.
    static func measureAll<Key, Cell: Codable>(_ contenders: [ApplicationContender], keys: [Key], label: (Key) -> String, context: RunContext,
                                               measure: (Key, [ApplicationContender]) throws -> [Cell]) throws -> [[Cell]] {
        let units = keys.flatMap { k in groups(contenders).map { (key: k, group: $0) } }
        let measured = try context.cells(units, label: { "\(label($0.key)) · \($0.group.map(\.name).joined(separator: " and "))" },
                                         cost: { u in u.group.contains(where: \.isVQBeT) ? 6 : 1 }) { u in try measure(u.key, u.group) }
        let flat = measured.flatMap { $0 }
        return keys.indices.map { i in Array(flat[(i * contenders.count)..<((i + 1) * contenders.count)]) }
    }

    /// VQ-BeT's residual VQ for this seed, fitted on `windows`, when `group` holds a VQ-BeT variant.
    static func residualVQ(for group: [ApplicationContender], _ config: ResidualVQConfig, windows: ChunkSet, rng: SeededGenerator,
                           progress: @escaping (TrainingProgress) -> Void) throws -> ResidualVQTokenizer? {
        guard group.contains(where: \.isVQBeT) else { return nil }
        var rc = config
        rc.seed = rng.derived("tokenizer rvq").seed
        let r = try ResidualVQTokenizer(rc)
        r.progress = progress
        try r.fit(windows)
        return r
    }

    /// The untrained policy, chunks of `chunk` actions from one observation (the tasks are Markov
    /// in what the policy sees), and its tokenizer when it has one. The token and continuous
    /// policies share `model`; VQ-BeT uses `vqbet` over `residual`.
    func policy(chunk: Int, model: TokenPolicyConfig, vqbet: VQBeTConfig, observationDim: Int, actionDim: Int, rng: SeededGenerator,
                residual: ResidualVQTokenizer?) throws -> (policy: any ActionPolicy, tokenizer: (any ActionTokenizer)?) {
        switch kind {
        case .tokenizer(let tokenizerName, let settings):
            var tc = TokenizedPolicyConfig()
            tc.history = 1; tc.window = chunk; tc.model = model
            tc.seed = rng.derived("policy \(name)").seed
            let tok = try TokenizerRegistry.make(tokenizerName, parameters: ParameterReader(settings, location: name))
            return (try TokenizedPolicy(tc, tokenizer: tok, observationDim: observationDim, actionDim: actionDim), tok)
        case .vqbet(let offsets):
            guard let residual else { throw PolicyError.invalidArgument("VQ-BeT needs its fitted residual VQ") }
            var pc = vqbet
            pc.offsets = offsets
            pc.seed = rng.derived("policy vq-bet").seed
            return (try VQBeTPolicy(pc, tokenizer: residual, observationDim: observationDim, actionDim: actionDim), residual)
        case .continuous(let policyName, let settings):
            var cc = ContinuousPolicyConfig()
            cc.history = 1; cc.window = chunk; cc.model = model
            cc.seed = rng.derived("policy \(name)").seed
            let objective = try PolicyRegistry.make(policyName, parameters: ParameterReader(settings, location: name))
            return (try ContinuousPolicy(cc, objective: objective, observationDim: observationDim, actionDim: actionDim), nil)
        }
    }
}
