import Experiments

extension Chapter {
    /// The foundations chapter: what each tokenizer costs in tokens and buys in precision.
    ///
    /// 1. Token counts — tokens per one-second chunk from 5 to 100 Hz, beside the FAST paper's Table I.
    /// 2. Rate and distortion — reconstruction error against tokens per second as each knob moves.
    public static let foundations = Chapter(slug: "foundations", title: "Foundations", experiments: [
        AnyExperiment(TokenCounts()),
        AnyExperiment(RateDistortion()),
    ])
}
