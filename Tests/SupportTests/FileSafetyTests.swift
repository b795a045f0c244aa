import Foundation
import XCTest
@testable import Support

/// Plain-words file errors, writability checks, staged file sets, suggestions and exit statuses.
final class FileSafetyTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("file-safety-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    /// A folder where a file goes, a file where a folder goes, a file on the way: each named; a new path under a writable folder is fine.
    func testUnwritableNamesTheReason() throws {
        let folder = dir.appendingPathComponent("a-folder").path, file = dir.appendingPathComponent("a-file").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        XCTAssertEqual(FileProblem.unwritable(folder, folder: false), "a folder is there where a file is expected")
        XCTAssertEqual(FileProblem.unwritable(file, folder: true), "a file is there where a folder is expected")
        XCTAssertEqual(FileProblem.unwritable(file + "/below/x.npy", folder: false), "\(file) is a file, not a folder")
        XCTAssertNil(FileProblem.unwritable(dir.appendingPathComponent("new/deeper/x.npy").path, folder: false))
        XCTAssertNil(FileProblem.unwritable(file, folder: false))
    }

    /// Foundation's errors become the operating system's words, never a domain and a code.
    func testFoundationErrorsInPlainWords() throws {
        XCTAssertThrowsError(try Data(contentsOf: dir.appendingPathComponent("missing.npy"))) { error in
            let text = FileProblem.describe(error)
            XCTAssertFalse(text.contains("NSCocoaErrorDomain"), text)
            XCTAssertTrue(text.lowercased().contains("no such file"), text)
            XCTAssertEqual(ExitStatus.of(error), .environment)
        }
        let blocked = dir.appendingPathComponent("file-not-folder")
        try Data("x".utf8).write(to: blocked)
        XCTAssertThrowsError(try AtomicFile.write(Data("y".utf8), to: blocked.appendingPathComponent("out.json"))) { error in
            XCTAssertTrue(error is FileError, "\(error)")
            XCTAssertTrue(String(describing: error).hasPrefix("cannot write \(blocked.path)/out.json"), "\(error)")
        }
    }

    /// A staged set lands whole, or, when a file fails, not at all.
    func testStagedFilesLandTogetherOrNotAtAll() throws {
        let a = dir.appendingPathComponent("a.txt"), b = dir.appendingPathComponent("b.txt")
        try Data("old a".utf8).write(to: a)
        var set = StagedFiles()
        try set.add(Data("new a".utf8), to: a)
        let blocked = dir.appendingPathComponent("blocked")
        try Data("x".utf8).write(to: blocked)
        XCTAssertThrowsError(try set.add(Data("b".utf8), to: blocked.appendingPathComponent("b.txt")))
        XCTAssertEqual(try String(contentsOf: a, encoding: .utf8), "old a", "nothing replaced")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".tmp") }, [], "staged files removed")
        var good = StagedFiles()
        try good.add(Data("new a".utf8), to: a)
        try good.add(Data("new b".utf8), to: b)
        XCTAssertEqual(try String(contentsOf: a, encoding: .utf8), "old a", "nothing lands before the commit")
        try good.commit()
        XCTAssertEqual([try String(contentsOf: a, encoding: .utf8), try String(contentsOf: b, encoding: .utf8)], ["new a", "new b"])
    }

    /// Edit distance against hand-counted cases; a suggestion only for a likely misspelling.
    func testSuggestionsForMisspellings() {
        XCTAssertEqual(Suggestion.distance("kitten", "sitting"), 3)
        XCTAssertEqual(Suggestion.distance("", "abc"), 3)
        XCTAssertEqual(Suggestion.distance("treshold", "threshold"), 1)
        XCTAssertEqual(Suggestion.distance("bnis", "bins"), 1, "a swap of neighbours is one edit")
        XCTAssertEqual(Suggestion.closest(to: "treshold", in: ["statistic", "threshold", "scale"]), "threshold")
        XCTAssertEqual(Suggestion.closest(to: "lsa", in: ["lasa"]), "lasa")
        XCTAssertNil(Suggestion.closest(to: "gamma", in: ["threshold", "scale"]))
    }

    /// A misspelt required key is the unknown key it is; an unknown key suggests the closest known one.
    func testMisspeltKeysAreNamedAsUnknown() throws {
        let p = try ParameterReader(.table([("treshold", .double(2))]), location: "f.toml: claims[0]")
        XCTAssertThrowsError(try p.double("threshold")) { error in
            let e = error as! ConfigError
            XCTAssertEqual(e.key, "treshold")
            XCTAssertTrue(e.problem.contains("unknown key (did you mean threshold?"), e.problem)
            XCTAssertEqual(ExitStatus.of(e), .badInput)
        }
        let q = try ParameterReader(.table([("bins", .int(2)), ("bnis", .int(3))]), location: "--set")
        _ = try q.int("bins")
        XCTAssertThrowsError(try q.finish()) { XCTAssertTrue(($0 as! ConfigError).problem.contains("did you mean bins?"), "\($0)") }
    }

    /// A held lock's note names its holder; the kernel frees it with the holder.
    func testALockCarriesItsHoldersNote() throws {
        let path = dir.appendingPathComponent("w.lock").path
        let held = try FileLock(path: path)
        XCTAssertTrue(held.tryAcquire())
        held.writeNote("PID 1: test")
        let other = try FileLock(path: path)
        XCTAssertFalse(other.tryAcquire())
        XCTAssertEqual(other.note(), "PID 1: test")
        held.release()
        XCTAssertTrue(other.tryAcquire())
    }
}
