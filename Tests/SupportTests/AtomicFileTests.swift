import Foundation
import Support
import XCTest

/// `AtomicFile`: a write replaces the whole file or nothing, and leaves no temporary file behind.
final class AtomicFileTests: XCTestCase {
    func testAtomicWriteReplacesWholeFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("sub/file.txt")
        try AtomicFile.write("first", to: url)
        XCTAssertTrue(try AtomicFile.writeIfChanged("second", to: url))
        XCTAssertFalse(try AtomicFile.writeIfChanged("second", to: url))
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "second")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path), ["file.txt"])
    }
}
