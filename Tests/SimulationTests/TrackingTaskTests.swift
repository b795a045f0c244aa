import Foundation
import Support
import XCTest
@testable import Simulation

/// The tracking task under delayed execution, checked by hand on a six-step episode.
final class TrackingTaskTests: XCTestCase {
    /// One dimension, the target held at 1, steps of at most 0.5, the expert with gain 1, chunks
    /// of 3 with 2 run, a delay of 1. Worked by hand:
    /// - synchronous: chunk 0 = [0.5, 0.5, 0] asked at 0 runs at steps 1-2, chunk 1 = [0, 0, 0]
    ///   asked at 3 runs at 4-5; actions 0, .5, .5, 0, 0, 0; distances 1, .5, 0, 0, 0, 0.
    /// - naive asynchronous: chunk 1 asked at step 2 (position .5) = [.5, 0, 0] runs from index 1
    ///   at steps 3-4, chunk 2 at step 5; the same actions and distances.
    /// Both: mean distance 0.25, 4 of 6 steps within 0.1, switch jerk (.5 + .5 + 0) / 3, none within.
    func testSixStepsByHand() throws {
        let task = TrackingTask(dims: 1, steps: 6, maxStep: 0.5, meanHold: 50, tolerance: 0.1)
        let targets = [[Double]](repeating: [1], count: 6)
        for strategy in DelayedExecution.Strategy.allCases {
            let execution = try DelayedExecution(strategy: strategy, chunkLength: 3, delay: 1, executed: 2)
            var seen: [TrackingTask.Observation] = []
            let expert = task.expert(gain: 1, length: 3)
            let report = try task.run({ o, keep in seen.append(o); return try expert(o, keep) }, execution: execution, targets: targets)
            XCTAssertEqual(report.meanDistance, 0.25, accuracy: 1e-12, "\(strategy)")
            XCTAssertEqual(report.withinTolerance, 4.0 / 6, accuracy: 1e-12)
            XCTAssertEqual(report.switchJerk, 1.0 / 3, accuracy: 1e-12)
            XCTAssertEqual(report.withinChunkJerk, 0)
            XCTAssertEqual(seen.map(\.position), strategy == .synchronous ? [[0], [1]] : [[0], [0.5], [1]], "\(strategy)")
        }
    }

    /// Real-time chunking hands the policy the old chunk's actions that run while it computes, at
    /// weight 1, and the old plan beyond them at the soft mask's weights.
    func testRealTimeChunkingHandsOverTheOldActions() throws {
        let task = TrackingTask(dims: 1, steps: 8, maxStep: 1, tolerance: 0.1)
        let execution = try DelayedExecution(strategy: .realTimeChunking, chunkLength: 6, delay: 1, executed: 2)
        var kept: [TrackingTask.Inpainting?] = []
        var k = 0
        _ = try task.run({ _, keep in
            kept.append(keep); k += 1
            return (0..<6).map { [Double(k * 10 + $0)] }  // chunk k (from 1) holds k0, k1, ..., k5
        }, execution: execution, targets: [[Double]](repeating: [0], count: 8))
        XCTAssertNil(kept[0])
        let second = try XCTUnwrap(kept[1])
        // Chunk 1 is asked for at step 2; chunk 0 runs index 1 then (it started at index 0 on step 1).
        XCTAssertEqual(second.actions.prefix(5).map { $0[0] }, [11, 12, 13, 14, 15])
        XCTAssertEqual(second.weights, [1] + execution.softMask.dropFirst().prefix(4) + [0])
        let third = try XCTUnwrap(kept[2])  // chunk 2 at step 4; chunk 1 runs index 2 then
        XCTAssertEqual(third.actions.prefix(4).map { $0[0] }, [22, 23, 24, 25])
        XCTAssertEqual(third.weights.suffix(2), [0, 0])
    }

    /// The target holds for at least one step and jumps within [-1, 1]; the same seed, the same targets.
    func testTargetsAreSeededAndBounded() {
        let task = TrackingTask(dims: 2, steps: 400, meanHold: 20)
        var a = SeededGenerator(seed: 4), b = SeededGenerator(seed: 4)
        let t = task.targets(&a)
        XCTAssertEqual(t, task.targets(&b))
        XCTAssertEqual(t.count, 400)
        XCTAssertTrue(t.allSatisfy { $0.allSatisfy { (-1...1).contains($0) } })
        let jumps = zip(t, t.dropFirst()).filter { $0 != $1 }.count
        XCTAssertTrue((8...40).contains(jumps), "about 400 / 20 jumps, got \(jumps)")
    }

    /// The bulging expert by hand: from the origin to the target (1, 0) with gain 0.5, steps up to
    /// 1 and bulge 0.4, the error (1, 0) turned a quarter turn adds (0, 0.4) anticlockwise:
    /// the first action is (0.5, 0.2), or (0.5, -0.2) clockwise.
    func testBulgingExpertCurvesToItsSide() throws {
        let task = TrackingTask(dims: 2, steps: 1, maxStep: 1)
        let o = TrackingTask.Observation(position: [0, 0], target: [1, 0])
        XCTAssertEqual(try task.expert(gain: 0.5, length: 1, bulge: 0.4, side: 1)(o, nil), [[0.5, 0.2]])
        XCTAssertEqual(try task.expert(gain: 0.5, length: 1, bulge: 0.4, side: -1)(o, nil), [[0.5, -0.2]])
        XCTAssertEqual(try task.expert(gain: 0.5, length: 1)(o, nil), [[0.5, 0]])
    }
}

