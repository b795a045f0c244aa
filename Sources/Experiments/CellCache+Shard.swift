import Foundation
import Support

extension CellCache {
    /// One of N disjoint parts of a run's cells, for runs split over machines (`--shard I/N`).
    ///
    /// A lone cell belongs to shard `I` when the SHA-256 of its description, read as a number, is
    /// `I` modulo `N`; a batch's cells (``CellCache/cells(_:costs:compute:finished:)``) are dealt
    /// out in turn, heaviest first, starting at the shard its first cell would go to. Every shard
    /// computes the same partition from the descriptions and costs alone, with no lock or message
    /// shared between them, so shards may run on machines that share only the
    /// cell folder. A shard computes the top-level cells it owns, reads back the others when they
    /// are stored, and computes another shard's cell only inside one of its own that needs it.
    /// The plain run that follows reads every stored cell back and computes whatever is missing.
    public struct Shard: Sendable, Equatable, CustomStringConvertible {
        /// This shard's number, `0..<count`.
        public let index: Int
        /// How many shards the run is split into.
        public let count: Int

        /// A shard; nil unless `0 <= index < count`.
        public init?(index: Int, count: Int) {
            guard count >= 1, (0..<count).contains(index) else { return nil }
            self.index = index; self.count = count
        }

        /// Parses `I/N` (e.g. `0/4`); nil when it is not two whole numbers with `0 <= I < N`.
        public init?(_ text: String) {
            let parts = text.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
                  let i = Int(parts[0]), let n = Int(parts[1]) else { return nil }
            self.init(index: i, count: n)
        }

        /// Whether this shard computes the cell `description`.
        public func owns(_ description: String) -> Bool { Self.owner(of: description, count: count) == index }

        /// The shard (`0..<count`) that computes the cell `description`.
        public static func owner(of description: String, count: Int) -> Int {
            let hex = StableHash.sha256Hex(description).prefix(15)  // 60 bits: no overflow, no bias worth naming
            return Int(UInt64(hex, radix: 16)! % UInt64(count))
        }

        public var description: String { "\(index)/\(count)" }
    }

    /// The file a running shard touches every ``Shard/heartbeatSeconds`` seconds (its modification
    /// time is its heartbeat), in the cell folder.
    public func heartbeat(of shard: Shard) -> URL { shardFile(shard, "alive") }

    /// The file a shard leaves when it has finished (its cells are stored, or left to the plain run).
    public func finished(_ shard: Shard) -> URL { shardFile(shard, "done") }

    func shardFile(_ shard: Shard, _ kind: String) -> URL {
        directory.appendingPathComponent("shard-\(shard.index)-of-\(shard.count)-\(runKey.prefix(12)).\(kind)")
    }
}

extension CellCache.Shard {
    /// How often a running shard touches its heartbeat file.
    public static let heartbeatSeconds = 20.0
    /// A shard whose heartbeat has not moved for this long (on the waiting shard's clock, so
    /// clocks need not agree between machines) is not running: it is not waited for.
    public static let silentSeconds = 90.0
}
