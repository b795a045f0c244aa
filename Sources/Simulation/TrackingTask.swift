import Foundation
import Support

/// A point that must follow a target which jumps now and then: a task that needs feedback at the
/// control rate, for running chunked policies under inference delay (``DelayedExecution``).
///
/// The point moves by its action each control step, each coordinate clipped to `±maxStep`. The
/// target holds still for a random number of steps (exponential, mean `meanHold`, at least 1),
/// then jumps to a uniform point of `[-1, 1]^dims`. A policy sees the point and the target when
/// its chunk is asked for and returns `chunkLength` actions; under real-time chunking it is also
/// given the actions it must keep (the old chunk's, which run while it computes) and their
/// weights. Reported: the mean distance to the target, the share of steps within `tolerance`,
/// and the mean change of action at chunk switches against elsewhere (the jerk a switch adds).
public struct TrackingTask: Sendable {
    public var dims: Int, steps: Int, maxStep: Double, meanHold: Double, tolerance: Double

    public init(dims: Int = 2, steps: Int = 500, maxStep: Double = 0.05, meanHold: Double = 50, tolerance: Double = 0.1) {
        self.dims = dims; self.steps = steps; self.maxStep = maxStep; self.meanHold = meanHold; self.tolerance = tolerance
    }

    /// What a policy sees when its chunk is asked for.
    public struct Observation: Sendable, Equatable {
        public var position: [Double], target: [Double]
        public init(position: [Double], target: [Double]) { self.position = position; self.target = target }
    }

    /// What real-time chunking asks a policy to keep: `actions[i]` (action units) at weight
    /// `weights[i]` for each index of the new chunk (weights 0 where nothing is asked).
    public struct Inpainting: Sendable, Equatable {
        public var actions: [[Double]], weights: [Double]
    }

    /// A chunked policy: `chunkLength` actions of `dims` values from an observation (and, under
    /// real-time chunking, what to keep).
    public typealias Policy = (_ observation: Observation, _ keep: Inpainting?) throws -> [[Double]]

    /// What an episode showed.
    public struct Report: Sendable, Equatable, Codable {
        public var meanDistance: Double, withinTolerance: Double
        /// Mean size (Euclidean) of the change of action between consecutive steps where the
        /// running chunk changes (waiting counts as no chunk), and where it does not.
        public var switchJerk: Double, withinChunkJerk: Double
    }

    /// The target's positions over the episode, drawn from `rng`.
    public func targets(_ rng: inout SeededGenerator) -> [[Double]] {
        var out: [[Double]] = [], current = (0..<dims).map { _ in rng.nextUniform(-1, 1) }
        var hold = max(1, Int((-meanHold * log(1 - rng.nextUniform())).rounded()))
        for _ in 0..<steps {
            if hold == 0 {
                current = (0..<dims).map { _ in rng.nextUniform(-1, 1) }
                hold = max(1, Int((-meanHold * log(1 - rng.nextUniform())).rounded()))
            }
            out.append(current); hold -= 1
        }
        return out
    }

    /// Runs one episode of `policy` under `execution` against `targets`, from the origin.
    public func run(_ policy: Policy, execution: DelayedExecution, targets: [[Double]]) throws -> Report {
        precondition(targets.count >= steps && targets.allSatisfy { $0.count == dims }, "a target per step, of dims values")
        var position = [Double](repeating: 0, count: dims)
        var chunks: [[[Double]]] = []   // chunk k at index k (asked for in order)
        var previousAction: [Double]? = nil, previousSlot: DelayedExecution.Slot? = nil
        var distance = 0.0, within = 0, switchJerk: [Double] = [], chunkJerk: [Double] = []
        var nextRequest = 0
        for t in 0..<steps {
            // Ask for every chunk whose observation falls on this step.
            while execution.requestStep(of: nextRequest) == t {
                let k = nextRequest
                var keep: Inpainting? = nil
                if execution.strategy == .realTimeChunking, k >= 1 {
                    let old = chunks[k - 1]
                    let mask = execution.softMask
                    let offset = execution.firstIndex(of: k - 1) + execution.executed - execution.delay  // old index of new index 0
                    keep = Inpainting(actions: (0..<execution.chunkLength).map { i in offset + i < old.count ? old[offset + i] : [Double](repeating: 0, count: dims) },
                                      weights: (0..<execution.chunkLength).map { i in offset + i < old.count ? mask[i] : 0 })
                }
                let chunk = try policy(Observation(position: position, target: targets[t]), keep)
                guard chunk.count == execution.chunkLength, chunk.allSatisfy({ $0.count == dims && $0.allSatisfy(\.isFinite) }) else {
                    throw SimulationError.invalid("policy", "expected \(execution.chunkLength) finite actions of \(dims) values, got \(chunk.count)")
                }
                chunks.append(chunk)
                nextRequest += 1
            }
            let slot = execution.slot(at: t)
            let action = slot.map { s in chunks[s.chunk][s.index].map { min(max($0, -maxStep), maxStep) } } ?? [Double](repeating: 0, count: dims)
            if let p = previousAction {
                // A switch: the step's chunk differs from the last step's (waiting counts as no chunk).
                let change = zip(action, p).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
                if slot?.chunk != previousSlot?.chunk { switchJerk.append(change) } else { chunkJerk.append(change) }
            }
            for j in 0..<dims { position[j] += action[j] }
            let d = zip(position, targets[t]).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
            distance += d
            if d <= tolerance { within += 1 }
            previousAction = action; previousSlot = slot
        }
        return Report(meanDistance: distance / Double(steps), withinTolerance: Double(within) / Double(steps),
                      switchJerk: switchJerk.isEmpty ? 0 : switchJerk.reduce(0, +) / Double(switchJerk.count),
                      withinChunkJerk: chunkJerk.isEmpty ? 0 : chunkJerk.reduce(0, +) / Double(chunkJerk.count))
    }

    /// The scripted expert: the actions a proportional controller (`gain`) takes over a chunk of
    /// `length` steps, assuming the target holds still; with `keep`, each action is blended
    /// towards the kept one by its weight (how a policy that inpaints would follow it).
    ///
    /// With `bulge` (two dimensions only) the path curves to one side: `bulge` times the error
    /// turned a quarter turn, anticlockwise for `side` +1 and clockwise for -1. Demonstrations
    /// that pick the side at random are bimodal, the case where chunks computed one after the
    /// other may disagree (what naive asynchronous execution suffers and real-time chunking avoids).
    public func expert(gain: Double = 0.5, length: Int, bulge: Double = 0, side: Double = 1) -> Policy {
        precondition(bulge == 0 || dims == 2, "a bulge needs two dimensions")
        return { observation, keep in
            var p = observation.position
            return try (0..<length).map { i in
                let e = zip(observation.target, p).map { $0 - $1 }
                let turned = bulge == 0 ? e : [e[0] - side * bulge * e[1], e[1] + side * bulge * e[0]]
                var a = turned.map { min(max(gain * $0, -maxStep), maxStep) }
                if let keep, i < keep.weights.count {
                    guard keep.actions[i].count == a.count else { throw SimulationError.invalid("keep", "an action of \(a.count) values expected") }
                    a = zip(a, keep.actions[i]).map { (1 - keep.weights[i]) * $0 + keep.weights[i] * $1 }
                }
                for j in p.indices { p[j] += a[j] }
                return a
            }
        }
    }
}
