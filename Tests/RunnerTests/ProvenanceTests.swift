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
}
