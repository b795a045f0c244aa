import Policies
import Simulation
import Support

/// The multi-route task as data for an observation-to-action policy, and closed-loop evaluation
/// (`MultiRouteControl+Rollout.swift`).
///
/// Observations are the agent's position `(x, y)`, actions its displacement `(dx, dy)`; the
/// policy acts in chunks and the whole chunk is executed before it is asked again (action
/// chunking), each step still clipped and collision-checked by the world.
public enum MultiRouteControl {
    /// `count` scripted demonstrations, episode `i` drawn from `seed`'s stream `"demo i"`.
    public static func demonstrations(_ task: MultiRouteTask, count: Int, seed: UInt64) throws -> Demonstrations {
        let expert = ScriptedExpert(task: task)
        let base = SeededGenerator(seed: seed)
        return try Demonstrations((0..<count).map { i in
            var rng = base.derived("demo \(i)")
            let e = expert.demonstrate(&rng)
            return Demonstrations.Episode(observations: e.positions.dropLast().map { [$0.x, $0.y] },
                                          actions: e.actions.map { [$0.x, $0.y] })
        })
    }
}
