/// The closest known name to a misspelt one, for "did you mean ...?" in error messages.
public enum Suggestion {
    /// The name in `known` nearest to `word` by edit distance, when it is near enough to be a
    /// likely misspelling (at most a third of the longer name's letters differ); ties go to the
    /// first in `known`'s order.
    public static func closest(to word: String, in known: [String]) -> String? {
        var best: (name: String, distance: Int)? = nil
        for name in known {
            let d = distance(word, name)
            if d <= max(1, max(word.count, name.count) / 3), d < (best?.distance ?? .max) { best = (name, d) }
        }
        return best?.name
    }

    /// Edit distance between two strings: insertions, deletions, substitutions and swaps of two
    /// neighbouring characters, each counting one (the optimal string alignment distance).
    public static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in 0...x.count { d[i][0] = i }
        for j in 0...y.count { d[0][j] = j }
        for i in 1...x.count {
            for j in 1...y.count {
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[x.count][y.count]
    }
}
