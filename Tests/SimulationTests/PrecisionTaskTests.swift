import Foundation
import Support
import XCTest
@testable import Simulation

/// The precision task: its bookkeeping by hand, success as a share of final distances, refusals
/// that name the bad setting, and the scripted expert's accuracy (far inside every tolerance the
/// applications chapter sweeps, from every start).
final class PrecisionTaskTests: XCTestCase {
    /// One-dimensional steps by hand: clipping at `maxStep`, non-finite actions move nothing,
    /// a chunk runs whole before the policy is asked again (it sees the error at that moment).
    func testChunksRunWholeAndActionsAreClipped() throws {
        let task = try PrecisionTask(dims: 1, steps: 5, maxStep: 0.1)
        XCTAssertEqual(task.step([0], [0.5]), [0.1])
        XCTAssertEqual(task.step([0], [-0.03]), [-0.03])
        XCTAssertEqual(task.step([0.2], [.nan]), [0.2])
        var asked: [[Double]] = []
        let trace = try task.run({ error in
            asked.append(error)
            return [[0.05], [0.5], [-0.02]]
        }, start: [0], target: [0.3])
        // Positions: 0 → 0.05 → 0.15 (clipped) → 0.13 → (asked at error 0.17) 0.18 → 0.28.
        XCTAssertEqual(asked.count, 2)
        XCTAssertEqual(asked[0][0], 0.3, accuracy: 1e-12)
        XCTAssertEqual(asked[1][0], 0.17, accuracy: 1e-12)
        XCTAssertEqual(trace.positions.map { $0[0] }, [0, 0.05, 0.15, 0.13, 0.18, 0.28].map { $0 }, accuracy: 1e-12)
        XCTAssertEqual(trace.observations.count, 5)
        XCTAssertEqual(trace.actions.map { $0[0] }, [0.05, 0.5, -0.02, 0.05, 0.5])
        XCTAssertEqual(trace.finalDistance, 0.02, accuracy: 1e-12)
    }

    /// Success at a tolerance counts final distances at most it (the border included).
    func testSuccessIsTheShareWithinTheTolerance() {
        let d = [0.001, 0.01, 0.01, 0.2]
        XCTAssertEqual(PrecisionTask.success(d, tolerance: 0.01), 0.75)
        XCTAssertEqual(PrecisionTask.success(d, tolerance: 0.0099), 0.25)
        XCTAssertEqual(PrecisionTask.success(d, tolerance: 1), 1)
        XCTAssertEqual(PrecisionTask.success([], tolerance: 1), 0)
        XCTAssertEqual(PrecisionTask.distance([0, 0], [3, 4]), 5)
    }

    /// The scripted expert ends within a millionth of the target in every one of 500 episodes,
    /// from starts and targets anywhere in the square, although no two of its actions are alike.
    func testTheExpertIsFarMorePreciseThanAnyToleranceSwept() throws {
        let task = try PrecisionTask()
        var rng = SeededGenerator(seed: 7)
        var worst = 0.0
        var ratios: Set<Double> = []
        for _ in 0..<500 {
            let (start, target) = task.draw(&rng)
            XCTAssertTrue((start + target).allSatisfy { abs($0) <= 1 })
            let trace = try task.demonstrate(start: start, target: target, rng: &rng)
            worst = max(worst, trace.finalDistance)
            XCTAssertEqual(trace.actions.count, task.steps)
            for (o, a) in zip(trace.observations, trace.actions) where abs(a[0]) < task.maxStep && o[0] != 0 {
                ratios.insert(a[0] / o[0])
                XCTAssertEqual(a[0] / o[0], task.gain, accuracy: task.gain * task.noise * 6, "a gain within six standard deviations of its noise")
            }
        }
        XCTAssertLessThan(worst, 1e-6)
        XCTAssertGreaterThan(ratios.count, 1000, "the gain is perturbed in every step")
    }

    /// Every setting is checked, and the error names it.
    func testBadSettingsAreRefusedByName() {
        func key(_ make: () throws -> PrecisionTask) -> String? {
            do { _ = try make(); return nil } catch SimulationError.invalid(let k, _) { return k } catch { return "other" }
        }
        XCTAssertEqual(key { try PrecisionTask(dims: 0) }, "dims")
        XCTAssertEqual(key { try PrecisionTask(steps: 0) }, "steps")
        XCTAssertEqual(key { try PrecisionTask(maxStep: 0) }, "max_step")
        XCTAssertEqual(key { try PrecisionTask(range: -1) }, "range")
        XCTAssertEqual(key { try PrecisionTask(gain: 1.5) }, "gain")
        XCTAssertEqual(key { try PrecisionTask(noise: 1) }, "noise")
        XCTAssertThrowsError(try PrecisionTask(dims: 2).run({ _ in [[0]] }, start: [0, 0], target: [1, 1]), "an action of one value in two dimensions")
    }
}

func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, file: file, line: line) }
}
