import ActionData
import Engine
import Support
import Tokenizers

/// The settings of a ``TokenizedPolicy``; validates itself and names the bad field.
public struct TokenizedPolicyConfig: Sendable, Equatable {
    /// Observations in the model's prefix, the current one last (one: the policy sees only the present).
    public var history = 1
    /// Actions per chunk, the window the tokenizer encodes (a short chunk, as the token policies act).
    public var window = 8
    /// The token model's shape and training (the token policy's own defaults).
    public var model = TokenPolicyConfig.defaults
    /// How a token is chosen when acting (greedy: the most likely, as the experiments decode).
    public var decoding = SamplingStrategy.greedy
    /// Seed of the model's weights and minibatch order.
    public var seed: UInt64 = 1

    public init() {}

    /// Throws a ``ConfigError`` naming the first bad field.
    public func validate(location: String = "tokenized policy") throws {
        try ObservationHistory.validate(history: history, window: window, location: location)
        switch decoding {
        case .greedy: break
        case .temperature(let t), .topK(_, let t):
            guard t.isFinite, t >= 0 else { throw ConfigError(location: location, key: "decoding", problem: "expected a temperature ≥ 0, found \(t)") }
        }
        try model.validate()
    }
}

/// A tokenizer and a ``TokenPolicy`` as an ``ActionPolicy``.
///
/// The token policy is a GPT over token sequences with a continuous prefix; here the prefix is the
/// last ``TokenizedPolicyConfig/history`` observations (standardised, ``ObservationHistory``) and
/// the sequence is the tokenizer's tokens of the next ``TokenizedPolicyConfig/window`` actions
/// (past an episode's end the agent stands still: zeros, as ``Demonstrations/actionWindow(episode:step:window:)``
/// gives them). Training fits the tokenizer on the demonstrations' action windows unless it is
/// already fitted, then trains the model with teacher forcing on every (history, window) pair.
/// Acting decodes tokens (``TokenizedPolicyConfig/decoding``; a sampled draw takes its seed from
/// the caller's stream) and decodes them back to a chunk: exactly the tokenizer's count for a
/// fixed-length tokenizer, until the end token otherwise, repaired when the tokenizer supports
/// ``RelaxedDecoding``.
public final class TokenizedPolicy: ActionPolicy {
    public let config: TokenizedPolicyConfig
    /// The action tokenizer (fitted by ``train(_:progress:)`` when it is not yet).
    public let tokenizer: any ActionTokenizer
    public let observationDim: Int, actionDim: Int
    /// The observation histories the model sees.
    public private(set) var observationHistory: ObservationHistory
    /// The token model, once trained.
    public private(set) var model: TokenPolicy?
    /// Tokens generated per chunk (set by training).
    public private(set) var length: GenerationLength?

    /// An untrained policy for `observationDim`-wide observations and `actionDim`-wide actions.
    public init(_ config: TokenizedPolicyConfig, tokenizer: any ActionTokenizer, observationDim: Int, actionDim: Int) throws {
        try config.validate()
        try ObservationHistory.checkWidths(observation: observationDim, action: actionDim)
        self.config = config; self.tokenizer = tokenizer
        self.observationDim = observationDim; self.actionDim = actionDim
        observationHistory = ObservationHistory(length: config.history, dims: observationDim)
    }

    public var chunkLength: Int { config.window }

    /// One forward pass per generated token: the tokenizer's count, or the most the model may write.
    public var costPerChunk: ChunkCost {
        .tokens(length?.limit ?? tokenizer.tokensPerChunk(steps: config.window, dims: actionDim) ?? 0)
    }

    /// The tokens of every action window of `demos` and their prefixes (fits the tokenizer first when needed).
    public func tokenSequences(_ demos: Demonstrations, progress: ((TrainingProgress) -> Void)? = nil) throws -> TokenSequenceSet {
        let windows = try demos.actionWindows(window: config.window)
        if !tokenizer.isFitted {
            let reporter = tokenizer as? any ReportsProgress
            let previous = reporter?.progress
            if let progress { reporter?.progress = progress }
            defer { reporter?.progress = previous }
            try tokenizer.fit(windows)
        }
        let conditions = observationHistory.conditions(demos)
        return try TokenSequenceSet(sequences: try windows.chunks.map { try tokenizer.encode($0) }, conditions: conditions,
                                    prefixLength: config.history, conditionDim: observationDim, vocabulary: tokenizer.vocabularySize)
    }

    /// Fits the observation statistics (and the tokenizer, unless fitted), then trains a fresh model.
    /// `progress` receives the tokenizer's fit reports (when it reports any) and the model's.
    public func train(_ demos: Demonstrations, progress: ((TrainingProgress) -> Void)? = nil) throws {
        try ObservationHistory.check(demos, observation: observationDim, action: actionDim)
        observationHistory.fit(demos)
        let set = try tokenSequences(demos, progress: progress)
        // A variable-length tokenizer may write a quarter more than the longest demonstrated sequence, plus 4.
        let length: GenerationLength = tokenizer.tokensPerChunk(steps: config.window, dims: actionDim).map { .fixed($0) }
            ?? .untilEnd(max: set.maxLength + set.maxLength / 4 + 4)
        let model = try TokenPolicy(config: config.model, vocabulary: tokenizer.vocabularySize, prefixLength: config.history,
                                    conditionDim: observationDim, maxLength: max(length.limit, 1),
                                    seed: SeededGenerator(seed: config.seed).derived("token policy").seed)
        try model.train(set) { progress?($0) }
        self.model = model; self.length = length
    }

    public func act(history: [[Double]], rng: inout SeededGenerator) throws -> ActionChunk {
        guard let model, let length else { throw PolicyError.invalidArgument("the tokenized policy acts before it was trained") }
        let condition = try observationHistory.condition(acting: history)
        let sampler = config.decoding == .greedy ? Sampler(.greedy) : Sampler(config.decoding, seed: rng.next())
        let tokens = try model.generate(conditions: [condition], length: length, sampler: sampler)[0]
        if let relaxed = tokenizer as? any RelaxedDecoding {
            return try relaxed.decodeRelaxed(tokens, steps: config.window, dims: actionDim).chunk
        }
        return try tokenizer.decode(tokens, steps: config.window, dims: actionDim)
    }
}
