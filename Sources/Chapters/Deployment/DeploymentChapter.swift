import Experiments

extension Chapter {
    /// The deployment chapter: what it takes to run a policy on a robot.
    ///
    /// 1. Latency per chunk — seconds to produce one chunk at batch 1, every contender on the
    ///    same engine, against control rate and model width.
    /// 2. Control under inference delay — a flow-matching policy tracking a jumping target while
    ///    each chunk takes d steps to compute: synchronous, naive asynchronous, real-time chunking.
    /// 3. Token conflation — language tokens where actions belong and the decode failures they
    ///    cause, per token contender, without and with constrained decoding.
    public static let deployment = Chapter(slug: "deployment", title: "Deployment", experiments: [
        AnyExperiment(LatencyPerChunk()),
        AnyExperiment(InferenceDelay()),
        AnyExperiment(TokenConflation()),
    ])
}

/// What the deployment chapter's figures share.
enum DeploymentFigures {
    /// The sideways offset of series `index` of `count` drawn at the same x, so their error bars
    /// stand side by side: `spacing` apart, centred on the x.
    static func nudge(_ index: Int, of count: Int, spacing: Double = 0.12) -> Double {
        (Double(index) - Double(count - 1) / 2) * spacing
    }
}
