import Foundation
import Support

extension CellCache {
    /// How one process of a run shares the cell folder with the others.
    ///
    /// A parallel chapter run is one coordinator (it writes the results and the chapter) and
    /// helpers that run the same experiments and only compute cells. Every process walks the
    /// experiments in the same order; within a batch of cells (``CellCache/cells(_:costs:compute:finished:)``)
    /// each takes the heaviest cell no one holds, under a file lock the kernel drops if its
    /// holder dies. A helper that finds the rest of a batch taken moves on to the next
    /// experiment; the coordinator waits and reads the cells back. A cell's result depends only
    /// on its description, so which process computed it does not change a single bit.
    public struct Sharing: Sendable {
        /// Whether this process writes the results (it waits for every cell it needs).
        public let isCoordinator: Bool
        /// Called before this process computes a cell (the coordinator widens its thread count
        /// there once its helpers have finished).
        public let willCompute: @Sendable () -> Void

        public init(isCoordinator: Bool, willCompute: @escaping @Sendable () -> Void = {}) {
            self.isCoordinator = isCoordinator; self.willCompute = willCompute
        }
    }

    /// Thrown to a helper when the cell it needs is being computed by another process.
    public struct Deferred: Error, CustomStringConvertible {
        public let description: String
        /// In a shard, the shard that owns the cell (nil: another process of the run holds it).
        public var shard: Int? = nil
    }

    /// Cells computed so far on this thread's stack (a helper waits rather than defer inside a cell).
    nonisolated(unsafe) static var depth = 0

    /// The results of the cells `descriptions` in their order, computed or read back.
    ///
    /// Alone, the cells run in order. Sharing the folder, this process first takes every cell no
    /// other process holds, heaviest `costs` first, then waits for the rest (the coordinator) or
    /// throws ``Deferred`` (a helper). In a shard, the batch's cells are dealt out to the shards
    /// in turn, heaviest first (see ``Shard``); this process takes its own and throws ``Deferred``
    /// when another shard's cell is not stored yet. `finished(i, value, reused)` is called as each result
    /// arrives (`reused`: read back from disk rather than computed here).
    public func cells<T: Codable>(_ descriptions: [String], costs: [Double]? = nil, compute: (Int) throws -> T,
                                  finished: (Int, T, Bool) throws -> Void = { _, _, _ in }) throws -> [T] {
        var results = [T?](repeating: nil, count: descriptions.count)
        guard sharing != nil || shard != nil, !isDisabled else {
            for i in descriptions.indices {
                var reused = false
                let value = try cell(descriptions[i], resumed: &reused) { try compute(i) }
                results[i] = value
                try finished(i, value, reused)
            }
            return results.map { $0! }
        }
        let order = descriptions.indices.sorted { a, b in
            let ca = costs?[a] ?? 1, cb = costs?[b] ?? 1
            return ca != cb ? ca > cb : a < b
        }
        var held: [Int] = []
        func deliver(_ i: Int, _ claimed: Claim<T>) throws {
            switch claimed {
            case .stored(let value): results[i] = value; try finished(i, value, true)
            case .computed(let value): results[i] = value; try finished(i, value, false)
            case .held: held.append(i)
            }
        }
        // Shards deal the batch out in turn, heaviest first, from a shard the batch's first cell
        // names (so one-cell batches spread over the shards too).
        var owner = [Int?](repeating: nil, count: descriptions.count)
        if let s = shard {
            let first = Shard.owner(of: descriptions.first ?? "", count: s.count)
            for (k, i) in order.enumerated() { owner[i] = (first + k) % s.count }
        }
        for i in order { try deliver(i, try claim(descriptions[i], wait: false, owner: owner[i]) { try compute(i) }) }
        for i in held { try deliver(i, try claim(descriptions[i], wait: true, owner: owner[i]) { try compute(i) }) }
        return results.map { $0! }
    }
}
