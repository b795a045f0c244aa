import Foundation
import Support
import XCTest
@testable import Simulation

/// The literal-command task: its bookkeeping by hand, refusals that name the bad setting, and the
/// scripted expert's demonstrations (they end on the command exactly, from every start and speed).
final class LiteralCommandTaskTests: XCTestCase {
    /// Steps by hand: a move towards the action of at most `maxSpeed`, kept in [0, 1]; non-finite
    /// actions move nothing; a chunk runs whole before the policy is asked again, seeing
    /// `[command, value]` at that moment.
    func testChunksRunWholeAndMovesAreLimited() throws {
        let task = try LiteralCommandTask(steps: 5, maxSpeed: 0.2, minSpeed: 0.2)
        XCTAssertEqual(task.step(0.5, 0.9), 0.7, accuracy: 1e-12)
        XCTAssertEqual(task.step(0.5, 0.45), 0.45, accuracy: 1e-12)
        XCTAssertEqual(task.step(0.1, -3), 0, "kept in [0, 1] (a move of at most 0.2 would reach -0.1)")
        XCTAssertEqual(task.step(0.95, 2), 1)
        XCTAssertEqual(task.step(0.3, .nan), 0.3)
        var asked: [[Double]] = []
        let trace = try task.run({ observation in
            asked.append(observation)
            return [[0.9], [0.9], [0.35]]
        }, command: 0.6, start: 0.2)
        // Values: 0.2 → 0.4 → 0.6 → 0.4 (0.35 is more than 0.2 away) → (asked at 0.4) 0.6 → 0.8.
        XCTAssertEqual(asked.count, 2)
        XCTAssertEqual(asked[0], [0.6, 0.2])
        XCTAssertEqual(asked[1][0], 0.6)
        XCTAssertEqual(asked[1][1], 0.4, accuracy: 1e-12)
        XCTAssertEqual(trace.values, [0.2, 0.4, 0.6, 0.4, 0.6, 0.8], accuracy: 1e-12)
        XCTAssertEqual(trace.actions.map { $0[0] }, [0.9, 0.9, 0.35, 0.9, 0.9])
        XCTAssertEqual(trace.observations.count, 5)
        XCTAssertEqual(trace.executed, 0.8, accuracy: 1e-12)
    }

    /// The expert's ramp by hand: a step of `speed` towards the command, the command itself once within one step.
    func testExpertRampsThenHoldsTheCommand() throws {
        let task = try LiteralCommandTask()
        XCTAssertEqual(task.expertAction(value: 0.2, command: 0.9, speed: 0.05), 0.25, accuracy: 1e-12)
        XCTAssertEqual(task.expertAction(value: 0.9, command: 0.2, speed: 0.05), 0.85, accuracy: 1e-12)
        XCTAssertEqual(task.expertAction(value: 0.52, command: 0.5, speed: 0.05), 0.5)
        XCTAssertEqual(task.expertAction(value: 0.5, command: 0.5, speed: 0.05), 0.5)
    }

    /// From any start and speed the demonstration's last value and its last actions are the command,
    /// bit for bit, and every observation carries the command.
    func testDemonstrationsEndOnTheCommandExactly() throws {
        let task = try LiteralCommandTask()
        var rng = SeededGenerator(seed: 7)
        for command in [0, 0.1, 0.37, 0.5, 0.999, 1] {
            for _ in 0..<20 {
                let trace = try task.demonstrate(command: command, rng: &rng)
                XCTAssertEqual(trace.executed, command, "command \(command)")
                XCTAssertEqual(trace.actions.suffix(4).map { $0[0] }, [Double](repeating: command, count: 4), "command \(command)")
                XCTAssertTrue(trace.observations.allSatisfy { $0[0] == command })
                XCTAssertTrue(zip(trace.values, trace.values.dropFirst()).allSatisfy { abs($1 - $0) <= task.maxSpeed + 1e-12 })
            }
        }
    }

    /// Bad settings and bad commands are refused, naming what is wrong.
    func testRefusals() throws {
        func setting(_ make: () throws -> LiteralCommandTask) -> String? {
            do { _ = try make(); return nil } catch let SimulationError.invalid(key, _) { return key } catch { return "\(error)" }
        }
        XCTAssertEqual(setting { try LiteralCommandTask(steps: 0) }, "steps")
        XCTAssertEqual(setting { try LiteralCommandTask(maxSpeed: 0) }, "max_speed")
        XCTAssertEqual(setting { try LiteralCommandTask(maxSpeed: 0.1, minSpeed: 0.2) }, "min_speed")
        XCTAssertEqual(setting { try LiteralCommandTask(steps: 10, maxSpeed: 0.1, minSpeed: 0.05) }, "steps", "the slowest ramp cannot cross [0, 1] in 10 steps")
        let task = try LiteralCommandTask()
        XCTAssertThrowsError(try task.run({ _ in [[0]] }, command: 1.5, start: 0))
        XCTAssertThrowsError(try task.run({ _ in [[0, 1]] }, command: 0.5, start: 0), "an action of two values")
    }
}
