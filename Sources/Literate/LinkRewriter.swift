import Foundation

/// Rewrites relative link targets in a Markdown snippet so they resolve from another folder.
///
/// An experiment's `results.md` refers to its figures relative to its own folder
/// (`![RMSE](rmse.png)`); embedded in `chapters/data.md` the same link must read
/// `../output/data/outlier-sensitivity/rmse.png`. Rewritten are the targets of inline links and
/// images `](target)` (also `](<target>)` and with a title), reference definitions
/// `[label]: target`, and HTML `src="..."` / `href="..."` (either quote). Left alone are absolute
/// URLs (`scheme:...`, `//host`), anchors (`#...`), absolute paths (`/...`), and anything inside
/// fenced code or inline code spans.
public enum LinkRewriter {
    /// `markdown` with every relative link target prefixed by the folder path `base`
    /// (`/`-separated, relative; "" leaves targets as they are apart from normalization).
    public static func rewrite(_ markdown: String, base: String) -> String {
        var output = ""
        output.reserveCapacity(markdown.utf8.count + 64)
        var fence: MarkdownFence?
        for line in TextLines.split(markdown) {
            if let open = fence {
                if open.isClosed(by: line) { fence = nil }
                output += line
            } else if let opened = MarkdownFence.opening(line) {
                fence = opened
                output += line
            } else {
                output += rewriteLine(line, base: base)
            }
        }
        return output
    }

    /// Whether `target` is a relative reference that should be rewritten.
    public static func isRelative(_ target: String) -> Bool {
        guard let first = target.first else { return false }
        if first == "/" || first == "#" || first == "?" { return false }
        // A scheme: a letter, then letters, digits, `+`, `-` or `.`, then `:` (http:, mailto:, data:).
        if first.isASCII && first.isLetter, let colon = target.firstIndex(of: ":") {
            let scheme = target[..<colon]
            if scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }) { return false }
        }
        return true
    }

    /// `target` resolved against the folder `base`, with `.` and inner `..` segments collapsed;
    /// any `?query` or `#fragment` is kept as is.
    public static func join(_ base: String, _ target: String) -> String {
        let split = target.firstIndex(where: { $0 == "?" || $0 == "#" }) ?? target.endIndex
        let path = target[..<split], suffix = target[split...]
        var parts: [Substring] = []
        for part in (base.split(separator: "/") + path.split(separator: "/", omittingEmptySubsequences: true)) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." { parts.removeLast(); continue }
            parts.append(part)
        }
        var joined = parts.joined(separator: "/")
        if path.hasSuffix("/") && !joined.isEmpty { joined += "/" }
        if joined.isEmpty { joined = "." }
        return joined + suffix
    }

    /// The relative path from folder `from` to folder `to` ("" when they are the same), e.g.
    /// `../output/data/x` from `<root>/chapters` to `<root>/output/data/x`.
    public static func relativePath(from: URL, to: URL) -> String {
        let a = from.standardizedFileURL.pathComponents.filter { $0 != "/" }
        let b = to.standardizedFileURL.pathComponents.filter { $0 != "/" }
        var common = 0
        while common < a.count, common < b.count, a[common] == b[common] { common += 1 }
        let ups = Array(repeating: "..", count: a.count - common)
        return (ups + b[common...]).joined(separator: "/")
    }

    /// Rewrites the link targets in one line outside fenced code.
    static func rewriteLine(_ line: Substring, base: String) -> String {
        let chars = Array(line)
        var out = ""
        var i = 0
        // A reference definition: up to three spaces, `[label]:`, whitespace, target (but not a
        // footnote definition `[^1]: text`).
        let indent = chars.prefix(while: { $0 == " " }).count
        if indent <= 3, indent + 1 < chars.count, chars[indent] == "[", chars[indent + 1] != "^",
           let close = chars[indent...].firstIndex(of: "]"), close + 1 < chars.count, chars[close + 1] == ":" {
            var start = close + 2
            while start < chars.count, chars[start] == " " || chars[start] == "\t" { start += 1 }
            out += String(chars[0..<start])
            i = start
            i = copyTarget(chars, from: i, base: base, stop: { $0 == " " || $0 == "\t" || $0 == "\n" }, into: &out)
        }
        while i < chars.count {
            let c = chars[i]
            if c == "`" {
                // An inline code span: copy through the matching run of backticks, if any.
                let run = chars[i...].prefix(while: { $0 == "`" }).count
                if let end = closingRun(chars, from: i + run, length: run) {
                    out += String(chars[i..<end])
                    i = end
                } else {
                    out += String(repeating: "`", count: run)
                    i += run
                }
            } else if c == "]", i + 1 < chars.count, chars[i + 1] == "(" {
                out += "]("
                i += 2
                while i < chars.count, chars[i] == " " || chars[i] == "\t" { out.append(chars[i]); i += 1 }
                if i < chars.count, chars[i] == "<" {
                    out += "<"
                    i = copyTarget(chars, from: i + 1, base: base, stop: { $0 == ">" || $0 == "\n" }, into: &out)
                } else {
                    i = copyInlineTarget(chars, from: i, base: base, into: &out)
                }
            } else if let (attributeEnd, quote) = htmlAttribute(chars, at: i) {
                out += String(chars[i..<attributeEnd])
                i = copyTarget(chars, from: attributeEnd, base: base, stop: { $0 == quote || $0 == "\n" }, into: &out)
            } else {
                out.append(c)
                i += 1
            }
        }
        return out
    }

    /// Copies the target starting at `start` (ending before the first `stop` character), rewritten
    /// if relative; returns the index after it.
    private static func copyTarget(_ chars: [Character], from start: Int, base: String,
                                   stop: (Character) -> Bool, into out: inout String) -> Int {
        var end = start
        while end < chars.count, !stop(chars[end]) { end += 1 }
        out += rewritten(String(chars[start..<end]), base: base)
        return end
    }

    /// Copies an unbracketed inline-link target: up to whitespace or the `)` that balances the
    /// opening one (CommonMark allows balanced parentheses inside).
    private static func copyInlineTarget(_ chars: [Character], from start: Int, base: String, into out: inout String) -> Int {
        var end = start, depth = 0
        while end < chars.count {
            let c = chars[end]
            if c == " " || c == "\t" || c == "\n" || c == "\r\n" || c == "\r" { break }
            if c == "(" { depth += 1 }
            if c == ")" { if depth == 0 { break }; depth -= 1 }
            if c == "\\", end + 1 < chars.count { end += 1 }
            end += 1
        }
        out += rewritten(String(chars[start..<end]), base: base)
        return end
    }

    /// `target` joined onto `base` when it is relative, else unchanged.
    private static func rewritten(_ target: String, base: String) -> String {
        isRelative(target) && !base.isEmpty ? join(base, target) : target
    }

    /// The index just after a run of exactly `length` backticks at or after `start`, or `nil`.
    private static func closingRun(_ chars: [Character], from start: Int, length: Int) -> Int? {
        var i = start
        while i < chars.count {
            guard chars[i] == "`" else { i += 1; continue }
            let run = chars[i...].prefix(while: { $0 == "`" }).count
            if run == length { return i + run }
            i += run
        }
        return nil
    }

    /// If `src=` or `href=` (any case, after a space or tag start) followed by a quote begins at
    /// `i`, the index after the quote and the quote character.
    private static func htmlAttribute(_ chars: [Character], at i: Int) -> (Int, Character)? {
        guard i > 0, chars[i - 1] == " " || chars[i - 1] == "\t" || chars[i - 1] == "<" else { return nil }
        for name in ["src", "href"] {
            let end = i + name.count
            guard end + 1 < chars.count, String(chars[i..<end]).lowercased() == name, chars[end] == "=" else { continue }
            let quote = chars[end + 1]
            if quote == "\"" || quote == "'" { return (end + 2, quote) }
        }
        return nil
    }
}
