import Foundation
import XCTest
@testable import Experiments
@testable import Runner

/// The code hash that keys the cache: code and the manifest enter it, documentation does not.
final class ProvenanceTests: XCTestCase {
    func testCodeHashFollowsCodeButNotDocumentation() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("provenance-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let module = root.appendingPathComponent("Sources/Thing")
        try FileManager.default.createDirectory(at: module, withIntermediateDirectories: true)
        func write(_ path: String, _ text: String) throws {
            try Data(text.utf8).write(to: root.appendingPathComponent(path))
        }
        try write("Package.swift", "// manifest")
        try write("Sources/Thing/Thing.swift", "let x = 1")
        try write("Sources/Thing/README.md", "# Thing")
        let base = Provenance.codeHash(root: root)
        XCTAssertEqual(Provenance.codeHash(root: root), base, "the hash is a function of the files")

        try write("Sources/Thing/README.md", "# Thing, documented at length")
        XCTAssertEqual(Provenance.codeHash(root: root), base, "a README edit must not invalidate results")

        try write("Sources/Thing/Thing.swift", "let x = 2")
        let edited = Provenance.codeHash(root: root)
        XCTAssertNotEqual(edited, base, "a code edit must invalidate results")

        try write("Sources/Thing/bridge.cpp", "int y;")
        XCTAssertNotEqual(Provenance.codeHash(root: root), edited, "a new source file enters the hash")

        try write("Package.swift", "// manifest, changed")
        XCTAssertNotEqual(Provenance.codeHash(root: root), edited)
    }

    /// A chapter's code hash follows the code that chapter runs: its own folder and executable,
    /// the shared modules and the manifest; not another chapter's folder or executable, nor the
    /// modules no chapter links.
    func testAChaptersCodeHashLeavesOutWhatItCannotRun() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("provenance-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        func write(_ path: String, _ text: String) throws {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        for path in ["Package.swift", "Sources/Lab/Shared.swift", "Sources/Chapters/Catalog.swift",
                     "Sources/Chapters/Data/DataChapter.swift", "Sources/Chapters/Training/TokenStasis.swift",
                     "Sources/chapter-data/main.swift", "Sources/chapter-training/main.swift",
                     "Sources/Benchmarks/Bench.swift", "Sources/workbench/Workbench.swift"] {
            try write(path, "// \(path)")
        }
        func hashes() -> (data: String, training: String, all: String) {
            (Provenance.codeHash(root: root, chapter: "data"), Provenance.codeHash(root: root, chapter: "training"), Provenance.codeHash(root: root))
        }
        let base = hashes()
        XCTAssertNotEqual(base.data, base.training)
        // (file edited, which of data / training / whole-package hashes must change)
        let cases: [(String, Bool, Bool)] = [
            ("Sources/Chapters/Training/TokenStasis.swift", false, true),
            ("Sources/Chapters/Data/DataChapter.swift", true, false),
            ("Sources/chapter-training/main.swift", false, true),
            ("Sources/chapter-data/main.swift", true, false),
            ("Sources/Benchmarks/Bench.swift", false, false),
            ("Sources/workbench/Workbench.swift", false, false),
            ("Sources/Chapters/Catalog.swift", true, true),
            ("Sources/Lab/Shared.swift", true, true),
            ("Package.swift", true, true),
        ]
        for (path, data, training) in cases {
            let before = hashes()
            try write(path, "// \(path), edited")
            let after = hashes()
            XCTAssertEqual(after.data != before.data, data, "data's hash after editing \(path)")
            XCTAssertEqual(after.training != before.training, training, "training's hash after editing \(path)")
            XCTAssertNotEqual(after.all, before.all, "the whole package's hash after editing \(path)")
        }
        // A new chapter's folder is another chapter's code; a new shared file is everyone's.
        let before = hashes()
        try write("Sources/Chapters/Deployment/Latency.swift", "// new")
        XCTAssertEqual(hashes().data, before.data)
        try write("Sources/Engine/New.swift", "// new")
        XCTAssertNotEqual(hashes().data, before.data)
    }
}
