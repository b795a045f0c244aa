import Foundation
@testable import Runner
import Support
import XCTest

/// One writer per chapter, nothing mixed, nothing lost, and hostile input refused before any work,
/// with one exit status per kind of failure (issue 16's cases, each against the built executables).
final class ChapterWriterTests: XCTestCase {
    func exe(_ name: String) throws -> String { try HelperProcessTests.executable(name).path }

    func run(_ command: [String]) throws -> Subprocess.Output { try Subprocess.run(command) }

    func chapterData(_ w: ScratchWorkbench, _ extra: [String]) throws -> Subprocess.Output {
        try run([try exe("chapter-data"), "--profile", "smoke", "--root", w.root.path, "--processes", "1"] + extra)
    }

    /// Case 1: while a run holds the chapter, a second fails at once, naming the holder (exit 75),
    /// and writes nothing; with `--wait` it starts once the holder is gone.
    func testASecondWriterFailsAtOnceNamingTheFirst() throws {
        let w = try ScratchWorkbench()
        defer { w.remove() }
        let lock = try FileLock(path: w.url(WorkbenchPaths.writerLock("data")).path)
        XCTAssertTrue(lock.tryAcquire())
        lock.writeNote("PID 4242: chapter-data --profile smoke --seed 1, since 2026-12-03T00:00:00Z")
        let second = try chapterData(w, ["--seed", "7"])
        XCTAssertEqual(second.status, ExitStatus.busy.rawValue, second.standardError)
        XCTAssertTrue(second.standardError.contains("another run is writing the data chapter (PID 4242: chapter-data --profile smoke --seed 1"), second.standardError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: w.url("output/data").path), "the second run wrote nothing")
        lock.release()
        let after = try chapterData(w, ["--seed", "7", "--wait"])
        XCTAssertEqual(after.status, 0, after.standardError)
    }

    /// Case 1, as the issue saw it: two forced runs with different seeds at once, several times.
    /// Each time one wins and the other fails (busy) or waits, and the outputs are one run's
    /// complete set: `workbench check` passes, and fails when a file of the set is replaced.
    func testTwoRunsAtOnceLeaveOneRunsCompleteOutputs() throws {
        let w = try ScratchWorkbench()
        defer { w.remove() }
        for attempt in 0..<3 {
            let a = Process(), b = Process()
            for (p, seed) in [(a, "1"), (b, "7")] {
                p.executableURL = URL(fileURLWithPath: try exe("chapter-data"))
                p.arguments = ["--profile", "smoke", "--root", w.root.path, "--processes", "1", "--force", "--seed", seed] + (attempt == 2 ? ["--wait"] : [])
                p.standardOutput = FileHandle.nullDevice; p.standardError = FileHandle.nullDevice
            }
            try a.run(); try b.run()
            a.waitUntilExit(); b.waitUntilExit()
            let statuses = [a.terminationStatus, b.terminationStatus]
            XCTAssertTrue(statuses.allSatisfy { $0 == 0 || $0 == ExitStatus.busy.rawValue }, "\(statuses)")
            XCTAssertTrue(statuses.contains(0), "\(statuses)")
            if attempt == 2 { XCTAssertEqual(statuses, [0, 0], "with --wait both run, one after the other") }
            // The scratch tree has only this chapter's results: the check must find nothing wrong with them.
            let check = try run([try exe("workbench"), "check", "--root", w.root.path])
            XCTAssertFalse(check.standardError.contains("output/data") || check.standardError.contains("chapters/data.md"), check.standardError)
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: w.url("output/data").path).filter { $0.hasPrefix(".") }
            XCTAssertEqual(leftovers, [], "no staging folder is left")
        }
        // The check tells a mixed set: one data file replaced by different bytes.
        let folder = w.url("output/data/outlier-sensitivity")
        let dat = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: folder.path).first { $0.hasSuffix(".dat") })
        try Data("# another run's data\n".utf8).write(to: folder.appendingPathComponent(dat))
        let check = try run([try exe("workbench"), "check", "--root", w.root.path])
        XCTAssertNotEqual(check.status, 0)
        XCTAssertTrue(check.standardError.contains("output/data/outlier-sensitivity/\(dat)"), check.standardError)
    }

    /// Case 8: the staging and swap folders an interrupted run leaves behind are ignored by git (the
    /// repository's own .gitignore, in a scratch repository), so `git add -A` cannot commit them;
    /// the results folder itself is not.
    func testLeftoverFoldersAreIgnoredByGit() throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let gitignore = try Data(contentsOf: repo.appendingPathComponent(".gitignore"))
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("gitignore-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        guard (try? run(["git", "-C", scratch.path, "init", "-q"]))?.status == 0 else { throw XCTSkip("git is not available") }
        try gitignore.write(to: scratch.appendingPathComponent(".gitignore"))
        let final = scratch.appendingPathComponent("output/data/outlier-sensitivity")
        let staging = ChapterRunner.staging(for: final)
        let swap = final.deletingLastPathComponent().appendingPathComponent(".outlier-sensitivity.old-12345")
        for folder in [final, staging, swap] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data("{}\n".utf8).write(to: folder.appendingPathComponent("results.json"))
        }
        for folder in [staging, swap] {
            XCTAssertTrue(ChapterRunner.isLeftover(folder.lastPathComponent), folder.lastPathComponent)
            let path = "output/data/\(folder.lastPathComponent)/results.json"
            XCTAssertEqual(try run(["git", "-C", scratch.path, "check-ignore", "-q", path]).status, 0, "\(path) is not ignored")
        }
        XCTAssertFalse(ChapterRunner.isLeftover(final.lastPathComponent))
        XCTAssertEqual(try run(["git", "-C", scratch.path, "check-ignore", "-q", "output/data/outlier-sensitivity/results.json"]).status, 1)
    }

    /// Cases 3, 4, 6, 8 and 9: bad input and unwritable paths are refused before any work, with
    /// the name of what is wrong and one exit status per kind.
    func testBadInputIsRefusedBeforeAnyWork() throws {
        let w = try ScratchWorkbench()
        defer { w.remove() }
        // A misspelt input name, and one the chapter does not read: bad input, with the names it reads.
        let lsa = try run([try exe("chapter-data"), "--profile", "smoke", "--root", w.root.path, "--input", "lsa=\(w.root.path)"])
        XCTAssertEqual(lsa.status, ExitStatus.badInput.rawValue, lsa.standardError)
        XCTAssertTrue(lsa.standardError.contains("--input: lsa") || lsa.standardError.contains("lsa"), lsa.standardError)
        XCTAssertTrue(lsa.standardError.contains("reads no inputs"), lsa.standardError)
        // In a chapter that reads LASA: the suggestion, and no notice of installed data before the error.
        let foundations = try run([try exe("chapter-foundations"), "--profile", "smoke", "--root", w.root.path, "--input", "lsa=\(w.root.path)"])
        XCTAssertEqual(foundations.status, ExitStatus.badInput.rawValue, foundations.standardError)
        XCTAssertTrue(foundations.standardError.contains("unknown input (did you mean lasa?)"), foundations.standardError)
        XCTAssertFalse(foundations.standardOutput.contains("using --input"), foundations.standardOutput)
        // An input path with nothing there: bad input (65) naming the name and the path, no usage line.
        let nowhere = w.root.appendingPathComponent("no-such-lasa").path
        let missing = try run([try exe("chapter-foundations"), "--profile", "smoke", "--root", w.root.path, "--input", "lasa=\(nowhere)"])
        XCTAssertEqual(missing.status, ExitStatus.badInput.rawValue, missing.standardError)
        XCTAssertTrue(missing.standardError.contains("--input: key 'lasa': \(nowhere): no such file or folder"), missing.standardError)
        XCTAssertFalse(missing.standardError.contains("Usage:"), missing.standardError)
        // A seed beyond the files' range: a usage error, no trap.
        let seed = try chapterData(w, ["--seed", "9223372036854775807"])
        XCTAssertEqual(seed.status, ExitStatus.usage.rawValue, seed.standardError)
        XCTAssertTrue(seed.standardError.contains("--seed must be in 0...2147483647"), seed.standardError)
        // A file where the results folder goes: named, before any work, and not replaced.
        try FileManager.default.createDirectory(at: w.url("output/data"), withIntermediateDirectories: true)
        try Data("keep me\n".utf8).write(to: w.url("output/data/outlier-sensitivity"))
        let blocked = try chapterData(w, [])
        XCTAssertEqual(blocked.status, ExitStatus.environment.rawValue, blocked.standardError)
        XCTAssertTrue(blocked.standardError.contains("output/data/outlier-sensitivity: a file is there where a folder is expected"), blocked.standardError)
        XCTAssertFalse(blocked.standardError.contains("NSCocoaErrorDomain"), blocked.standardError)
        XCTAssertEqual(try String(contentsOf: w.url("output/data/outlier-sensitivity"), encoding: .utf8), "keep me\n")
        try FileManager.default.removeItem(at: w.url("output/data/outlier-sensitivity"))
        // A leftover staging folder of a dead run is cleared by the next run.
        try FileManager.default.createDirectory(at: w.url("output/data/.outlier-sensitivity.staging-99999"), withIntermediateDirectories: true)
        let clean = try chapterData(w, [])
        XCTAssertEqual(clean.status, 0, clean.standardError)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: w.url("output/data").path).filter { $0.hasPrefix(".") }, [])
        // A misspelt required key of a claim is reported as the unknown key it is.
        let file = w.url("experiments/data/outlier-sensitivity.toml")
        let toml = try String(contentsOf: file, encoding: .utf8)
        try toml.replacingOccurrences(of: "threshold =", with: "treshold =").write(to: file, atomically: true, encoding: .utf8)
        let typo = try chapterData(w, ["--force"])
        XCTAssertEqual(typo.status, ExitStatus.badInput.rawValue, typo.standardError)
        XCTAssertTrue(typo.standardError.contains("treshold") && typo.standardError.contains("did you mean threshold"), typo.standardError)
    }
}
