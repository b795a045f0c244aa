import Experiments
import Foundation
import Support
import Synchronization

extension ChapterRunner {
    /// A shard's whole run: its part of the pending experiments' cells (see
    /// ``Experiments/CellCache/Shard``); nothing is written but the cells, and the plain run that
    /// follows assembles the chapter from them.
    ///
    /// The shard walks the experiments in passes. An experiment that needs another shard's cell
    /// before it can go on (a later batch that uses an earlier one's results) is left for the next
    /// pass, which starts once one of the cells it waits for is stored; the shard stops waiting
    /// when every shard it waits for has finished or is not running (its heartbeat is silent), and
    /// leaves the rest to the plain run.
    func runAsShard(_ shard: CellCache.Shard, _ pending: [Prepared], cells: CellCache) throws {
        let say = ProgressReporter(label: "\(chapter.command) · shard \(shard)", quiet: options.quiet).say
        let fm = FileManager.default
        try fm.createDirectory(at: cells.directory, withIntermediateDirectories: true)
        try? fm.removeItem(at: cells.finished(shard))
        let beating = Heartbeat(file: cells.heartbeat(of: shard), every: CellCache.Shard.heartbeatSeconds)
        defer {
            beating.stop()
            fm.createFile(atPath: cells.finished(shard).path, contents: Data())
        }
        var remaining = pending
        for pass in 1... {
            var waiting: [(Prepared, CellCache.Deferred)] = []
            for p in remaining where p.experiment.readsResults.isEmpty {   // readers of results run in the plain run
                let progress = ProgressReporter(label: "shard \(shard) · \(p.file.id)", quiet: options.quiet)
                if let deferred = try computeCells(p, progress: progress, cells: cells) {
                    progress.say("needs shard \(deferred.shard.map(String.init) ?? "?")'s cell \(deferred.description.prefix(60))… (pass \(pass))")
                    waiting.append((p, deferred))
                } else {
                    progress.say("every cell is stored")
                }
            }
            if waiting.isEmpty { break }
            remaining = waiting.map(\.0)
            guard awaitAnyCell(waiting.map(\.1), shard: shard, cells: cells, say: say) else {
                say("the shards it waits for have finished or are not running; the plain run computes the rest")
                break
            }
        }
        say("done; once every shard is, \(chapter.command) --profile \(options.profile.rawValue) (without --shard) writes the chapter from the stored cells")
    }

    /// Waits until one of the cells `deferred` is stored (true), or until no shard that owns one
    /// is still running (false).
    func awaitAnyCell(_ deferred: [CellCache.Deferred], shard: CellCache.Shard, cells: CellCache, say: (String) -> Void) -> Bool {
        let owners = Set(deferred.compactMap(\.shard)).sorted().compactMap { CellCache.Shard(index: $0, count: shard.count) }
        var lastBeat: [Int: (Date, Double)] = [:]  // owner -> (heartbeat's modification time, our clock when it last moved)
        say("waiting for shard\(owners.count == 1 ? "" : "s") \(owners.map { String($0.index) }.joined(separator: ", "))")
        while true {
            if deferred.contains(where: { cells.isStored($0.description) }) { return true }
            let now = monotonicSeconds()
            let running = owners.filter { owner in
                guard !FileManager.default.fileExists(atPath: cells.finished(owner).path),
                      let beat = (try? FileManager.default.attributesOfItem(atPath: cells.heartbeat(of: owner).path))?[.modificationDate] as? Date
                else { return false }
                if lastBeat[owner.index]?.0 != beat { lastBeat[owner.index] = (beat, now) }
                return now - lastBeat[owner.index]!.1 < CellCache.Shard.silentSeconds
            }
            if running.isEmpty { return deferred.contains { cells.isStored($0.description) } }
            Thread.sleep(forTimeInterval: 2)
        }
    }
}

/// Touches a file every few seconds from a thread of its own until stopped: a shard's heartbeat.
final class Heartbeat: Sendable {
    private let stopped = Atomic<Bool>(false)
    private let exited = DispatchSemaphore(value: 0)

    init(file: URL, every seconds: Double) {
        FileManager.default.createFile(atPath: file.path, contents: Data())
        let thread = Thread { [self] in
            var slept = 0.0
            while !self.stopped.load(ordering: .acquiring) {
                Thread.sleep(forTimeInterval: 0.25)
                slept += 0.25
                if slept >= seconds {
                    slept = 0
                    try? FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: file.path)
                }
            }
            self.exited.signal()
        }
        thread.start()
    }

    /// Stops the thread and waits for it.
    func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        exited.wait()
    }
}
