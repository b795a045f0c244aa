/// Every default value the engine uses, in one place.
///
/// Each constant is referenced by the API that uses it, so changing a default here changes it
/// everywhere and nowhere else.
public enum Defaults {
    /// LayerNorm's variance epsilon (PyTorch's default).
    public static let layerNormEpsilon: Float = 1e-5
    /// Standard deviation of normal weight initialisation (GPT-2 style).
    public static let initStd: Float = 0.02
    /// AdamW learning rate.
    public static let learningRate: Float = 3e-4
    /// AdamW first-moment decay.
    public static let beta1: Float = 0.9
    /// AdamW second-moment decay.
    public static let beta2: Float = 0.999
    /// AdamW denominator epsilon (PyTorch's default).
    public static let adamEpsilon: Float = 1e-8
    /// AdamW decoupled weight decay (PyTorch's default).
    public static let weightDecay: Float = 0.01
    /// Focal-loss focusing parameter.
    public static let focalGamma: Float = 2
    /// Hidden width of a transformer MLP as a multiple of the model width.
    public static let mlpRatio: Int = 4
    /// Dropout probability in the GPT (off: the experiments are small and deterministic).
    public static let dropout: Float = 0
    /// Maximum period of sinusoidal embeddings (as in "Attention is all you need").
    public static let sinusoidalMaxPeriod: Float = 10_000
    /// Shortest and longest period of the flow-matching time embedding (pi0's, for times in [0, 1]).
    public static let timeMinPeriod: Double = 4e-3
    public static let timeMaxPeriod: Double = 4.0
    /// Work items (≈ elements) below which an op stays on the calling thread.
    public static let parallelGrain: Int = 65_536
    /// Parts a matrix product or a reduction is split into, whatever the thread count (the parts
    /// run on as many threads as there are, up to this), so one thread and two give the same bits.
    public static let parallelSplits: Int = 2
    /// Multiply-adds (m·n·k) from which a matrix product is split by rows across threads.
    public static let gemmSplitWork: Int = 1 << 21
    /// Query positions per block of causal attention (each block skips the keys after its last query).
    public static let attentionBlock: Int = 32
    /// Longest sequence attended in blocks (bit-identical to one block up to here; see the attention op).
    public static let attentionBlockLimit: Int = 128
    /// Longer sequences attend without storing the T x T probabilities: blocks of queries, the
    /// probabilities recomputed in the backward pass (memory per layer grows as T, not T²).
    public static let attentionStreamingFrom: Int = 512
    /// Central-difference step for gradient checks (Float32 forward, Double accumulation).
    public static let gradCheckStep: Float = 1e-2
    /// Largest accepted relative error of a gradient check (see `GradCheck`).
    public static let gradCheckTolerance: Double = 2e-3
}
