import ActionData
import Policies
import Simulation
import Support
import XCTest
@testable import Lab

/// Demonstrations of the multi-route task and the closed loop with action chunking.
final class MultiRouteControlTests: XCTestCase {
    /// A scripted policy: every chunk moves right by 0.1, 0.2, … per step, and every call is recorded.
    final class Scripted: ActionPolicy {
        let observationDim = 2, actionDim = 2, chunkLength: Int
        var costPerChunk: ChunkCost { .forwardPasses(1) }
        /// The history length at each call.
        var calls: [Int] = []
        init(chunkLength: Int) { self.chunkLength = chunkLength }
        func train(_ demos: Demonstrations, progress: ((TrainingProgress) -> Void)?) throws {}
        func act(history: [[Double]], rng: inout SeededGenerator) throws -> ActionChunk {
            calls.append(history.count)
            return try ActionChunk(steps: chunkLength, dims: 2, values: (0..<chunkLength).flatMap { [0.1 * Double($0 + 1), 0] })
        }
    }

    func testThePolicyIsAskedOncePerChunkAndAfreshAtEveryEpisode() throws {
        let task = MultiRouteTask.standard
        let policy = Scripted(chunkLength: 7)
        let paths = try MultiRouteControl.paths(policy, task: task, episodes: 2, seed: 1)
        // Straight right the agent stalls at the block and never reaches the goal: 60 steps per episode.
        XCTAssertEqual(paths.map(\.count), [61, 61])
        // Asked at steps 0, 7, …, 56 (histories of 1, 8, …, 57 positions); the 3 actions left of the
        // last chunk are dropped when the second episode starts, which asks again at once.
        let perEpisode = Array(stride(from: 1, through: 57, by: 7))
        XCTAssertEqual(policy.calls, perEpisode + perEpisode)
        // The chunk's actions are executed in order (each clipped to the world's 0.5 per step).
        let dx = zip(paths[0].dropFirst(), paths[0]).prefix(7).map { $0.x - $1.x }
        for (i, d) in dx.enumerated() { XCTAssertEqual(d, min(0.1 * Double(i + 1), 0.5), accuracy: 1e-12) }
        // evaluate runs the same episodes.
        let report = try MultiRouteControl.evaluate(Scripted(chunkLength: 7), task: task, episodes: 2, seed: 1)
        XCTAssertEqual(report.successRate, 0)
        XCTAssertEqual(report.episodes, 2)
    }

    func testDemonstrationsDrawEachEpisodeFromItsOwnStream() throws {
        let task = MultiRouteTask.standard
        let three = try MultiRouteControl.demonstrations(task, count: 3, seed: 5)
        let one = try MultiRouteControl.demonstrations(task, count: 1, seed: 5)
        XCTAssertEqual(three.episodes.count, 3)
        XCTAssertEqual(three.observationDim, 2)
        XCTAssertEqual(three.actionDim, 2)
        XCTAssertEqual(three.episodes[0].observations, one.episodes[0].observations, "episode 0 does not depend on the count")
        XCTAssertEqual(three.episodes[0].actions, one.episodes[0].actions)
        XCTAssertNotEqual(three.episodes[0].actions, three.episodes[1].actions)
        // Each observation is the position its action was taken from: the world moves it to the next one.
        let e = three.episodes[1]
        XCTAssertEqual(e.observations[0], [task.start.x, task.start.y])
        for t in 0..<(e.actions.count - 1) {
            let next = task.world.step(from: Point(e.observations[t][0], e.observations[t][1]), action: Point(e.actions[t][0], e.actions[t][1])).position
            XCTAssertEqual([next.x, next.y], e.observations[t + 1], "step \(t)")
        }
    }
}
