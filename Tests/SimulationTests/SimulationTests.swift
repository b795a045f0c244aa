import Foundation
import XCTest
import Support
@testable import Simulation

/// The planar world's dynamics, the multi-route task's demonstrations, and closed-loop rollouts.
final class SimulationTests: XCTestCase {
    let task = MultiRouteTask.standard

    func testActionsAreClippedPerComponent() {
        let w = task.world
        let r = w.step(from: Point(0, 0), action: Point(3, -0.2))
        XCTAssertEqual(r.position, Point(0.5, -0.2))
        XCTAssertFalse(r.collided)
    }

    func testMovesIntoObstaclesOrOutOfBoundsAreRefused() {
        let w = task.world
        // From just left of the block, a step right would end inside it.
        XCTAssertEqual(w.step(from: Point(2.8, 0), action: Point(0.5, 0)).position, Point(2.8, 0))
        XCTAssertTrue(w.step(from: Point(2.8, 0), action: Point(0.5, 0)).collided)
        // Out of bounds (the left edge is x = -1).
        XCTAssertTrue(w.step(from: Point(-0.8, 0), action: Point(-0.5, 0)).collided)
        // A non-finite action is refused rather than moving the agent anywhere.
        XCTAssertEqual(w.step(from: Point(0, 0), action: Point(.nan, 0)).position, Point(0, 0))
        // Sliding along the block's top edge is allowed.
        XCTAssertFalse(w.step(from: Point(4, 2.1), action: Point(0.5, 0)).collided)
    }

    func testGoalRegionAndRouteOfAPath() {
        XCTAssertTrue(task.world.goal.contains(Point(10, 0)))
        XCTAssertFalse(task.world.goal.contains(Point(9, 0)))
        XCTAssertEqual(task.route(of: [Point(0, 0), Point(5, 3.2), Point(10, 0)]), 0)
        XCTAssertEqual(task.route(of: [Point(0, 0), Point(5, -2.9), Point(10, 0)]), 1)
        XCTAssertEqual(task.route(of: [Point(0, 0), Point(5, 6.1), Point(10, 0)]), 2)
        XCTAssertNil(task.route(of: [Point(0, 0), Point(2.9, 0.5)]), "never got past the block's middle")
    }

    /// Every demonstration reaches the goal within the step limit without touching the block, by
    /// the route it chose; the routes come up with their probabilities.
    func testScriptedDemonstrationsReachTheGoalByEveryRoute() {
        let expert = ScriptedExpert(task: task)
        var rng = SeededGenerator(seed: 11)
        var counts = [0, 0, 0]
        let n = 3000
        for _ in 0..<n {
            let e = expert.demonstrate(&rng)
            XCTAssertTrue(e.success)
            XCTAssertEqual(task.route(of: e.positions), e.route)
            XCTAssertTrue(e.positions.allSatisfy(task.world.isFree))
            XCTAssertEqual(e.collisions, 0)
            XCTAssertEqual(e.positions.count, e.actions.count + 1)
            counts[e.route!] += 1
        }
        for (c, r) in zip(counts, task.routes) {
            // Binomial standard error at n = 3000 is under 0.01; allow four of them.
            XCTAssertEqual(Double(c) / Double(n), r.probability, accuracy: 0.04, r.name)
        }
    }

    /// The action each route's expert would take after `history` (noise-free): towards the
    /// first of the route's targets that the path has not passed yet.
    static func routeAction(_ expert: ScriptedExpert, route: Int, history: [Point]) -> Point {
        let targets = expert.task.routes[route].waypoints + [expert.task.goalCentre]
        var next = 0
        for p in history where next < targets.count - 1 && hypot(targets[next].x - p.x, targets[next].y - p.y) < expert.waypointRadius { next += 1 }
        return expert.action(from: history.last!, towards: targets[next])
    }

    /// Averaging the modes fails: the probability-weighted mean of the three routes' actions
    /// heads into the block (above and below cancel out) and stalls there.
    func testAPolicyThatAveragesTheModesFails() throws {
        let task = self.task, expert = ScriptedExpert(task: task)
        let average: Rollout.Policy = { history, _ in
            var a = Point(0, 0)
            for (i, r) in task.routes.enumerated() {
                let ai = Self.routeAction(expert, route: i, history: history)
                a.x += r.probability * ai.x; a.y += r.probability * ai.y
            }
            return a
        }
        let r = try Rollout.evaluate(task, policy: average, episodes: 20, seed: 1)
        XCTAssertEqual(r.successRate, 0)
        XCTAssertEqual(r.routeShares, [0, 0, 0], "it never gets past the block")
        // Steering straight at the goal fails the same way, by colliding with the block.
        let straight: Rollout.Policy = { history, _ in expert.action(from: history.last!, towards: task.goalCentre) }
        let s = try Rollout.evaluate(task, policy: straight, episodes: 5, seed: 1)
        XCTAssertEqual(s.successRate, 0)
        XCTAssertGreaterThan(s.meanCollisions, 10)
    }

    /// A policy that replays the expert's choice per episode captures every mode: it succeeds
    /// always, and takes each route about as often as the demonstrations do.
    func testAPolicyThatCapturesTheModesTakesEveryRoute() throws {
        let task = self.task, expert = ScriptedExpert(task: task)
        var plans: [Int: Int] = [:]          // episode start → route, chosen once per episode
        var episode = -1
        let policy: Rollout.Policy = { history, rng in
            if history.count == 1 { episode += 1; plans[episode] = expert.pickRoute(&rng) }
            return Self.routeAction(expert, route: plans[episode]!, history: history)
        }
        let r = try Rollout.evaluate(task, policy: policy, episodes: 1000, seed: 5)
        XCTAssertEqual(r.successRate, 1)
        XCTAssertEqual(r.meanCollisions, 0)
        for (share, route) in zip(r.routeShares, task.routes) { XCTAssertEqual(share, route.probability, accuracy: 0.06, route.name) }
    }

    func testRolloutsAreDeterministicPerSeed() throws {
        let task = self.task, expert = ScriptedExpert(task: task)
        let noisy: Rollout.Policy = { history, rng in
            let a = expert.action(from: history.last!, towards: Point(2.5, 3))
            return Point(a.x + 0.3 * rng.nextGaussian(), a.y + 0.3 * rng.nextGaussian())
        }
        var a = SeededGenerator(seed: 9), b = SeededGenerator(seed: 9)
        XCTAssertEqual(try Rollout.episode(task, policy: noisy, rng: &a).positions, try Rollout.episode(task, policy: noisy, rng: &b).positions)
    }
}
