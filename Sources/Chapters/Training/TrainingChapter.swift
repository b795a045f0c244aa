import Experiments

extension Chapter {
    /// The training chapter: what training a tokenizer changes.
    ///
    /// 1. Codebook size — VQ-BeT's residual VQ with 4 to 256 codes per layer.
    /// 2. Token stasis — reconstruction of a motion family the tokenizers were not fitted on.
    public static let training = Chapter(slug: "training", title: "Training", experiments: [
        AnyExperiment(CodebookSize()),
        AnyExperiment(TokenStasis()),
    ])
}
