import Experiments

extension Chapter {
    /// The applications chapter: what the contenders do on tasks, not on reconstruction error.
    ///
    /// 1. Target precision — how fine a target each policy can stop on, against its tokenizer's
    ///    resolution; and the same for the continuous policies and 256-bin binning trained for
    ///    VQ-BeT's 20,000 steps (a full-profile block).
    /// 2. Literal commands — how exactly each policy executes a value it is told, against its
    ///    tokenizer's resolution, at the training values and between them.
    /// 3. LASA in closed loop — every contender trained on real human handwriting and rolled out
    ///    from held-out demonstrations' starts, compared with them by DTW distance.
    public static let applications = Chapter(slug: "applications", title: "Applications", experiments: [
        AnyExperiment(TargetPrecision()),
        AnyExperiment(TargetPrecision(name: "precision-training")),
        AnyExperiment(LiteralCommands()),
        AnyExperiment(LASAClosedLoop()),
    ])
}
