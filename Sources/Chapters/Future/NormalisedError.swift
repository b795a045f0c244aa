import ActionData
import Foundation
import Metrics

/// The future chapter's error measure, comparable across sources with different units.
enum NormalisedError {
    /// The mean over dimensions of the squared error of `predictions` (flattened chunks) against
    /// `truth`, each dimension over the variance of its true values.
    static func of(_ predictions: [[Double]], truth: ChunkSet) -> Double {
        let d = truth.dims
        var sq = [Double](repeating: 0, count: d), n = 0
        for (p, t) in zip(predictions, truth.chunks) {
            for i in 0..<t.values.count { sq[i % d] += (p[i] - t.values[i]) * (p[i] - t.values[i]) }
            n += t.steps
        }
        return (0..<d).map { k -> Double in
            let values = truth.values(dimension: k)
            let mean = Statistics.mean(values)
            let variance = Statistics.mean(values.map { ($0 - mean) * ($0 - mean) })
            return sq[k] / Double(n) / max(variance, 1e-12)
        }.reduce(0, +) / Double(d)
    }
}
