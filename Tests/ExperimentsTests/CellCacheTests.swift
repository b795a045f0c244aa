import Foundation
import Support
import XCTest
@testable import Experiments

/// Finished cells are stored, found again only for the same run key and description, and cleared.
final class CellCacheTests: XCTestCase {
    struct Value: Codable, Equatable { var x: Double; var xs: [Double] }

    func temporaryFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("cells-\(UUID().uuidString)")
    }

    func testStoredCellIsReusedExactly() throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cache = CellCache(directory: dir, runKey: "code-a")
        let v = Value(x: 0.1 + 0.2, xs: [1e-300, -0.0, .nan, 1 / 3])
        var resumed = true
        var computed = 0
        let first = try cache.cell("cell 1", resumed: &resumed) { computed += 1; return v }
        XCTAssertFalse(resumed)
        let second = try cache.cell("cell 1", resumed: &resumed) { computed += 1; return Value(x: 0, xs: []) }
        XCTAssertTrue(resumed)
        XCTAssertEqual(computed, 1)
        // Bit-exact round trip, NaN included.
        XCTAssertEqual(second.x.bitPattern, first.x.bitPattern)
        XCTAssertEqual(second.xs.map(\.bitPattern), v.xs.map(\.bitPattern))
    }

    func testOtherCodeOrDescriptionRecomputes() throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        var resumed = false
        _ = try CellCache(directory: dir, runKey: "code-a").cell("cell 1", resumed: &resumed) { Value(x: 1, xs: []) }
        let other = try CellCache(directory: dir, runKey: "code-b").cell("cell 1", resumed: &resumed) { Value(x: 2, xs: []) }
        XCTAssertFalse(resumed)
        XCTAssertEqual(other.x, 2)
        let described = try CellCache(directory: dir, runKey: "code-a").cell("cell 2", resumed: &resumed) { Value(x: 3, xs: []) }
        XCTAssertFalse(resumed)
        XCTAssertEqual(described.x, 3)
    }

    func testTruncatedFileIsRecomputedAndClearRemovesEverything() throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cache = CellCache(directory: dir, runKey: "code-a")
        var resumed = false
        _ = try cache.cell("cell 1", resumed: &resumed) { Value(x: 1, xs: []) }
        try Data("{\"descr".utf8).write(to: cache.url("cell 1"))
        let again = try cache.cell("cell 1", resumed: &resumed) { Value(x: 4, xs: []) }
        XCTAssertFalse(resumed)
        XCTAssertEqual(again.x, 4)
        cache.clear()
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.path))
    }

    func testRuleTextWritesThresholdsAsInTheFile() {
        XCTAssertEqual(ClaimSpec.formatThreshold(3), "3")
        XCTAssertEqual(ClaimSpec.formatThreshold(0.05), "0.05")
        XCTAssertEqual(ClaimSpec.formatThreshold(10.5), "10.5")
    }

    /// An experiment's cells are told apart by experiment, label and resolved parameters.
    func testRunContextCellsAreKeyedByExperimentLabelAndParameters() throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cache = CellCache(directory: dir, runKey: "code")
        func context(_ id: String, _ parameters: String) -> RunContext {
            RunContext(profile: .smoke, seeds: [1], progress: ProgressReporter(label: "t", quiet: true), cells: cache,
                       experimentID: id, parameters: parameters)
        }
        var computed = 0
        func value(_ c: RunContext, _ label: String) throws -> Value {
            try c.cell(label) { computed += 1; return Value(x: Double(computed), xs: []) }
        }
        let a = context("data/a", #"{"n":1}"#)
        XCTAssertEqual(try value(a, "seed 1").x, 1)
        XCTAssertEqual(try value(a, "seed 1").x, 1, "the same cell is read back")
        XCTAssertEqual(try value(a, "seed 2").x, 2, "another label is another cell")
        XCTAssertEqual(try value(context("data/b", #"{"n":1}"#), "seed 1").x, 3, "another experiment is another cell")
        XCTAssertEqual(try value(context("data/a", #"{"n":2}"#), "seed 1").x, 4, "changed parameters recompute")
        XCTAssertEqual(computed, 4)
    }

    // MARK: Sharing the folder between processes

    /// Holds the lock of cell `description` of `cache` as another process would (a separate open
    /// file description: `flock` locks conflict between them even within one process).
    func holdLock(_ cache: CellCache, _ description: String) throws -> FileLock {
        let lock = try FileLock(path: cache.url(description).deletingPathExtension().appendingPathExtension("lock").path)
        XCTAssertTrue(lock.tryAcquire())
        return lock
    }

    /// Alone, a batch computes its cells in order and reads them back on the next call.
    func testBatchAloneComputesInOrderThenReuses() throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cache = CellCache(directory: dir, runKey: "code")
        var order: [Int] = []
        let first = try cache.cells(["a", "b", "c"], costs: [1, 3, 2], compute: { i in order.append(i); return Value(x: Double(i), xs: []) })
        XCTAssertEqual(order, [0, 1, 2])
        XCTAssertEqual(first.map(\.x), [0, 1, 2])
        var reused: [Bool] = []
        let second = try cache.cells(["a", "b", "c"], compute: { _ in Value(x: -1, xs: []) }, finished: { _, _, r in reused.append(r) })
        XCTAssertEqual(second, first)
        XCTAssertEqual(reused, [true, true, true])
    }

    /// A helper takes the free cells heaviest first, leaves the one another process holds, and
    /// then defers (it moves on) with its own cells stored.
    func testHelperTakesFreeCellsHeaviestFirstAndDefersTheHeldOne() throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let helper = CellCache(directory: dir, runKey: "code", sharing: .init(isCoordinator: false))
        let held = try holdLock(helper, "b")
        defer { held.release() }
        var order: [Int] = []
        XCTAssertThrowsError(try helper.cells(["a", "b", "c", "d"], costs: [1, 5, 3, 2], compute: { i -> Value in
            order.append(i); return Value(x: Double(i), xs: [])
        })) { XCTAssertTrue($0 is CellCache.Deferred, "\($0)") }
        XCTAssertEqual(order, [2, 3, 0], "free cells, heaviest first; the held one is left")
        let alone = CellCache(directory: dir, runKey: "code")
        for (d, x) in [("a", 0.0), ("c", 2), ("d", 3)] {
            XCTAssertEqual((alone.load(d) as Value?)?.x, x, "cell \(d) stored by the helper")
        }
        XCTAssertNil(alone.load("b") as Value?)
    }

    /// The coordinator waits for a held cell and reads back what its holder stored, without
    /// computing it; when the holder dies without storing (its lock dropped), it computes the cell.
    func testCoordinatorWaitsForTheHolderOrTakesOverFromADeadOne() throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let coordinator = CellCache(directory: dir, runKey: "code", sharing: .init(isCoordinator: true))
        let holder = CellCache(directory: dir, runKey: "code")
        let held = try holdLock(coordinator, "b")
        let stored = Value(x: 42, xs: [1])
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) {
            var r = false
            _ = try? holder.cell("b", resumed: &r) { stored }
            held.release()
        }
        var computed: [Int] = []
        var reused: [Int: Bool] = [:]
        let values = try coordinator.cells(["a", "b"], compute: { i -> Value in computed.append(i); return Value(x: Double(i), xs: []) },
                                           finished: { i, _, r in reused[i] = r })
        XCTAssertEqual(computed, [0])
        XCTAssertEqual(values[1], stored)
        XCTAssertEqual(reused, [0: false, 1: true])

        let dead = try holdLock(coordinator, "c")
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { dead.release() }  // dies: lock dropped, nothing stored
        let taken = try coordinator.cells(["c"], compute: { _ in Value(x: 7, xs: []) })
        XCTAssertEqual(taken.map(\.x), [7])
    }

    /// A single cell held elsewhere: a helper defers at top level but waits inside another cell
    /// (throwing there would waste the outer cell's work).
    func testHelperWaitsForAHeldCellOnlyInsideAnotherCell() throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let helper = CellCache(directory: dir, runKey: "code", sharing: .init(isCoordinator: false))
        let held = try holdLock(helper, "inner")
        var resumed = false
        XCTAssertThrowsError(try helper.cell("inner", resumed: &resumed) { Value(x: 1, xs: []) }) { XCTAssertTrue($0 is CellCache.Deferred) }
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { held.release() }
        let outer = try helper.cell("outer", resumed: &resumed) { () -> Value in
            var r = false
            let inner = try helper.cell("inner", resumed: &r) { Value(x: 1, xs: []) }
            return Value(x: inner.x + 1, xs: [])
        }
        XCTAssertEqual(outer.x, 2)
    }

    // MARK: Shards of a split run

    /// `I/N` parses only with whole numbers 0 <= I < N.
    func testShardParsesOnlyAValidPart() {
        XCTAssertEqual(CellCache.Shard("0/4"), CellCache.Shard(index: 0, count: 4))
        XCTAssertEqual(CellCache.Shard("3/4")?.description, "3/4")
        XCTAssertEqual(CellCache.Shard("0/1")?.count, 1)
        for bad in ["4/4", "-1/2", "1/0", "1", "1/2/3", "a/b", "/2", "1/", " 1/2", "1/2 ", "+1/2", "1.0/2", "١/٢"] {
            XCTAssertNil(CellCache.Shard(bad), bad)
        }
    }

    /// Property: for any N, every cell has exactly one owner among the N shards, lone cells by
    /// their description's hash, and a batch's cells dealt out in turn (each shard gets
    /// floor(k/N) or ceil(k/N) of k cells, heaviest first).
    func testShardsPartitionLoneCellsAndBatches() throws {
        var rng = SeededGenerator(seed: 17)
        for _ in 0..<40 {
            let n = Int.random(in: 1...6, using: &rng), k = Int.random(in: 1...13, using: &rng)
            let descriptions = (0..<k).map { "cell \($0) · \(UInt64.random(in: 0...UInt64.max, using: &rng))" }
            let costs = (0..<k).map { _ in Double(Int.random(in: 1...4, using: &rng)) }
            for d in descriptions {
                XCTAssertEqual((0..<n).filter { CellCache.Shard(index: $0, count: n)!.owns(d) }.count, 1)
            }
            let dir = temporaryFolder()
            defer { try? FileManager.default.removeItem(at: dir) }
            var computedBy = [[Int]](repeating: [], count: n)
            for i in 0..<n {
                var shard = CellCache(directory: dir.appendingPathComponent("shard\(i)"), runKey: "code")
                shard.shard = CellCache.Shard(index: i, count: n)
                do {
                    _ = try shard.cells(descriptions, costs: costs, compute: { j in computedBy[i].append(j); return Value(x: Double(j), xs: []) })
                } catch is CellCache.Deferred {}
            }
            XCTAssertEqual(computedBy.flatMap { $0 }.sorted(), Array(0..<k), "each cell exactly once (n \(n), k \(k))")
            for part in computedBy { XCTAssertTrue([k / n, (k + n - 1) / n].contains(part.count), "\(computedBy)") }
            for part in computedBy {  // within a shard, heaviest first
                XCTAssertEqual(part.map { costs[$0] }, part.map { costs[$0] }.sorted(by: >))
            }
        }
    }

    /// Shards run one after the other in one folder: each computes only its own cells, reads back
    /// the others', defers when another shard's cell is missing, and computes another shard's
    /// cell inside one of its own that needs it; the plain run then computes nothing.
    func testShardsComputeTheirOwnCellsAndAPlainRunReadsThemAllBack() throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let descriptions = (0..<8).map { "seed \($0)" }
        let owners = (0..<2).map { i -> [Int] in
            var c = CellCache(directory: dir.appendingPathComponent("probe"), runKey: "code")
            c.shard = CellCache.Shard(index: i, count: 2)
            var mine: [Int] = []
            _ = try? c.cells(descriptions, compute: { j in mine.append(j); return Value(x: 0, xs: []) })
            return mine
        }
        var computed: [String] = []
        var first = CellCache(directory: dir, runKey: "code")
        first.shard = CellCache.Shard(index: 0, count: 2)
        XCTAssertThrowsError(try first.cells(descriptions, compute: { j -> Value in
            computed.append(descriptions[j])
            var r = false
            // Every cell needs the lone cell "shared data", whoever owns it.
            let shared = try first.cell("shared data", resumed: &r) { computed.append("shared data"); return Value(x: 100, xs: []) }
            return Value(x: Double(j) + shared.x, xs: [])
        })) { XCTAssertTrue($0 is CellCache.Deferred, "\($0)") }
        XCTAssertEqual(computed, owners[0].map { descriptions[$0] }.prefix(1) + ["shared data"] + owners[0].dropFirst().map { descriptions[$0] })

        var second = first
        second.shard = CellCache.Shard(index: 1, count: 2)
        computed = []
        let values = try second.cells(descriptions, compute: { j -> Value in
            computed.append(descriptions[j])
            var r = false
            let shared = try second.cell("shared data", resumed: &r) { computed.append("shared data"); return Value(x: 100, xs: []) }
            return Value(x: Double(j) + shared.x, xs: [])
        })
        XCTAssertEqual(computed, owners[1].map { descriptions[$0] }, "shard 1 reads shard 0's cells and the shared cell back")
        XCTAssertEqual(values.map(\.x), (0..<8).map { Double($0) + 100 })

        let plain = CellCache(directory: dir, runKey: "code")
        let again = try plain.cells(descriptions, compute: { _ in XCTFail("computed again"); return Value(x: -1, xs: []) })
        XCTAssertEqual(again, values)
        // A lone top-level cell of another shard is left to it.
        var lone = plain
        let other = "lone cell " + String((0..<50).first { !CellCache.Shard(index: 0, count: 2)!.owns("lone cell \($0)") }!)
        lone.shard = CellCache.Shard(index: 0, count: 2)
        var r = false
        XCTAssertThrowsError(try lone.cell(other, resumed: &r) { Value(x: 1, xs: []) }) { XCTAssertTrue($0 is CellCache.Deferred) }
    }
}
