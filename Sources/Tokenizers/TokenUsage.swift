import Foundation

/// How a tokenizer spends its vocabulary on some data: counts per token id and summaries of them.
public struct TokenUsage: Equatable, Sendable, Codable {
    /// How often each id in `0..<vocabularySize` occurred.
    public let counts: [Int]

    /// Counts `tokens` over a vocabulary of `vocabularySize` ids (ids must be in range).
    public init(tokens: [Int], vocabularySize: Int) {
        var c = [Int](repeating: 0, count: vocabularySize)
        for t in tokens { c[t] += 1 }
        counts = c
    }

    /// Total number of tokens counted.
    public var total: Int { counts.reduce(0, +) }

    /// Number of ids that occurred at least once.
    public var used: Int { counts.filter { $0 > 0 }.count }

    /// Share of the vocabulary that occurred at least once.
    public var usedShare: Double { Double(used) / Double(counts.count) }

    /// Shannon entropy of the empirical token distribution, in bits (at most log2 of the vocabulary).
    public var entropyBits: Double {
        let n = Double(total)
        guard n > 0 else { return 0 }
        return counts.reduce(0.0) { h, c in c == 0 ? h : h - Double(c) / n * log2(Double(c) / n) }
    }

    /// The smallest share of the vocabulary whose ids together hold at least `mass` of the tokens.
    public func shareOfIdsHolding(_ mass: Double) -> Double {
        let need = mass * Double(total)
        var acc = 0.0, k = 0
        for c in counts.sorted(by: >) {
            if acc >= need { break }
            acc += Double(c); k += 1
        }
        return Double(k) / Double(counts.count)
    }
}
