import Experiments

extension Chapter {
    /// The evaluation chapter: FAST against binning at rising control frequency, and a scorecard.
    ///
    /// 1. Frequency sweep — the FAST paper's didactic spline experiment, every tokenizer and rate.
    /// 2. Scorecard — every registered tokenizer on tokens, precision, prediction, speed, failures.
    public static let evaluation = Chapter(slug: "evaluation", title: "Evaluation", experiments: [
        AnyExperiment(FrequencySweep()),
        AnyExperiment(Scorecard()),
    ])
}
