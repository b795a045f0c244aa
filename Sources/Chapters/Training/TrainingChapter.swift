import WorkbenchCore

extension Chapter {
    /// The training chapter: what fitting a tokenizer to data does to it.
    ///
    /// 1. Token stasis — reconstruction of a motion family the tokenizers were not fitted on.
    public static let training = Chapter(slug: "training", title: "Training", experiments: [
        AnyExperiment(TokenStasis()),
    ])
}
