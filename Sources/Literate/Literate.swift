import Foundation
import Support

/// Literate chapters: Markdown files whose generated blocks (experiment results, code excerpts) are
/// filled from their sources between HTML-comment markers, and checked for staleness.
///
/// A filled block looks like this (see README.md):
///
///     <!-- result: data/outlier-sensitivity -->
///     <!-- generated: do not edit by hand; regenerate with the chapter command; sha256:0123456789abcdef -->
///     ...content...
///     <!-- end result -->
///
/// The checksum is ``checksum(_:)`` of the content: the lines between the provenance line and the
/// closing marker, each with its "\n".
public enum Literate {
    /// The first 16 lower-case hex digits of the SHA-256 of `content`'s UTF-8 bytes.
    ///
    /// `content` is a block's content exactly as it sits in the chapter: every line between the
    /// provenance line and the closing marker, each including its terminating "\n" (so it is empty
    /// or ends in "\n").
    public static func checksum(_ content: String) -> String {
        String(StableHash.sha256Hex(content).prefix(16))
    }

    /// The provenance line (without newline) recorded above `content`.
    public static func provenanceLine(for content: String) -> String {
        "<!-- generated: do not edit by hand; regenerate with the chapter command; sha256:\(checksum(content)) -->"
    }

    /// The content a block of `kind` should hold now, as it will appear in the chapter.
    ///
    /// For a result: the snippet with leading blank lines and trailing whitespace removed, plus one
    /// "\n" (empty when the snippet is blank). For code: the region in a fenced block tagged with
    /// the language of the file's extension, ending in "\n".
    ///
    /// - Throws: whatever `sources` throws (missing results.md, file or region), or
    ///   `LiterateError.unsafeContent` when the content would leave a fence open or contains marker
    ///   lines, which would corrupt the chapter.
    public static func generatedContent(for kind: LiterateMarker.Kind, sources: LiterateSources) throws -> String {
        let content: String
        switch kind {
        case .result(let id):
            content = normalizedSnippet(try sources.result(id))
        case .code(let path, let region):
            content = CodeRegion.fenced(try sources.code(path, region), path: path)
        }
        if let problem = embeddingProblem(content) {
            throw LiterateError.unsafeContent(key: kind.key, message: problem)
        }
        return content
    }

    /// Returns `text` with every block (or only those whose key is in `only`; nil = all) filled
    /// from `sources`.
    ///
    /// A block's key is its result id, or `<path>#<region>` for code. The marker lines themselves
    /// and all text outside blocks are kept byte for byte; only the provenance line and content
    /// between the markers are replaced. Rendering rendered text again gives the same text.
    ///
    /// - Throws: `LiterateError.malformed` for bad markers, and the source errors of
    ///   ``generatedContent(for:sources:)``.
    public static func render(_ text: String, file: String, sources: LiterateSources, only: Set<String>? = nil) throws -> String {
        let blocks = try markers(in: text, file: file)
        let lines = TextLines.split(text)
        var output = ""
        output.reserveCapacity(text.utf8.count)
        var next = 0  // index of the first line not yet copied
        for block in blocks {
            guard only?.contains(block.kind.key) ?? true else { continue }
            let opening = block.openingLine - 1, closing = block.closingLine - 1
            let content = try generatedContent(for: block.kind, sources: sources)
            output += lines[next...opening].joined()
            if !lines[opening].hasSuffix("\n") { output += "\n" }
            output += provenanceLine(for: content) + "\n" + content
            next = closing
        }
        output += lines[next...].joined()
        return output
    }

    /// Reads `chapterFile`, renders it, and writes it atomically only if it changed; returns whether
    /// it changed.
    ///
    /// On any error (malformed markers, a missing source) the file is left untouched.
    /// - Parameter displayPath: the path used in error messages (default: the file's path).
    @discardableResult
    public static func update(chapterFile: URL, sources: LiterateSources, only: Set<String>? = nil,
                              displayPath: String? = nil) throws -> Bool {
        let file = displayPath ?? chapterFile.path
        let old: String
        do {
            old = try String(contentsOf: chapterFile, encoding: .utf8)
        } catch {
            throw LiterateError.io(path: file, reason: "cannot read chapter: \(error.localizedDescription)")
        }
        let new = try render(old, file: file, sources: sources, only: only)
        guard new != old else { return false }
        do {
            try AtomicFile.write(new, to: chapterFile)
        } catch {
            throw LiterateError.io(path: file, reason: "cannot write chapter: \(error.localizedDescription)")
        }
        return true
    }

    /// `snippet` without leading blank lines and trailing whitespace, plus "\n" ("" when blank).
    static func normalizedSnippet(_ snippet: String) -> String {
        var lines = TextLines.split(snippet)
        while let first = lines.first, TextLines.trimmed(first).isEmpty { lines.removeFirst() }
        let body = lines.joined()
        guard let last = body.lastIndex(where: { !($0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n") }) else {
            return ""
        }
        return String(body[...last]) + "\n"
    }

    /// Why `content` cannot sit between markers (an unclosed fence, a marker line), or `nil`.
    static func embeddingProblem(_ content: String) -> String? {
        var fence: (fence: MarkdownFence, line: Int)?
        for (index, line) in TextLines.split(content).enumerated() {
            if let open = fence {
                if open.fence.isClosed(by: line) { fence = nil }
            } else if MarkerLine.classify(line) != nil {
                return "line \(index + 1) of the content looks like a marker (`\(TextLines.trimmed(line))`); put it inside a fenced code block"
            } else if let opened = MarkdownFence.opening(line) {
                fence = (opened, index)
            }
        }
        if let open = fence {
            return "the fenced code block opened at line \(open.line + 1) of the content is never closed"
        }
        return nil
    }
}
