import Support

/// The residual VQ autoencoder's configuration (VQ-BeT's action tokenizer); validates itself and
/// names the bad field.
///
/// Defaults follow the reference (`../shared/REFERENCES.md`, "VQ-BeT"): two residual layers of 16
/// codes, an MLP encoder and decoder with hidden widths 128-128, EMA codebooks with decay 0.8,
/// L1 reconstruction plus 5 x commitment, neither k-means initialisation nor dead-code replacement.
public struct ResidualVQConfig: Equatable, Sendable {
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
    /// Autoencoder training steps.
    public var trainSteps = 3_000
    /// Windows per training batch.
    public var batchSize = 256
    /// AdamW learning rate of the encoder and decoder.
    public var learningRate = 1e-3
    /// Seed of the initial weights, codebooks and batch draws.
    public var seed: UInt64 = 1

    /// Creates a configuration; call ``validate(location:)`` before use when values come from outside.
    public init(layers: Int = 2, codebookSize: Int = 16, window: Int = 5, latentDim: Int = 256, hidden: [Int] = [128, 128],
                emaDecay: Double = 0.8, commitmentWeight: Double = 5, kmeansInit: Bool = false, deadCodeThreshold: Double = 0,
                trainSteps: Int = 3_000, batchSize: Int = 256, learningRate: Double = 1e-3, seed: UInt64 = 1) {
        self.layers = layers; self.codebookSize = codebookSize; self.window = window; self.latentDim = latentDim
        self.hidden = hidden; self.emaDecay = emaDecay; self.commitmentWeight = commitmentWeight
        self.kmeansInit = kmeansInit; self.deadCodeThreshold = deadCodeThreshold; self.trainSteps = trainSteps
        self.batchSize = batchSize; self.learningRate = learningRate; self.seed = seed
    }

    /// Reads the keys named like the properties in snake case, rejecting unknown keys.
    public init(_ p: ParameterReader) throws {
        layers = try p.int("layers", default: 2, in: 1...16)
        codebookSize = try p.int("codebook_size", default: 16, in: 2...65_536)
        window = try p.int("window", default: 5, in: 1...10_000)
        latentDim = try p.int("latent_dim", default: 256, in: 1...65_536)
        hidden = try p.ints("hidden", default: [128, 128], in: 1...65_536)
        emaDecay = try p.double("ema_decay", default: 0.8, in: 0...0.999_999)
        commitmentWeight = try p.double("commitment_weight", default: 5, in: 0...1_000)
        kmeansInit = try p.bool("kmeans_init", default: false)
        deadCodeThreshold = try p.double("dead_code_threshold", default: 0, in: 0...1_000_000)
        trainSteps = try p.int("train_steps", default: 3_000, in: 0...10_000_000)
        batchSize = try p.int("batch_size", default: 256, in: 1...1_000_000)
        learningRate = try p.double("learning_rate", default: 1e-3, in: 1e-8...10)
        seed = UInt64(try p.int("seed", default: 1, in: 0...Int.max))
        try p.finish()
        try validate(location: p.location)
    }

    /// Throws a ``ConfigError`` naming the first field outside its allowed range.
    public func validate(location: String = "tokenizer rvq") throws {
        func fail(_ key: String, _ problem: String) -> ConfigError { ConfigError(location: location, key: key, problem: problem) }
        guard (1...16).contains(layers) else { throw fail("layers", "expected an integer in 1...16, found \(layers)") }
        guard (2...65_536).contains(codebookSize) else { throw fail("codebook_size", "expected an integer in 2...65536, found \(codebookSize)") }
        guard window >= 1 else { throw fail("window", "expected at least 1 action per window, found \(window)") }
        guard latentDim >= 1 else { throw fail("latent_dim", "expected at least 1, found \(latentDim)") }
        guard hidden.allSatisfy({ $0 >= 1 }) else { throw fail("hidden", "expected positive widths, found \(hidden)") }
        guard emaDecay.isFinite, emaDecay >= 0, emaDecay < 1 else { throw fail("ema_decay", "expected a number in [0, 1), found \(emaDecay)") }
        guard commitmentWeight.isFinite, commitmentWeight >= 0 else { throw fail("commitment_weight", "expected a non-negative number, found \(commitmentWeight)") }
        guard deadCodeThreshold.isFinite, deadCodeThreshold >= 0 else { throw fail("dead_code_threshold", "expected a non-negative number, found \(deadCodeThreshold)") }
        guard trainSteps >= 0 else { throw fail("train_steps", "expected a non-negative integer, found \(trainSteps)") }
        guard batchSize >= 1 else { throw fail("batch_size", "expected at least 1, found \(batchSize)") }
        guard learningRate.isFinite, learningRate > 0 else { throw fail("learning_rate", "expected a positive number, found \(learningRate)") }
    }

    /// The configuration as a parameter tree (the keys ``init(_:)`` reads).
    public var parameters: ParameterValue {
        .table([
            ("layers", .int(layers)), ("codebook_size", .int(codebookSize)), ("window", .int(window)),
            ("latent_dim", .int(latentDim)), ("hidden", .array(hidden.map { .int($0) })),
            ("ema_decay", .double(emaDecay)), ("commitment_weight", .double(commitmentWeight)),
            ("kmeans_init", .bool(kmeansInit)), ("dead_code_threshold", .double(deadCodeThreshold)),
            ("train_steps", .int(trainSteps)), ("batch_size", .int(batchSize)),
            ("learning_rate", .double(learningRate)), ("seed", .int(Int(seed))),
        ])
    }
}
