import Experiments

extension Chapter {
    /// The evaluation chapter: FAST against binning at rising control frequency, and a scorecard.
    ///
    /// 1. Frequency sweep — the FAST paper's didactic spline experiment, every tokenizer and rate.
    /// 2. Collapse regime — the frequency sweep at 400 and 800 steps per sequence, where the
    ///    copying collapse was reported; it runs in the full profile only (hours on two cores), and
    ///    a quick run keeps its last full-profile results.
    /// 3. Scorecard — every registered tokenizer on tokens, precision, prediction, speed, failures.
    public static let evaluation = Chapter(slug: "evaluation", title: "Evaluation", experiments: [
        AnyExperiment(FrequencySweep()),
        AnyExperiment(FrequencySweep(name: "collapse-regime")),
        AnyExperiment(Scorecard()),
    ])
}
