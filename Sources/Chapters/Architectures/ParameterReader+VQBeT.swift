import Policies
import Support
import Tokenizers

/// The experiment-file keys of VQ-BeT's tokenizer and policy, shared by every chapter that trains it
/// (the architectures chapter's anatomy, the training chapter's codebook sizes), so the chapters
/// read the same names with the same ranges.
extension ParameterReader {
    /// The residual VQ tokenizer: `residual_layers`, `window`, `latent_dim`, `autoencoder_hidden`,
    /// `ema_decay`, `commitment_weight`, `tokenizer_steps`, `tokenizer_batch`,
    /// `tokenizer_learning_rate`, with `codebookSize` codes per layer (each experiment reads its own
    /// size keys).
    func residualVQ(codebookSize: Int) throws -> ResidualVQConfig {
        let tok = ResidualVQConfig(
            layers: try int("residual_layers", in: 2...8), codebookSize: codebookSize,
            window: try int("window", in: 1...100), latentDim: try int("latent_dim", in: 1...4_096),
            hidden: try ints("autoencoder_hidden", in: 1...4_096), emaDecay: try double("ema_decay", in: 0...0.9999),
            commitmentWeight: try double("commitment_weight", in: 0...1_000), trainSteps: try int("tokenizer_steps", in: 1...1_000_000),
            batchSize: try int("tokenizer_batch", in: 1...100_000), learningRate: try double("tokenizer_learning_rate", in: 1e-6...1))
        try tok.validate(location: location)
        return tok
    }

    /// The VQ-BeT policy (offsets on): `history`, `d_model`, `heads`, `blocks`, `primary_weight`,
    /// `secondary_weight`, `focal_gamma`, `sampling_temperature`, `offset_weight`, `policy_steps`,
    /// `policy_batch`, `policy_learning_rate`, `warmup_steps`.
    func vqbetPolicy() throws -> VQBeTConfig {
        var pol = VQBeTConfig()
        pol.history = try int("history", in: 1...100)
        pol.dModel = try int("d_model", in: 4...1_024); pol.heads = try int("heads", in: 1...32); pol.blocks = try int("blocks", in: 1...16)
        pol.primaryWeight = try double("primary_weight", in: 0...100); pol.secondaryWeight = try double("secondary_weight", in: 0...100)
        pol.focalGamma = try double("focal_gamma", in: 0...10); pol.temperature = try double("sampling_temperature", in: 0...10)
        pol.offsetWeight = try double("offset_weight", in: 0...1_000)
        pol.trainSteps = try int("policy_steps", in: 1...1_000_000); pol.batchSize = try int("policy_batch", in: 1...100_000)
        pol.learningRate = try double("policy_learning_rate", in: 1e-6...1); pol.warmupSteps = try int("warmup_steps", in: 0...100_000)
        try pol.validate(location: location)
        return pol
    }
}
