import Policies
import Simulation
import Support

/// The multi-route task as data for an observation-to-action policy, and closed-loop evaluation.
///
/// Observations are the agent's position `(x, y)`, actions its displacement `(dx, dy)`; the
/// policy acts in windows and the whole window is executed before it is asked again (action
/// chunking), each step still clipped and collision-checked by the world.
enum MultiRouteControl {
    /// `count` scripted demonstrations, episode `i` drawn from `seed`'s stream `"demo i"`.
    static func demonstrations(_ task: MultiRouteTask, count: Int, seed: UInt64) throws -> Demonstrations {
        let expert = ScriptedExpert(task: task)
        let base = SeededGenerator(seed: seed)
        return try Demonstrations((0..<count).map { i in
            var rng = base.derived("demo \(i)")
            let e = expert.demonstrate(&rng)
            return Demonstrations.Episode(observations: e.positions.dropLast().map { [$0.x, $0.y] },
                                          actions: e.actions.map { [$0.x, $0.y] })
        })
    }

    /// Success rate, route shares and collisions of `policy` over seeded episodes.
    static func evaluate(_ policy: VQBeTPolicy, task: MultiRouteTask, episodes: Int, seed: UInt64) throws -> Rollout.Report {
        var queue: [Point] = []
        return try Rollout.evaluate(task, policy: { try next(policy, $0, &$1, &queue) }, episodes: episodes, seed: seed)
    }

    /// The visited positions of `episodes` episodes (drawn like ``evaluate``'s, from `seed`).
    static func paths(_ policy: VQBeTPolicy, task: MultiRouteTask, episodes: Int, seed: UInt64) throws -> [[Point]] {
        let base = SeededGenerator(seed: seed)
        var queue: [Point] = []
        return try (0..<episodes).map { i in
            var rng = base.derived("episode \(i)")
            return try Rollout.episode(task, policy: { try next(policy, $0, &$1, &queue) }, rng: &rng).positions
        }
    }

    /// The next action: the head of the current window, asking the policy for a new window when
    /// the last one is used up or a new episode starts.
    static func next(_ policy: VQBeTPolicy, _ history: [Point], _ rng: inout SeededGenerator, _ queue: inout [Point]) throws -> Point {
        if history.count == 1 { queue = [] }
        if queue.isEmpty {
            let w = try policy.act([history.map { [$0.x, $0.y] }], rng: &rng).windows[0]
            queue = stride(from: 0, to: w.count, by: 2).map { Point(w[$0], w[$0 + 1]) }
        }
        return queue.removeFirst()
    }
}
