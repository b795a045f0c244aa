import WorkbenchCore

extension Chapter {
    /// The training chapter: what the choices made when training a learned tokenizer change.
    ///
    /// 1. Codebook size — VQ-BeT's residual VQ with 4 to 256 codes per layer.
    /// 2. Token stasis — built separately; its experiment joins this list after codebook size.
    public static let training = Chapter(slug: "training", title: "Training", experiments: [
        AnyExperiment(CodebookSize()),
        // AnyExperiment(TokenStasis()),   // the second experiment, merged from its own branch
    ])
}
