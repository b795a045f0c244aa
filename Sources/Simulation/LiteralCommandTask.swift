import Foundation
import Support

/// An actuator told a literal value: a closed-loop task whose result is how exactly the commanded
/// value is executed ("set the gripper to 50").
///
/// The actuator has one value in `[0, 1]` (a gripper opening). An action is the value to go to
/// (an absolute target, as a gripper command is); the actuator moves towards it by at most
/// `maxSpeed` per step. The policy sees the command and the current value, `[command, value]`;
/// after `steps` steps the episode's result is the executed value, the actuator's last one, and
/// its error is `|executed - command|`.
///
/// The scripted expert ramps from the start to the command at a speed drawn per episode in
/// `[minSpeed, maxSpeed]`, then holds it: its last actions are the command itself, exactly, so a
/// policy that reproduces them executes the command with no error at all, and whatever error is
/// left is the policy's (or its tokenizer's).
public struct LiteralCommandTask: Sendable, Equatable {
    /// Control steps per episode.
    public var steps: Int
    /// Largest change of the value per step, and the slowest ramp the expert draws.
    public var maxSpeed: Double, minSpeed: Double

    public init(steps: Int = 24, maxSpeed: Double = 0.1, minSpeed: Double = 0.05) throws {
        guard steps >= 1 else { throw SimulationError.invalid("steps", "expected at least 1, found \(steps)") }
        guard maxSpeed > 0, maxSpeed <= 1 else { throw SimulationError.invalid("max_speed", "expected a speed in (0, 1], found \(maxSpeed)") }
        guard minSpeed > 0, minSpeed <= maxSpeed else {
            throw SimulationError.invalid("min_speed", "expected a speed in (0, max_speed = \(maxSpeed)], found \(minSpeed)")
        }
        guard Double(steps) * minSpeed >= 1 else {
            throw SimulationError.invalid("steps", "expected steps x min_speed >= 1, so the slowest ramp crosses [0, 1]; found \(steps) x \(minSpeed)")
        }
        self.steps = steps; self.maxSpeed = maxSpeed; self.minSpeed = minSpeed
    }

    /// The value after `action` from `value`: a move towards the action of at most ``maxSpeed``,
    /// kept in `[0, 1]` (a non-finite action moves nothing).
    public func step(_ value: Double, _ action: Double) -> Double {
        guard action.isFinite else { return value }
        return min(max(value + min(max(action - value, -maxSpeed), maxSpeed), 0), 1)
    }

    /// The expert's action from `value` towards `command` at `speed`: the next point of the ramp,
    /// the command itself once it is within one step.
    public func expertAction(value: Double, command: Double, speed: Double) -> Double {
        abs(command - value) <= speed ? command : value + (command > value ? speed : -speed)
    }

    /// One episode: what was seen (`[command, value]` before each step), what was done, and the values.
    public struct Trace: Sendable, Equatable {
        /// `[command, value]` before each step (`steps` of them).
        public var observations: [[Double]]
        /// The actions returned (one value each).
        public var actions: [[Double]]
        /// The actuator's values, the start first (`steps + 1`).
        public var values: [Double]
        /// The last value: what was executed.
        public var executed: Double { values.last! }
    }

    /// A chunked policy: a chunk of one-value actions from `[command, value]`; the whole chunk runs
    /// before it is asked again.
    public typealias Policy = (_ observation: [Double]) throws -> [[Double]]

    /// Runs `policy` told `command` from `start` for ``steps`` steps, asking for a new chunk
    /// whenever the last one is used up.
    public func run(_ policy: Policy, command: Double, start: Double) throws -> Trace {
        guard (0...1).contains(command) else { throw SimulationError.invalid("command", "expected a value in [0, 1], found \(command)") }
        guard (0...1).contains(start) else { throw SimulationError.invalid("start", "expected a value in [0, 1], found \(start)") }
        var value = start, queue: [[Double]] = []
        var trace = Trace(observations: [], actions: [], values: [start])
        for _ in 0..<steps {
            let observation = [command, value]
            if queue.isEmpty {
                queue = try policy(observation)
                guard !queue.isEmpty, queue.allSatisfy({ $0.count == 1 }) else {
                    throw SimulationError.invalid("policy", "expected a chunk of at least one action of 1 value")
                }
            }
            let action = queue.removeFirst()
            trace.observations.append(observation); trace.actions.append(action)
            value = step(value, action[0])
            trace.values.append(value)
        }
        return trace
    }

    /// A demonstration of `command` from a start drawn uniformly in `[0, 1]`, at a ramp speed drawn
    /// uniformly in `[minSpeed, maxSpeed]` (both from `rng`, start first).
    public func demonstrate(command: Double, rng: inout SeededGenerator) throws -> Trace {
        let start = rng.nextUniform(0, 1), speed = rng.nextUniform(minSpeed, maxSpeed)
        return try run({ [[expertAction(value: $0[1], command: $0[0], speed: speed)]] }, command: command, start: start)
    }
}
