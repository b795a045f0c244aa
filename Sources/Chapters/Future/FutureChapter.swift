import Experiments

extension Chapter {
    /// The future chapter: the audit's open questions and its bottom line, measured.
    ///
    /// 1. Compute scaling — each contender's held-out error against training FLOPs on the splines
    ///    and the arm, beside each tokenizer's round-trip floor; and per-step binning at more bins;
    ///    the last step of compute again at the spline recipe's 2,000 steps (a full-profile block).
    /// 2. Universal tokenizers — FAST's BPE fitted on the other sources and applied to the one left
    ///    out; a residual VQ trained on synthetic motions applied to LASA's handwriting.
    /// 3. The bottom line — the audit's three scenarios ranked from the book's committed results.
    public static let future = Chapter(slug: "future", title: "Future", experiments: [
        AnyExperiment(ComputeScaling()),
        AnyExperiment(ComputeScaling(name: "scaling-recipe")),
        AnyExperiment(UniversalTokenizers()),
        AnyExperiment(BottomLine()),
    ])
}
