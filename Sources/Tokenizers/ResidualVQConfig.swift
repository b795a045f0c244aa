import Support

/// The residual VQ autoencoder's configuration (VQ-BeT's action tokenizer); validates itself and
/// names the bad field.
///
/// Defaults follow the reference (`../shared/REFERENCES.md`, "VQ-BeT"): two residual layers of 16
/// codes, an MLP encoder and decoder with hidden widths 128-128, EMA codebooks with decay 0.8,
/// L1 reconstruction plus 5 x commitment, neither k-means initialisation nor dead-code replacement,
/// 20,000 training steps (LeRobot's default).
public struct ResidualVQConfig: Equatable, Sendable, FieldListedConfig {
    /// Residual quantisation layers `N` (primary, secondary, ...); a window is `N` tokens.
    public var layers = 2
    /// Codes per layer `K`.
    public var codebookSize = 16
    /// Actions per window: the encoder sees `window x dims` values at once.
    public var window = 5
    /// Width of the latent vector that is quantised (LeRobot's VQ-BeT uses 256, the paper 512).
    public var latentDim = 256
    /// Hidden widths of the encoder MLP; the decoder mirrors them.
    public var hidden = [128, 128]
    /// Decay of the codebooks' exponential moving averages.
    public var emaDecay = 0.8
    /// Weight of the commitment loss against the L1 reconstruction loss.
    public var commitmentWeight = 5.0
    /// Refine each layer's initial codes (latents of the untrained encoder) by k-means.
    public var kmeansInit = false
    /// Replace a code whose moving-average usage falls below this many assignments per batch (0: never).
    public var deadCodeThreshold = 0.0
    /// Autoencoder training steps (LeRobot's `n_vqvae_training_steps`).
    public var trainSteps = 20_000
    /// Windows per training batch.
    public var batchSize = 256
    /// AdamW learning rate of the encoder and decoder.
    public var learningRate = 1e-3
    /// Seed of the initial weights, codebooks and batch draws.
    public var seed: UInt64 = 1

    /// Every field: its key and allowed values (the reader, ``validate(location:)`` and ``parameters`` use this list).
    public static let fields: [ConfigField<Self>] = [
        .int("layers", \.layers, in: 1...64),
        .int("codebook_size", \.codebookSize, in: 2...65_536),
        .int("window", \.window, in: 1...10_000),
        .int("latent_dim", \.latentDim, in: 1...65_536),
        .ints("hidden", \.hidden, in: 1...65_536),
        .double("ema_decay", \.emaDecay, in: 0...0.999_999),
        .double("commitment_weight", \.commitmentWeight, in: 0...1_000),
        .bool("kmeans_init", \.kmeansInit),
        .double("dead_code_threshold", \.deadCodeThreshold, in: 0...1_000_000),
        .int("train_steps", \.trainSteps, in: 0...10_000_000),
        .int("batch_size", \.batchSize, in: 1...1_000_000),
        .double("learning_rate", \.learningRate, in: 1e-8...10),
        .seed("seed", \.seed),
    ]

    /// Every default value, in one place (the property declarations above).
    public static let defaults = ResidualVQConfig()

    /// A configuration holding every default.
    public init() {}

    /// A configuration that changes the given fields and keeps the others' defaults; call
    /// ``validate(location:)`` before use when values come from outside.
    public init(layers: Int = defaults.layers, codebookSize: Int = defaults.codebookSize, window: Int = defaults.window,
                latentDim: Int = defaults.latentDim, hidden: [Int] = defaults.hidden, emaDecay: Double = defaults.emaDecay,
                commitmentWeight: Double = defaults.commitmentWeight, kmeansInit: Bool = defaults.kmeansInit,
                deadCodeThreshold: Double = defaults.deadCodeThreshold, trainSteps: Int = defaults.trainSteps,
                batchSize: Int = defaults.batchSize, learningRate: Double = defaults.learningRate, seed: UInt64 = defaults.seed) {
        self.layers = layers; self.codebookSize = codebookSize; self.window = window; self.latentDim = latentDim
        self.hidden = hidden; self.emaDecay = emaDecay; self.commitmentWeight = commitmentWeight
        self.kmeansInit = kmeansInit; self.deadCodeThreshold = deadCodeThreshold; self.trainSteps = trainSteps
        self.batchSize = batchSize; self.learningRate = learningRate; self.seed = seed
    }

    /// Throws a ``ConfigError`` naming the first field outside its allowed range.
    public func validate(location: String = "tokenizer rvq") throws {
        try Self.fields.validate(self, location: location)
    }

    /// The configuration as a parameter tree (the keys ``init(_:)`` reads).
    public var parameters: ParameterValue { Self.fields.parameters(of: self) }
}
