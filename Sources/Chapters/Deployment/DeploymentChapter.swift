import Experiments

extension Chapter {
    /// The deployment chapter: what it takes to run a policy on a robot.
    ///
    /// 1. Latency per chunk — seconds to produce one chunk at batch 1, every contender on the
    ///    same engine, against control rate and model width.
    /// 2. Control under inference delay — a flow-matching policy tracking a jumping target while
    ///    each chunk takes d steps to compute: synchronous, naive asynchronous, real-time chunking.
    public static let deployment = Chapter(slug: "deployment", title: "Deployment", experiments: [
        AnyExperiment(LatencyPerChunk()),
        AnyExperiment(InferenceDelay()),
    ])
}
