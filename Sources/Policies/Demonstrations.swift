import ActionData

/// Demonstrations for an observation-to-action policy: per episode, what was observed and done.
public struct Demonstrations: Sendable {
    /// One episode: `observations[t]` was seen when `actions[t]` was taken (equal counts).
    public struct Episode: Sendable {
        public var observations: [[Double]], actions: [[Double]]
        public init(observations: [[Double]], actions: [[Double]]) { self.observations = observations; self.actions = actions }
    }
    public var episodes: [Episode]
    /// Widths of an observation and of an action.
    public let observationDim: Int, actionDim: Int

    /// Checks that every episode is non-empty, has one observation per action, the same widths
    /// throughout and only finite values; the error names the episode and step.
    public init(_ episodes: [Episode]) throws {
        guard let first = episodes.first, let o = first.observations.first, let a = first.actions.first else {
            throw PolicyError.invalidArgument("demonstrations need at least one episode with at least one step")
        }
        observationDim = o.count; actionDim = a.count
        for (e, ep) in episodes.enumerated() {
            guard !ep.actions.isEmpty, ep.observations.count == ep.actions.count else {
                throw PolicyError.invalidArgument("episode \(e) has \(ep.observations.count) observations for \(ep.actions.count) actions")
            }
            for t in 0..<ep.actions.count {
                guard ep.observations[t].count == observationDim, ep.actions[t].count == actionDim else {
                    throw PolicyError.invalidArgument("episode \(e) step \(t): widths \(ep.observations[t].count)/\(ep.actions[t].count), expected \(observationDim)/\(actionDim)")
                }
                guard ep.observations[t].allSatisfy(\.isFinite), ep.actions[t].allSatisfy(\.isFinite) else {
                    throw PolicyError.invalidArgument("episode \(e) step \(t) holds a NaN or infinite value")
                }
            }
        }
        self.episodes = episodes
    }

    /// Every (episode, step) pair, episode-major.
    public var samples: [(episode: Int, step: Int)] {
        episodes.enumerated().flatMap { e, ep in (0..<ep.actions.count).map { (e, $0) } }
    }

    /// The `window` actions from `step` on; past the episode's end the agent stands still (zeros).
    public func actionWindow(episode e: Int, step t: Int, window: Int) -> [Double] {
        let acts = episodes[e].actions
        var out = [Double](repeating: 0, count: window * actionDim)
        for i in 0..<window where t + i < acts.count {
            for d in 0..<actionDim { out[i * actionDim + d] = acts[t + i][d] }
        }
        return out
    }

    /// Every action window as a chunk set of `window`-step chunks (what the tokenizer is fitted on).
    public func actionWindows(window: Int) throws -> ChunkSet {
        try ChunkSet(chunks: samples.map { try ActionChunk(steps: window, dims: actionDim, values: actionWindow(episode: $0.episode, step: $0.step, window: window)) })
    }
}
