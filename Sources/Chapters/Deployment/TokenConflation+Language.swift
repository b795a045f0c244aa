import Foundation
import Support

extension TokenConflation {
    /// The side task's "language": sequences over `0..<size` whose word frequencies follow Zipf's law.
    ///
    /// The first id of a sequence is drawn with probability proportional to `1 / (id + 1)^exponent`
    /// (id 0 the most frequent, as in a frequency-ordered vocabulary); each next id is the current
    /// id's fixed successor with probability `successorShare` (a random permutation drawn from the
    /// seed, the grammar a model can learn) and a fresh Zipf draw otherwise. Lengths are uniform in
    /// `lengths`. The rare ids still occur, so the action tokens laid over them collide with words
    /// that mean something else, as the least-used language tokens RT-2 takes over do.
    struct SideLanguage {
        let size: Int, exponent: Double, successorShare: Double
        let lengths: ClosedRange<Int>
        /// Cumulative Zipf weights, normalised to end at 1.
        let cumulative: [Double]
        /// The fixed successor of each id.
        let successor: [Int]

        init(size: Int, exponent: Double, successorShare: Double, lengths: ClosedRange<Int>, rng: inout SeededGenerator) {
            self.size = size; self.exponent = exponent; self.successorShare = successorShare; self.lengths = lengths
            var sum = 0.0
            var cumulative = (0..<size).map { id -> Double in sum += 1 / pow(Double(id + 1), exponent); return sum }
            for i in cumulative.indices { cumulative[i] /= sum }
            self.cumulative = cumulative
            var successor = Array(0..<size)
            for i in stride(from: size - 1, to: 0, by: -1) { successor.swapAt(i, rng.nextInt(below: i + 1)) }
            self.successor = successor
        }

        /// One Zipf draw: the first id whose cumulative weight reaches a uniform number.
        func zipf(_ rng: inout SeededGenerator) -> Int {
            let u = rng.nextUniform()
            var lo = 0, hi = size - 1
            while lo < hi {
                let mid = (lo + hi) / 2
                if cumulative[mid] < u { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }

        /// `count` sequences.
        func sequences(_ count: Int, rng: inout SeededGenerator) -> [[Int]] {
            (0..<count).map { _ in
                let n = lengths.lowerBound + rng.nextInt(below: lengths.count)
                var s = [zipf(&rng)]
                while s.count < n { s.append(rng.nextBool(probability: successorShare) ? successor[s.last!] : zipf(&rng)) }
                return s
            }
        }

        /// How often each id occurs in `corpus`.
        func usage(_ corpus: [[Int]]) -> [Int] {
            var counts = [Int](repeating: 0, count: size)
            for s in corpus { for id in s { counts[id] += 1 } }
            return counts
        }
    }
}
