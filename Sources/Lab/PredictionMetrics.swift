import WorkbenchCore

/// Measures of how a predicted token sequence behaves, independent of what the tokens mean.
public enum PredictionMetrics {
    /// Share of tokens (from the second on) equal to the token before them, pooled over sequences.
    public static func copyRate(_ sequences: [[Int]]) -> Double {
        var pairs = 0, same = 0
        for s in sequences where s.count > 1 {
            for t in 1..<s.count {
                pairs += 1
                if s[t] == s[t - 1] { same += 1 }
            }
        }
        return pairs > 0 ? Double(same) / Double(pairs) : .nan
    }

    /// Share of sequences (of two tokens or more) made of one repeated token.
    public static func constantShare(_ sequences: [[Int]]) -> Double {
        let long = sequences.filter { $0.count > 1 }
        guard !long.isEmpty else { return .nan }
        return Double(long.filter { s in s.allSatisfy { $0 == s[0] } }.count) / Double(long.count)
    }

    /// Spearman's rank correlation of `y` with `x` (average ranks for ties).
    public static func spearman(_ x: [Double], _ y: [Double]) -> Double {
        func ranks(_ v: [Double]) -> [Double] {
            let order = v.indices.sorted { v[$0] < v[$1] }
            var r = [Double](repeating: 0, count: v.count)
            var i = 0
            while i < order.count {
                var j = i
                while j + 1 < order.count, v[order[j + 1]] == v[order[i]] { j += 1 }
                for k in i...j { r[order[k]] = Double(i + j) / 2 + 1 }
                i = j + 1
            }
            return r
        }
        let rx = ranks(x), ry = ranks(y)
        let mx = Statistics.mean(rx), my = Statistics.mean(ry)
        let cov = zip(rx, ry).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
        let vx = rx.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }, vy = ry.reduce(0) { $0 + ($1 - my) * ($1 - my) }
        return vx > 0 && vy > 0 ? cov / (vx * vy).squareRoot() : .nan
    }
}
