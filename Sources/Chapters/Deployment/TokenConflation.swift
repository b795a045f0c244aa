import ActionData
import Engine
import Foundation
import Lab
import Metrics
import Policies
import Support
import Tokenizers
import Experiments

/// Deployment chapter: language tokens where actions belong, and the decode failures they cause.
///
/// Each token contender's policy writes into a "language" vocabulary whose least-used ids carry
/// the action tokens (``VocabularyOverlay``, as RT-2 and OpenVLA lay them out). It is trained on
/// a mix of the arm's chunks, each conditioned on its first and last step, and of a Zipf-law side
/// language (``SideLanguage``), a flag in the condition telling the two apart. The held-out chunks
/// of the training family and of an unseen one are then written without constraints and with
/// constrained decoding (only action ids, and the tokenizer's own rule where it has one:
/// ``ConstrainsDecoding``), greedily and by sampling. Every written chunk either decodes strictly
/// or counts as a failure: with a language id in it, or malformed (FAST's coefficients not
/// numbering steps x dims, a residual-VQ code of the wrong layer). Nothing is repaired.
public struct TokenConflation: Experiment {
    public let chapter = "deployment"
    public let name = "token-conflation"

    public init() {}

    /// The statistics its claims may name, each with the `select` keys it reads.
    public var statistics: [String: [String]] {
        ["conflated_share": ["constraint", "decoding", "family", "contender"],
         "decode_failure_share": ["constraint", "decoding", "family", "contender"],
         "error_ratio": ["decoding", "family", "contender"]]
    }

    /// How the next token is picked.
    enum Decoding: String, CaseIterable, Codable { case greedy, sampled }

    /// The experiment's parameters (every default lives in the experiment file).
    public struct Config {
        /// The arm's control rate; a chunk is one second.
        let rate: Double
        /// Token contenders (tokenizer registry names), in table order.
        let tokenizers: [String]
        /// The side language: vocabulary size, Zipf exponent, successor share, sequence lengths.
        let languageSize: Int, zipfExponent: Double, successorShare: Double
        let languageLengths: ClosedRange<Int>
        /// Share of training sequences that are language.
        let languageShare: Double
        /// Arm chunks to fit on; held-out chunks per family.
        let fitChunks: Int, heldOutChunks: Int
        /// Held-out families, the training family first.
        let families: [RobotArmGenerator.Family]
        let decodings: [Decoding]
        let policy: TokenPolicyConfig
        /// Steps between measurements of the action task's loss on training and held-out chunks.
        let lossEvery: Int
        let settings: TokenizerSettings
        /// Contenders also trained on `ablationChunks` arm chunks for `ablationSteps` steps (an
        /// ablation, never judged): is what fails to decode a sign of too little data or training?
        let ablationTokenizers: [String], ablationChunks: Int, ablationSteps: Int

        /// The ablation's row name for contender `t`.
        func ablationName(_ t: String) -> String { "\(t), \(ablationChunks) chunks, \(ablationSteps) steps" }
        /// Every row the results show: the contenders, then the ablation's.
        var rows: [String] { tokenizers + ablationTokenizers.map(ablationName) }

        /// Language sequences in a training set of `chunks` arm chunks.
        func languageSequences(_ chunks: Int) -> Int { Int((Double(chunks) * languageShare / (1 - languageShare)).rounded()) }
    }

    public func configure(_ p: ParameterReader) throws -> Config {
        let tokenizers = try p.strings("tokenizers", allowed: TokenizerRegistry.names)
        guard !tokenizers.isEmpty, Set(tokenizers).count == tokenizers.count else {
            throw ConfigError(location: p.location, key: "tokenizers", problem: "expected at least one token contender, each named once")
        }
        let lengths = try p.ints("language_lengths", in: 1...10_000)
        guard lengths.count == 2, lengths[0] <= lengths[1] else {
            throw ConfigError(location: p.location, key: "language_lengths", problem: "expected [shortest, longest] with shortest <= longest")
        }
        let familyNames = try p.strings("families", allowed: RobotArmGenerator.Family.allCases.map(\.rawValue))
        guard familyNames.first == RobotArmGenerator.Family.pickAndPlace.rawValue, Set(familyNames).count == familyNames.count else {
            throw ConfigError(location: p.location, key: "families", problem: "expected the training family \"pick-and-place\" first, each family once")
        }
        let decodings = try p.strings("decodings", allowed: Decoding.allCases.map(\.rawValue))
        guard decodings.first == Decoding.greedy.rawValue, Set(decodings).count == decodings.count else {
            throw ConfigError(location: p.location, key: "decodings", problem: "expected \"greedy\" first (the claims judge it), each decoding once")
        }
        let table = try p.table("policy", required: true)
        let ablation = try p.table("ablation", required: true)
        let ablationTokenizers = try ablation.strings("tokenizers", allowed: tokenizers)
        let policy = try TokenPolicyConfig(table)
        let lossEvery = try p.int("loss_every", in: 1...10_000_000)
        guard lossEvery % policy.progressEvery == 0 else {
            throw ConfigError(location: p.location, key: "loss_every", problem: "expected a multiple of the policy's progress interval (\(policy.progressEvery) steps), got \(lossEvery)")
        }
        return Config(
            rate: try p.double("rate_hz", in: 2...10_000), tokenizers: tokenizers,
            languageSize: try p.int("language_vocabulary", in: 2...1_000_000),
            zipfExponent: try p.double("zipf_exponent", in: 0...10),
            successorShare: try p.double("successor_share", in: 0...1),
            languageLengths: lengths[0]...lengths[1],
            languageShare: try p.double("language_share", in: 0...0.95),
            fitChunks: try p.int("fit_chunks", in: 10...1_000_000),
            heldOutChunks: try p.int("held_out_chunks", in: 1...1_000_000),
            families: familyNames.map { RobotArmGenerator.Family(rawValue: $0)! },
            decodings: decodings.map { Decoding(rawValue: $0)! },
            policy: policy, lossEvery: lossEvery,
            settings: try TokenizerSettings(p, tokenizers: tokenizers, measured: tokenizers),
            ablationTokenizers: ablationTokenizers, ablationChunks: try ablation.int("fit_chunks", in: 10...1_000_000),
            ablationSteps: try ablation.int("train_steps", in: 1...10_000_000))
    }

    /// One way of writing one family's held-out chunks.
    struct Key: Hashable, Codable { let family: String; let constrained: Bool; let decoding: Decoding }

    /// What one way of writing produced: token and chunk counts, the failures by cause, and the
    /// squared error per dimension summed over the chunks that decoded.
    struct Written: Codable, Equatable {
        var chunks = 0, tokens = 0, languageTokens = 0
        var languageFailures = 0, malformedFailures = 0
        var decoded = 0
        var squaredError: [Double] = []
        var failures: Int { languageFailures + malformedFailures }
        var failureShare: Double { chunks > 0 ? Double(failures) / Double(chunks) : 0 }
        var languageShare: Double { tokens > 0 ? Double(languageTokens) / Double(tokens) : 0 }
    }

    /// The action task's teacher-forced loss (nats per token) at one point of training.
    struct ActionLoss: Codable, Equatable {
        let step: Int
        /// On as many training chunks as there are held-out ones, evenly spaced through the fitted set.
        let training: Double
        /// On the held-out chunks of the training family.
        let heldOut: Double
    }

    /// What one seed's policy for one contender measured.
    struct ContenderCells: Codable {
        var written: [Key: Written]
        /// The action task's loss on training and held-out chunks every `lossEvery` steps and at the end.
        var actionLoss: [ActionLoss]
        /// The action ids' share of the language corpus's tokens (their words, still in use).
        var corpusShareOnActionIds: Double
        /// Action ids (the tokenizer's vocabulary) and the final training loss.
        var actionIds: Int, finalLoss: Double
        /// Per-dimension standard deviation of the fitted chunks (the error's yardstick), steps per chunk.
        var scale: [Double], steps: Int
        var hash: String
    }

    /// One policy to train and read: a seed, a contender and whether it is the ablation's.
    struct Item {
        let seed: UInt64, tokenizer: String, ablation: Bool
        /// Its row in the results: the contender's name, or the ablation's.
        func row(_ c: Config) -> String { ablation ? c.ablationName(tokenizer) : tokenizer }
        /// Its policy's training steps.
        func trainingSteps(_ c: Config) -> Int { ablation ? c.ablationSteps : c.policy.trainingSteps }
        /// The arm chunks it is fitted on.
        func fitChunks(_ c: Config) -> Int { ablation ? c.ablationChunks : c.fitChunks }
    }

    public func run(_ c: Config, context: RunContext) throws -> ExperimentOutcome {
        let items = context.seeds.flatMap { s in
            c.tokenizers.map { Item(seed: s, tokenizer: $0, ablation: false) } + c.ablationTokenizers.map { Item(seed: s, tokenizer: $0, ablation: true) }
        }
        let writings = c.families.count * 2 * c.decodings.count
        context.progress.begin(total: items.count * (1 + writings), weight: Double(items.count * 11 * writings),
                               "training one token policy per contender (\(c.tokenizers.joined(separator: ", "))) on actions and language, then writing \(c.heldOutChunks) held-out chunks \(writings) ways")
        // Cost: the residual VQ's ten codes per chunk train about three times as fast as the others' 21 to 70 tokens.
        let cells = try context.cells(items, label: { "seed \($0.seed) · \($0.row(c))" },
                                      cost: { Double(c.settings.windowsPerSequence[$0.tokenizer] == nil ? 3 : 1) * Double($0.trainingSteps(c)) / Double(c.policy.trainingSteps) }) { item in
            try measure(c, item, context: context)
        }
        var perSeed: [[String: ContenderCells]] = []
        for seed in context.seeds {
            var bySeed: [String: ContenderCells] = [:]
            for (i, item) in items.enumerated() where item.seed == seed { bySeed[item.row(c)] = cells[i] }
            perSeed.append(bySeed)
        }
        let hash = StableHash.sha256Hex(perSeed.flatMap { seed in c.rows.map { seed[$0]!.hash } }.joined())
        let thresholds = Thresholds(failures: try context.claim("unconstrained-decode-failures").threshold,
                                    languageTokens: try context.claim("language-tokens-occur").threshold)
        return try outcome(c, perSeed: perSeed, thresholds: thresholds, inputHash: hash)
    }

    /// The condition of the action task: the chunk's first and last step, standardised, and a 0 flag.
    static func actionCondition(_ chunk: ActionChunk, mean: [Double], scale: [Double]) -> [Float] {
        let d = chunk.dims
        func step(_ i: Int) -> [Float] { (0..<d).map { Float((chunk.values[i * d + $0] - mean[$0]) / max(scale[$0], 1e-12)) } + [0] }
        return step(0) + step(chunk.steps - 1)
    }

    /// Fits the tokenizer, trains its policy on actions and language, writes every held-out chunk every way.
    func measure(_ c: Config, _ item: Item, context: RunContext) throws -> ContenderCells {
        let (seed, name, label) = (item.seed, item.tokenizer, item.row(c))
        let rng = context.generator(seed: seed)
        let arm = RobotArmGenerator(frequency: c.rate, chunkSeconds: 1)
        let fit = try arm.chunks(count: item.fitChunks(c), seed: rng.derived("fit-data").seed)
        let (steps, dims) = (fit.steps, fit.dims)
        let tok = try c.settings.make(name, steps: steps, seed: seed, location: "\(c.settings.location).\(name)")
        try tok.fit(fit)
        guard tok.vocabularySize <= c.languageSize else {
            throw ConfigError(location: "experiments/deployment/token-conflation.toml", key: "language_vocabulary",
                              problem: "\(name) has \(tok.vocabularySize) ids, more than the language's \(c.languageSize); expected a language at least as large as every action vocabulary")
        }
        // The language, its usage, and the action ids laid over its least-used ids.
        var languageRNG = rng.derived("language")
        let language = SideLanguage(size: c.languageSize, exponent: c.zipfExponent, successorShare: c.successorShare,
                                    lengths: c.languageLengths, rng: &languageRNG)
        let corpus = language.sequences(c.languageSequences(fit.count), rng: &languageRNG)
        let usage = language.usage(corpus)
        let overlay = try VocabularyOverlay(usage: usage, actionVocabulary: tok.vocabularySize)
        let onActionIds = overlay.languageIds.reduce(0) { $0 + usage[$1] }

        let mean = (0..<dims).map { d in Statistics.mean(fit.chunks.flatMap { ch in (0..<steps).map { ch.values[$0 * dims + d] } }) }
        let scale = Statistics.perDimensionStd(fit)
        var conditionRNG = rng.derived("language-conditions")
        let languageConditions: [[Float]] = corpus.map { _ in
            (0..<2).flatMap { _ -> [Float] in (0..<dims).map { _ in Float(conditionRNG.nextGaussian()) } + [1] }
        }
        let actions = try fit.chunks.map { overlay.languageIds(of: try tok.encode($0)) }
        let set = try TokenSequenceSet(sequences: actions + corpus,
                                       conditions: fit.chunks.map { Self.actionCondition($0, mean: mean, scale: scale) } + languageConditions,
                                       prefixLength: 2, conditionDim: dims + 1, vocabulary: c.languageSize)
        // A variable-length sequence may need up to one token per value (FAST's base symbols): the
        // policy's length leaves the constrained decoder room to finish every chunk.
        let fixedLength = tok.tokensPerChunk(steps: steps, dims: dims)
        var config = c.policy
        config.trainingSteps = item.trainingSteps(c)
        let policy = try TokenPolicy(config: config, for: set, maxLength: max(set.maxLength, fixedLength == nil ? steps * dims : 0),
                                     seed: rng.derived("policy-\(name)").seed)
        let heldOut = try c.families.map { family in
            try RobotArmGenerator(frequency: c.rate, chunkSeconds: 1, family: family)
                .chunks(count: c.heldOutChunks, seed: rng.derived("held-out-\(family.rawValue)").seed)
        }
        // The action task's loss while training: on training chunks and on the training family's
        // held-out ones (the action task alone, so the two are comparable; the gap is overfitting).
        func actionSet(_ chunks: [ActionChunk], tokens: [[Int]]) throws -> TokenSequenceSet {
            try TokenSequenceSet(sequences: tokens, conditions: chunks.map { Self.actionCondition($0, mean: mean, scale: scale) },
                                 prefixLength: 2, conditionDim: dims + 1, vocabulary: c.languageSize)
        }
        let probe = (0..<min(c.heldOutChunks, fit.count)).map { $0 * fit.count / min(c.heldOutChunks, fit.count) }
        let trainingProbe = set.subset(probe)   // the training set's first fit.count sequences are the action chunks
        let heldOutProbe = try actionSet(heldOut[0].chunks, tokens: try heldOut[0].chunks.map { overlay.languageIds(of: try tok.encode($0)) })
        var actionLoss: [ActionLoss] = [], probeError: Error?
        let summary = try policy.train(set) { p in
            context.progress.say("  seed \(seed) · \(label) · \(p)")
            guard p.step % c.lossEvery == 0 || p.step == p.totalSteps else { return }
            do {
                actionLoss.append(ActionLoss(step: p.step, training: try policy.teacherForcedLoss(trainingProbe), heldOut: try policy.teacherForcedLoss(heldOutProbe)))
            } catch { probeError = error }
        }
        if let probeError { throw probeError }
        if let last = actionLoss.last {
            context.progress.say("  seed \(seed) · \(label) · action loss, training chunks \(Format.number(last.training)), held-out \(Format.number(last.heldOut))")
        }
        context.progress.step("seed \(seed) · \(label) · trained · final loss \(Format.number(summary.finalLoss))", loss: summary.finalLoss,
                              weight: Double(10 * c.families.count * 2 * c.decodings.count))

        var constraint: (any TokenConstraint)?
        if let constrains = tok as? any ConstrainsDecoding { constraint = try constrains.tokenConstraint(steps: steps, dims: dims) }
        let length: GenerationLength = fixedLength.map { .fixed($0) } ?? .untilEnd(max: policy.maxLength)
        var cells = ContenderCells(written: [:], actionLoss: actionLoss, corpusShareOnActionIds: Double(onActionIds) / Double(max(usage.reduce(0, +), 1)),
                                   actionIds: tok.vocabularySize, finalLoss: summary.finalLoss, scale: scale, steps: steps,
                                   hash: fit.contentHash + StableHash.sha256Hex(corpus.map { $0.map(String.init).joined(separator: ",") }.joined(separator: ";")))
        for (family, heldOut) in zip(c.families, heldOut) {
            cells.hash += heldOut.contentHash
            let conditions = heldOut.chunks.map { Self.actionCondition($0, mean: mean, scale: scale) }
            for constrained in [false, true] {
                for decoding in c.decodings {
                    // Constrained and unconstrained sampling draw from the same stream.
                    let sampler = decoding == .greedy ? Sampler(.greedy) : Sampler(.temperature(1), seed: rng.derived("sampling-\(family.rawValue)").seed)
                    let ids = try policy.generate(conditions: conditions, length: length, sampler: sampler,
                                                  constraint: constrained ? overlay.constraint(over: constraint) : nil)
                    let written = try Self.read(ids, overlay: overlay, tokenizer: tok, truth: heldOut)
                    cells.written[Key(family: family.rawValue, constrained: constrained, decoding: decoding)] = written
                    context.progress.step("seed \(seed) · \(label) · \(family.rawValue) · \(constrained ? "constrained" : "unconstrained") · \(decoding.rawValue) · language tokens \(Format.percent(written.languageShare)), failures \(Format.percent(written.failureShare))")
                }
            }
        }
        return cells
    }

    /// Reads written sequences of language ids back: language tokens in action positions, chunks
    /// that hold one (failures), chunks whose action tokens do not decode strictly (failures), and
    /// the squared error per dimension of those that decode, against `truth`.
    static func read(_ ids: [[Int]], overlay: VocabularyOverlay, tokenizer: any ActionTokenizer, truth: ChunkSet) throws -> Written {
        var w = Written()
        w.squaredError = Array(repeating: 0, count: truth.dims)
        for (sequence, chunk) in zip(ids, truth.chunks) {
            w.chunks += 1
            w.tokens += sequence.count
            let (tokens, conflated) = overlay.actionTokens(of: sequence)
            w.languageTokens += conflated.count
            guard conflated.isEmpty else { w.languageFailures += 1; continue }
            guard let decoded = try? tokenizer.decode(tokens, steps: truth.steps, dims: truth.dims) else { w.malformedFailures += 1; continue }
            w.decoded += 1
            for (i, (a, b)) in zip(decoded.values, chunk.values).enumerated() { w.squaredError[i % truth.dims] += (a - b) * (a - b) }
        }
        return w
    }
}
