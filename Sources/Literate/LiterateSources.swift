import Foundation
import Support

/// Where a chapter's generated blocks come from.
///
/// Tests pass closures; the workbench uses ``fileSystem(root:chapterFile:)``.
public struct LiterateSources {
    /// Markdown for a result id, already link-rewritten for the chapter file.
    public var result: (_ id: String) throws -> String
    /// The raw region text (dedented lines joined with "\n", no trailing newline).
    public var code: (_ path: String, _ region: String) throws -> String

    /// Creates sources from two closures.
    public init(result: @escaping (_ id: String) throws -> String,
                code: @escaping (_ path: String, _ region: String) throws -> String) {
        self.result = result
        self.code = code
    }

    /// Sources read from the package at `root`, with links rewritten for `chapterFile`.
    ///
    /// A result `<id>` comes from `<root>/output/<id>/results.md`, its relative links rewritten by
    /// ``LinkRewriter`` to point from the chapter's folder to that output folder. Code comes from
    /// `<root>/<path>`, region extracted by ``CodeRegion/extract(_:from:)``.
    ///
    /// Throws `LiterateError.missingResult` (naming `output/<id>/results.md`) or
    /// `LiterateError.missingCode` (naming the path and why).
    ///
    /// A result id in `generated` takes its snippet from that closure instead of the file (written
    /// as if it sat in `output/<id>/`), so a check compares the chapter with what the snippet's
    /// generator would write now rather than with the copy on disk.
    public static func fileSystem(root: URL, chapterFile: URL, generated: [String: GeneratedResult] = [:]) -> LiterateSources {
        let chapterFolder = chapterFile.deletingLastPathComponent()
        return LiterateSources(
            result: { id in
                let relative = WorkbenchPaths.resultsMarkdown(id)
                let url = root.appendingPathComponent(relative)
                let text: String
                if let generator = generated[id] {
                    text = try generator.snippet()
                } else if let read = try? String(contentsOf: url, encoding: .utf8) {
                    text = read
                } else {
                    throw LiterateError.missingResult(id: id, path: relative)
                }
                let base = LinkRewriter.relativePath(from: chapterFolder.resolvingSymlinksInPath(),
                                                     to: url.deletingLastPathComponent().resolvingSymlinksInPath())
                return LinkRewriter.rewrite(text, base: base)
            },
            code: { path, region in
                let url = root.appendingPathComponent(path)
                var isFolder: ObjCBool = false
                guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), !isFolder.boolValue else {
                    throw LiterateError.missingCode(path: path, region: region, reason: "file \(path) not found")
                }
                guard let text = try? String(contentsOf: url, encoding: .utf8) else {
                    throw LiterateError.missingCode(path: path, region: region, reason: "file \(path) is not readable UTF-8 text")
                }
                do {
                    return try CodeRegion.extract(region, from: text)
                } catch let failure as CodeRegion.Failure {
                    throw LiterateError.missingCode(path: path, region: region, reason: "\(path): \(failure)")
                }
            })
    }
}

/// A result block whose snippet a command generates (e.g. the claims ledger), rather than a chapter run.
public struct GeneratedResult {
    /// The snippet as it would be written to `output/<id>/results.md` now.
    public var snippet: () throws -> String
    /// The command that regenerates it, for messages, e.g. `swift run workbench claims`.
    public var command: String

    /// Creates a generated result.
    public init(command: String, snippet: @escaping () throws -> String) {
        self.command = command
        self.snippet = snippet
    }
}
