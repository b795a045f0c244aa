import Experiments

extension Chapter {
    /// The architectures chapter: how VQ-BeT is built, and what each part buys.
    ///
    /// 1. VQ-BeT taken apart — coarse and fine codes, the offset head, residual against single VQ.
    /// 2. Multi-route baselines — VQ-BeT against per-step binning, MSE regression and flow matching.
    /// 3. Correlated actuators — bits per chunk to reach a precision: per-dimension binning against joint VQ.
    public static let architectures = Chapter(slug: "architectures", title: "Architectures", experiments: [
        AnyExperiment(VQBeTAnatomy()),
        AnyExperiment(MultiRouteBaselines()),
        AnyExperiment(CorrelatedActuators()),
    ])
}
