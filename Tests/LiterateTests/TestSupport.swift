import Foundation
import XCTest
@testable import Literate

/// A throwaway package root in the temporary folder, removed when the test ends.
final class TempRoot {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("literate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes `text` to `relative` (creating folders) and returns its URL.
    @discardableResult
    func write(_ relative: String, _ text: String) throws -> URL {
        let file = url.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
        return file
    }

    /// The UTF-8 text of `relative`.
    func read(_ relative: String) throws -> String {
        try String(contentsOf: url.appendingPathComponent(relative), encoding: .utf8)
    }

    /// The raw bytes of `relative`.
    func bytes(_ relative: String) throws -> Data {
        try Data(contentsOf: url.appendingPathComponent(relative))
    }

    /// File-system sources for chapter `chapters/<name>`.
    func sources(chapter name: String) -> LiterateSources {
        .fileSystem(root: url, chapterFile: url.appendingPathComponent("chapters/\(name)"))
    }
}

/// In-memory sources: results by id, code text by `path#region`.
func memorySources(results: [String: String] = [:], code: [String: String] = [:]) -> LiterateSources {
    LiterateSources(
        result: { id in
            guard let text = results[id] else { throw LiterateError.missingResult(id: id, path: "output/\(id)/results.md") }
            return text
        },
        code: { path, region in
            guard let text = code["\(path)#\(region)"] else {
                throw LiterateError.missingCode(path: path, region: region, reason: "no such region")
            }
            return text
        })
}

/// The `LiterateError.malformed` line `body` throws, or a failure.
func malformedLine(_ body: () throws -> Any, file: StaticString = #filePath, line: UInt = #line) -> Int? {
    do {
        _ = try body()
        XCTFail("expected a malformed-marker error", file: file, line: line)
    } catch LiterateError.malformed(_, let at, _) {
        return at
    } catch {
        XCTFail("expected malformed, got \(error)", file: file, line: line)
    }
    return nil
}
