import WorkbenchCore

extension Chapter {
    /// The architectures chapter: how VQ-BeT is built, and what each part buys.
    ///
    /// 1. VQ-BeT taken apart — coarse and fine codes, the offset head, residual against single VQ.
    public static let architectures = Chapter(slug: "architectures", title: "Architectures", experiments: [
        AnyExperiment(VQBeTAnatomy()),
    ])
}
