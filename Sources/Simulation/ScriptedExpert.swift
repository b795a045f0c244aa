import Foundation
import Support

/// Demonstrations of a ``MultiRouteTask``: pick a route, steer through its waypoints to the goal.
public struct ScriptedExpert: Sendable {
    /// The task demonstrated.
    public let task: MultiRouteTask
    /// Distance at which a waypoint counts as passed.
    public let waypointRadius: Double

    public init(task: MultiRouteTask, waypointRadius: Double = 0.3) {
        self.task = task; self.waypointRadius = waypointRadius
    }

    /// A route index drawn with the routes' probabilities.
    public func pickRoute(_ rng: inout SeededGenerator) -> Int {
        let u = rng.nextUniform()
        var total = 0.0
        for (i, r) in task.routes.enumerated() {
            total += r.probability
            if u < total { return i }
        }
        return task.routes.count - 1
    }

    /// The noise-free action towards `target` from `p`: the full step along the straight line,
    /// scaled so that neither component exceeds the world's `maxStep`.
    public func action(from p: Point, towards target: Point) -> Point {
        let dx = target.x - p.x, dy = target.y - p.y
        let m = max(abs(dx), abs(dy))
        guard m > 0 else { return Point(0, 0) }
        let s = min(1, task.world.maxStep / m)
        return Point(dx * s, dy * s)
    }

    /// One demonstration: the visited positions (starting with the start) and the actions taken,
    /// the route chosen, and whether the goal was reached within the step limit.
    public func demonstrate(_ rng: inout SeededGenerator) -> Episode {
        let route = pickRoute(&rng)
        let targets = task.routes[route].waypoints + [task.goalCentre]
        var p = task.start, next = 0
        var positions = [p], actions: [Point] = []
        var collisions = 0
        for _ in 0..<task.stepLimit where !task.world.goal.contains(p) {
            while next < targets.count - 1, hypot(targets[next].x - p.x, targets[next].y - p.y) < waypointRadius { next += 1 }
            var a = action(from: p, towards: targets[next])
            a.x += task.actionNoise * rng.nextGaussian()
            a.y += task.actionNoise * rng.nextGaussian()
            actions.append(a)
            let r = task.world.step(from: p, action: a)
            if r.collided { collisions += 1 }
            p = r.position
            positions.append(p)
        }
        return Episode(positions: positions, actions: actions, route: route, success: task.world.goal.contains(p), collisions: collisions)
    }
}

/// One episode of a planar task.
public struct Episode: Sendable {
    /// Positions visited, the start first (one more than `actions`).
    public var positions: [Point]
    /// Actions taken, as the policy returned them (before clipping).
    public var actions: [Point]
    /// The route taken (the expert's choice, or ``MultiRouteTask/route(of:)`` for a policy).
    public var route: Int?
    /// Whether the goal region was reached within the step limit.
    public var success: Bool
    /// Refused moves (into an obstacle or out of bounds).
    public var collisions: Int
}
