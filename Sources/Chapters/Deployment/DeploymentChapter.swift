import Experiments

extension Chapter {
    /// The deployment chapter: what it takes to run a policy on a robot.
    ///
    /// 1. Latency per chunk — seconds to produce one chunk at batch 1, every contender on the
    ///    same engine, against control rate and model width.
    public static let deployment = Chapter(slug: "deployment", title: "Deployment", experiments: [
        AnyExperiment(LatencyPerChunk()),
    ])
}
