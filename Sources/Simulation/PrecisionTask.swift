import Foundation
import Support

/// A point that must come to rest on a target: a closed-loop task whose success is a final
/// position error below a tolerance, for measuring how fine an action vocabulary can steer.
///
/// Each episode draws a start and a target uniformly in `[-range, range]^dims`. The agent sees the
/// error (target minus position), moves by its action each step, each coordinate clipped to
/// `±maxStep`, for `steps` steps; the episode's result is the final distance to the target. One
/// set of episodes gives success at every tolerance: the share whose final distance is at most it.
///
/// The scripted expert is a proportional controller whose gain is perturbed per step and
/// coordinate (multiplicative noise): its demonstrations vary in every step, yet its error shrinks
/// geometrically, so it ends far inside every tolerance the experiments sweep.
public struct PrecisionTask: Sendable, Equatable {
    /// Coordinates of a position and of an action.
    public var dims: Int
    /// Control steps per episode.
    public var steps: Int
    /// Largest displacement per step in each coordinate.
    public var maxStep: Double
    /// Starts and targets are drawn in `[-range, range]` per coordinate.
    public var range: Double
    /// The expert's gain and the standard deviation of its relative gain noise.
    public var gain: Double, noise: Double

    public init(dims: Int = 2, steps: Int = 48, maxStep: Double = 0.1, range: Double = 1, gain: Double = 0.5, noise: Double = 0.2) throws {
        guard dims >= 1 else { throw SimulationError.invalid("dims", "expected at least 1, found \(dims)") }
        guard steps >= 1 else { throw SimulationError.invalid("steps", "expected at least 1, found \(steps)") }
        guard maxStep > 0, maxStep.isFinite else { throw SimulationError.invalid("max_step", "expected a positive step, found \(maxStep)") }
        guard range > 0, range.isFinite else { throw SimulationError.invalid("range", "expected a positive range, found \(range)") }
        guard gain > 0, gain <= 1 else { throw SimulationError.invalid("gain", "expected a gain in (0, 1], found \(gain)") }
        guard noise >= 0, noise < 1 else { throw SimulationError.invalid("noise", "expected a relative noise in [0, 1), found \(noise)") }
        self.dims = dims; self.steps = steps; self.maxStep = maxStep; self.range = range; self.gain = gain; self.noise = noise
    }

    /// An episode's start and target, drawn from `rng` (start first).
    public func draw(_ rng: inout SeededGenerator) -> (start: [Double], target: [Double]) {
        let start = (0..<dims).map { _ in rng.nextUniform(-range, range) }
        let target = (0..<dims).map { _ in rng.nextUniform(-range, range) }
        return (start, target)
    }

    /// The position after `action` from `position`: each coordinate clipped to `±maxStep`
    /// (a non-finite component moves nothing).
    public func step(_ position: [Double], _ action: [Double]) -> [Double] {
        zip(position, action).map { p, a in a.isFinite ? p + min(max(a, -maxStep), maxStep) : p }
    }

    /// The expert's action for `error` (target minus position): the error times the gain, the gain
    /// perturbed by `noise` relative noise per coordinate, clipped to `±maxStep`.
    public func expertAction(error: [Double], rng: inout SeededGenerator) -> [Double] {
        error.map { e in min(max(gain * (1 + noise * rng.nextGaussian()) * e, -maxStep), maxStep) }
    }

    /// One episode: what was seen (the error before each step), what was done, and the path.
    public struct Trace: Sendable, Equatable {
        /// The error before each step (`steps` of them).
        public var observations: [[Double]]
        /// The actions returned (before clipping).
        public var actions: [[Double]]
        /// Positions, the start first (`steps + 1`).
        public var positions: [[Double]]
        /// Distance between the last position and the target.
        public var finalDistance: Double
    }

    /// A chunked policy: `chunk` actions of `dims` values from the current error; the whole chunk
    /// runs before it is asked again.
    public typealias Policy = (_ error: [Double]) throws -> [[Double]]

    /// Runs `policy` from `start` towards `target` for ``steps`` steps, asking for a new chunk
    /// whenever the last one is used up.
    public func run(_ policy: Policy, start: [Double], target: [Double]) throws -> Trace {
        guard start.count == dims, target.count == dims else { throw SimulationError.invalid("start", "expected \(dims) coordinates") }
        var position = start, queue: [[Double]] = []
        var trace = Trace(observations: [], actions: [], positions: [start], finalDistance: 0)
        for _ in 0..<steps {
            let error = zip(target, position).map { $0 - $1 }
            if queue.isEmpty {
                queue = try policy(error)
                guard !queue.isEmpty, queue.allSatisfy({ $0.count == dims }) else {
                    throw SimulationError.invalid("policy", "expected a chunk of at least one action of \(dims) values")
                }
            }
            let action = queue.removeFirst()
            trace.observations.append(error); trace.actions.append(action)
            position = step(position, action)
            trace.positions.append(position)
        }
        trace.finalDistance = Self.distance(position, target)
        return trace
    }

    /// A demonstration from `start` to `target` by the scripted expert (a new action every step).
    public func demonstrate(start: [Double], target: [Double], rng: inout SeededGenerator) throws -> Trace {
        try run({ [expertAction(error: $0, rng: &rng)] }, start: start, target: target)
    }

    /// Euclidean distance.
    public static func distance(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
    }

    /// Share of `finalDistances` at most `tolerance`.
    public static func success(_ finalDistances: [Double], tolerance: Double) -> Double {
        finalDistances.isEmpty ? 0 : Double(finalDistances.filter { $0 <= tolerance }.count) / Double(finalDistances.count)
    }
}
