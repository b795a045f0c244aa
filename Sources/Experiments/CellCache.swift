import Foundation
import Support

/// Finished cells of a chapter run, kept on disk so an interrupted run resumes where it stopped.
///
/// A cell is one expensive, self-contained unit of work (for example one model trained for one
/// tokenizer, rate and seed). Its result is stored as JSON under `output/.cache/<chapter>/`, named
/// by a hash of the run key (the source code and the user's input data) and the cell's description.
/// The description must name everything the cell's result depends on (parameters, seed, data
/// sizes), so that two experiments of a chapter that need the same cell share it and a changed
/// parameter never reuses a stale result. The runner deletes the folder once the whole chapter has
/// been written; what remains after a crash or Ctrl-C is what the next run resumes from.
///
/// Several processes of one run may share the folder (see ``Sharing``): a cell being computed by
/// one is locked, the others take other cells (``cells(_:costs:compute:finished:)``) or wait for it.
public struct CellCache: Sendable {
    /// The folder holding the chapter's finished cells.
    public let directory: URL
    /// The run key (code and input data); part of every cell's file name.
    public let runKey: String
    /// How this process shares the folder with other processes of the same run (nil: it is alone).
    public var sharing: Sharing?
    /// The part of the run's cells this process computes when the run is split into shards
    /// (`--shard I/N`, e.g. one per Slurm array task); nil computes every cell.
    public var shard: Shard?

    public init(directory: URL, runKey: String, sharing: Sharing? = nil) {
        self.directory = directory; self.runKey = runKey; self.sharing = sharing
    }

    /// A cache that stores nothing (every cell is computed).
    public static let disabled = CellCache(directory: URL(fileURLWithPath: "/dev/null"), runKey: "")

    var isDisabled: Bool { runKey.isEmpty }

    /// The file of the cell described by `description`.
    public func url(_ description: String) -> URL {
        directory.appendingPathComponent(String(StableHash.sha256Hex(runKey + "\n" + description).prefix(24)) + ".json")
    }

    /// The stored result of the cell `description`, or `compute()`'s, which is then stored.
    ///
    /// A stored file that does not decode (e.g. cut short by a crash) is ignored and recomputed.
    /// `resumed` is set when the result came from disk (an interrupted run, or another process of
    /// this one). When the folder is shared and another process is computing the cell, the
    /// coordinator waits for it; a helper does too inside another cell, and otherwise throws
    /// ``Deferred`` (it has better things to do).
    public func cell<T: Codable>(_ description: String, resumed: inout Bool, compute: () throws -> T) throws -> T {
        resumed = false
        guard !isDisabled else { return try compute() }
        switch try claim(description, wait: true, compute: compute) {
        case .stored(let value): resumed = true; return value
        case .computed(let value): return value
        case .held: preconditionFailure("a waiting claim is never left held")
        }
    }

    /// What claiming a cell gave.
    enum Claim<T> {
        /// Read back: computed earlier, or by another process.
        case stored(T)
        /// Computed here (and stored).
        case computed(T)
        /// Held by another process (only when not waiting).
        case held
    }

    /// The cell's result read back, or computed here under its lock. When another process holds
    /// the lock: with `wait`, the coordinator (or a helper inside a cell) waits and reads it back,
    /// a helper at top level throws ``Deferred``; without `wait`, ``Claim/held``.
    ///
    /// In a shard, a top-level cell another shard owns is never computed here: it is read back if
    /// stored, and otherwise left to its owner (``Claim/held``, or ``Deferred`` with `wait`). Inside
    /// a cell (a cell this shard owns needs it) any cell is computed.
    /// `owner` overrides the shard that owns the cell by its description (a batch deals its cells
    /// out in turn).
    func claim<T: Codable>(_ description: String, wait: Bool, owner: Int? = nil, compute: () throws -> T) throws -> Claim<T> {
        if let stored: T = load(description) { return .stored(stored) }
        if let shard, CellCache.depth == 0 {
            let owner = owner ?? Shard.owner(of: description, count: shard.count)
            if owner != shard.index {
                guard wait else { return .held }
                throw Deferred(description: description, shard: owner)
            }
        }
        guard let sharing else { return .computed(try computeAndStore(description, compute)) }
        // The lock file sits beside the cell's file; the kernel drops the lock if its holder dies.
        let lock = try FileLock(path: url(description).deletingPathExtension().appendingPathExtension("lock").path)
        defer { lock.release() }
        if !lock.tryAcquire() {
            guard wait else { return .held }
            if !sharing.isCoordinator && CellCache.depth == 0 { throw Deferred(description: description) }
            lock.acquire()
        }
        if let stored: T = load(description) { return .stored(stored) }
        return .computed(try computeAndStore(description, compute))
    }

    /// Whether the cell `description` is stored (written whole: files are replaced atomically).
    public func isStored(_ description: String) -> Bool {
        FileManager.default.fileExists(atPath: url(description).path)
    }

    /// The stored result of `description`, when there is one that decodes.
    func load<T: Codable>(_ description: String) -> T? {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        guard let data = try? Data(contentsOf: url(description)), let stored = try? decoder.decode(Stored<T>.self, from: data),
              stored.description == description else { return nil }
        return stored.value
    }

    /// Runs `compute` (counted as a nesting level) and stores its result atomically.
    func computeAndStore<T: Codable>(_ description: String, _ compute: () throws -> T) throws -> T {
        sharing?.willCompute()
        CellCache.depth += 1
        defer { CellCache.depth -= 1 }
        let value = try compute()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try AtomicFile.write(try encoder.encode(Stored(description: description, value: value)), to: url(description))
        return value
    }

    /// Removes every stored cell of the chapter.
    public func clear() {
        guard !isDisabled else { return }
        try? FileManager.default.removeItem(at: directory)
    }

    struct Stored<T: Codable>: Codable {
        let description: String
        let value: T
    }
}
