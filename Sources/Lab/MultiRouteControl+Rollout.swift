import Policies
import Simulation
import Support

extension MultiRouteControl {
    /// Success rate, route shares and collisions of `policy` over seeded episodes.
    public static func evaluate(_ policy: any ActionPolicy, task: MultiRouteTask, episodes: Int, seed: UInt64) throws -> Rollout.Report {
        var queue: [Point] = []
        return try Rollout.evaluate(task, policy: { try next(policy, $0, &$1, &queue) }, episodes: episodes, seed: seed)
    }

    /// The visited positions of `episodes` episodes (drawn like ``evaluate(_:task:episodes:seed:)``'s, from `seed`).
    public static func paths(_ policy: any ActionPolicy, task: MultiRouteTask, episodes: Int, seed: UInt64) throws -> [[Point]] {
        let base = SeededGenerator(seed: seed)
        var queue: [Point] = []
        return try (0..<episodes).map { i in
            var rng = base.derived("episode \(i)")
            return try Rollout.episode(task, policy: { try next(policy, $0, &$1, &queue) }, rng: &rng).positions
        }
    }

    /// The next action: the head of the current chunk, asking the policy for a new chunk when
    /// the last one is used up or a new episode starts.
    static func next(_ policy: any ActionPolicy, _ history: [Point], _ rng: inout SeededGenerator, _ queue: inout [Point]) throws -> Point {
        if history.count == 1 { queue = [] }
        if queue.isEmpty {
            let w = try policy.act(history: history.map { [$0.x, $0.y] }, rng: &rng).values
            queue = stride(from: 0, to: w.count, by: 2).map { Point(w[$0], w[$0 + 1]) }
        }
        return queue.removeFirst()
    }
}
