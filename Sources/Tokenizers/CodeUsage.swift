import Foundation

/// How a tokenizer with layers of discrete codes (the residual VQ) uses them on a set of chunks.
public struct CodeUsage: Equatable, Sendable, Codable {
    /// Windows per code, `counts[layer][code]`.
    public var counts: [[Int]]
    /// Distinct code combinations (one code per layer) among the windows.
    public var combinations: Int

    /// Distinct codes used per layer.
    public var distinctCodes: [Int] { counts.map { $0.filter { $0 > 0 }.count } }
    /// Codes never used, per layer.
    public var deadCodes: [Int] { counts.map { $0.filter { $0 == 0 }.count } }
    /// `exp` of the entropy of each layer's code distribution: the effective number of codes.
    public var perplexity: [Double] {
        counts.map { c in
            let n = Double(c.reduce(0, +))
            guard n > 0 else { return 0 }
            return exp(-c.reduce(0.0) { $1 == 0 ? $0 : $0 + Double($1) / n * log(Double($1) / n) })
        }
    }
}
