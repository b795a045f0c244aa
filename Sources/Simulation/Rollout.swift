import Metrics
import Support

/// Closed-loop evaluation of a policy on a ``MultiRouteTask`` over seeded episodes.
public enum Rollout {
    /// A policy: the action for the current position, given the positions visited so far (the
    /// current one last) and a random stream it may sample from.
    public typealias Policy = (_ history: [Point], _ rng: inout SeededGenerator) throws -> Point

    /// What the episodes showed.
    public struct Report: Sendable, Codable {
        /// Episodes run.
        public var episodes: Int
        /// Share of episodes that reached the goal within the step limit.
        public var successRate: Double
        /// Share of episodes that went around the obstacle by each route (by route index); the
        /// rest never got past the obstacle's middle.
        public var routeShares: [Double]
        /// Mean refused moves per episode.
        public var meanCollisions: Double

        public init(episodes: Int, successRate: Double, routeShares: [Double], meanCollisions: Double) {
            self.episodes = episodes; self.successRate = successRate; self.routeShares = routeShares; self.meanCollisions = meanCollisions
        }
    }

    /// Runs one episode of `policy` from the task's start.
    public static func episode(_ task: MultiRouteTask, policy: Policy, rng: inout SeededGenerator) throws -> Episode {
        var p = task.start
        var positions = [p], actions: [Point] = []
        var collisions = 0
        for _ in 0..<task.stepLimit where !task.world.goal.contains(p) {
            let a = try policy(positions, &rng)
            actions.append(a)
            let r = task.world.step(from: p, action: a)
            if r.collided { collisions += 1 }
            p = r.position
            positions.append(p)
        }
        return Episode(positions: positions, actions: actions, route: task.route(of: positions),
                       success: task.world.goal.contains(p), collisions: collisions)
    }

    /// Runs `episodes` episodes; episode `i` draws from `SeededGenerator(seed: seed).derived("episode \(i)")`.
    public static func evaluate(_ task: MultiRouteTask, policy: Policy, episodes: Int, seed: UInt64) throws -> Report {
        precondition(episodes > 0, "at least one episode")
        let base = SeededGenerator(seed: seed)
        var successes = 0, collisions = 0
        var routes = [Int](repeating: 0, count: task.routes.count)
        for i in 0..<episodes {
            var rng = base.derived("episode \(i)")
            let e = try episode(task, policy: policy, rng: &rng)
            if e.success { successes += 1 }
            if let r = e.route { routes[r] += 1 }
            collisions += e.collisions
        }
        return Report(episodes: episodes, successRate: Statistics.proportion(successes, of: episodes),
                      routeShares: routes.map { Statistics.proportion($0, of: episodes) }, meanCollisions: Double(collisions) / Double(episodes))
    }
}
