import Foundation
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
}
