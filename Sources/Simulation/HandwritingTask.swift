import Foundation
import Support

/// A pen moved by displacements: the closed-loop task of the LASA handwriting demonstrations.
///
/// The pen is a point in the plane (millimetres, as the demonstrations are recorded). An action
/// is the displacement to the next point and the pen moves by it exactly (a non-finite action
/// moves nothing). The policy sees the pen's position and writes a chunk of displacements, which
/// runs whole, open loop, before it is asked again. An episode starts where a demonstration
/// starts and runs as many steps as it has; its result is the drawn path, compared with the
/// demonstration by ``TrajectoryDistance``-style measures in the applications chapter.
///
/// A recorded demonstration becomes the same kind of episode with ``demonstration(_:)``: at each
/// step the pen was at `positions[t]` and moved by `positions[t + 1] - positions[t]`.
public enum HandwritingTask {
    /// A chunked policy: a chunk of displacements from the pen's position.
    public typealias Policy = (_ position: [Double]) throws -> [[Double]]

    /// Runs `policy` from `start` for `steps` steps, asking for a new chunk whenever the last one is
    /// used up; returns the path, the start first (`steps + 1` points).
    public static func run(_ policy: Policy, start: [Double], steps: Int) throws -> [[Double]] {
        guard !start.isEmpty, start.allSatisfy(\.isFinite) else {
            throw SimulationError.invalid("start", "expected a finite point, found \(start)")
        }
        guard steps >= 1 else { throw SimulationError.invalid("steps", "expected at least 1, found \(steps)") }
        var position = start, queue: [[Double]] = [], path = [start]
        for _ in 0..<steps {
            if queue.isEmpty {
                queue = try policy(position)
                guard !queue.isEmpty, queue.allSatisfy({ $0.count == start.count }) else {
                    throw SimulationError.invalid("policy", "expected a chunk of at least one action of \(start.count) values")
                }
            }
            let action = queue.removeFirst()
            if action.allSatisfy(\.isFinite) { position = zip(position, action).map { $0 + $1 } }
            path.append(position)
        }
        return path
    }

    /// A recorded path as an episode: the positions seen (all but the last point) and the
    /// displacements taken from each to the next.
    public static func demonstration(_ positions: [[Double]]) throws -> (observations: [[Double]], actions: [[Double]]) {
        guard positions.count >= 2 else {
            throw SimulationError.invalid("positions", "expected a path of at least 2 points, found \(positions.count)")
        }
        let actions = (1..<positions.count).map { k in zip(positions[k], positions[k - 1]).map { $0 - $1 } }
        return (Array(positions.dropLast()), actions)
    }
}
