/// Code excerpts: extracting a named region from a source file and fencing it for Markdown.
///
/// A region is delimited by comment lines `// region: <name>` and `// endregion: <name>` (`#`
/// works too, for Python, shell and TOML), with any leading whitespace. The excerpt is the lines
/// strictly between them, minus any nested region marker lines, with the common indentation
/// removed.
public enum CodeRegion {
    /// Why a region could not be extracted.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// No `region: <name>` line.
        case notFound(region: String)
        /// A `region:` line without its `endregion:` line (1-based line).
        case unterminated(region: String, line: Int)
        /// An `endregion:` line before any `region:` line of that name.
        case endBeforeStart(region: String, line: Int)
        /// Two `region:` lines with the same name.
        case duplicate(region: String, first: Int, second: Int)

        /// What is wrong, naming the region and line.
        public var description: String {
            switch self {
            case .notFound(let region):
                return "no `// region: \(region)` line"
            case .unterminated(let region, let line):
                return "`// region: \(region)` at line \(line) has no `// endregion: \(region)`"
            case .endBeforeStart(let region, let line):
                return "`// endregion: \(region)` at line \(line) comes before its `// region: \(region)`"
            case .duplicate(let region, let first, let second):
                return "region `\(region)` is opened twice (lines \(first) and \(second))"
            }
        }
    }

    /// The dedented lines of region `name` in `source`, joined with "\n" (no trailing newline).
    public static func extract(_ name: String, from source: String) throws -> String {
        let lines = TextLines.split(source).map { TextLines.stripTerminator($0) }
        var start: Int?
        var end: Int?
        for (index, line) in lines.enumerated() {
            guard let marker = regionMarker(line), marker.name == name else { continue }
            if marker.isEnd {
                guard start != nil else { throw Failure.endBeforeStart(region: name, line: index + 1) }
                if end == nil { end = index }
            } else if let first = start {
                throw Failure.duplicate(region: name, first: first + 1, second: index + 1)
            } else {
                start = index
            }
        }
        guard let first = start else { throw Failure.notFound(region: name) }
        guard let last = end else { throw Failure.unterminated(region: name, line: first + 1) }
        let body = lines[(first + 1)..<last].filter { regionMarker($0) == nil }
        return dedent(body).joined(separator: "\n")
    }

    /// Parses a `// region: x` or `// endregion: x` line (also with `#`).
    static func regionMarker(_ line: Substring) -> (name: String, isEnd: Bool)? {
        var rest = TextLines.trimmed(line)
        if let r = rest.strippingPrefix("//") { rest = r } else if let r = rest.strippingPrefix("#") { rest = r } else { return nil }
        rest = TextLines.trimmed(rest)
        let isEnd: Bool
        if let r = rest.strippingPrefix("endregion:") { rest = r; isEnd = true }
        else if let r = rest.strippingPrefix("region:") { rest = r; isEnd = false }
        else { return nil }
        let name = TextLines.trimmed(rest)
        guard !name.isEmpty, !name.contains(" ") else { return nil }
        return (String(name), isEnd)
    }

    /// `lines` with their common leading whitespace removed; blank lines become empty.
    public static func dedent<S: StringProtocol>(_ lines: [S]) -> [String] {
        let isBlank: (S) -> Bool = { $0.allSatisfy { $0 == " " || $0 == "\t" } }
        var common: [Character]?
        for line in lines where !isBlank(line) {
            let indent = Array(line.prefix(while: { $0 == " " || $0 == "\t" }))
            if let current = common {
                common = Array(zip(current, indent).prefix(while: { $0 == $1 }).map(\.0))
            } else {
                common = indent
            }
        }
        let width = common?.count ?? 0
        return lines.map { isBlank($0) ? "" : String($0.dropFirst(width)) }
    }

    /// The Markdown language tag for a file at `path`, from its extension (empty when unknown).
    public static func language(forPath path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        let ext = name[name.index(after: dot)...].lowercased()
        let known: [String: String] = [
            "swift": "swift", "py": "python", "c": "c", "h": "c",
            "cpp": "cpp", "cc": "cpp", "cxx": "cpp", "hpp": "cpp", "hh": "cpp",
            "toml": "toml", "sh": "sh", "bash": "sh", "gp": "gnuplot", "plt": "gnuplot",
            "json": "json", "yml": "yaml", "yaml": "yaml", "md": "markdown",
            "js": "javascript", "ts": "typescript", "rs": "rust", "m": "objc",
        ]
        return known[ext] ?? ext
    }

    /// `code` in a fenced block tagged with `path`'s language, ending in "\n".
    ///
    /// `code` is lines joined with "\n"; one trailing "\n" is tolerated. The fence is three
    /// backticks, or one more than the longest backtick run opening a line of `code`.
    public static func fenced(_ code: String, path: String) -> String {
        let code = code.hasSuffix("\n") ? String(code.dropLast()) : code
        let lines = code.isEmpty ? [] : code.split(separator: "\n", omittingEmptySubsequences: false)
        let longest = lines.map { line in
            line.drop(while: { $0 == " " || $0 == "\t" }).prefix(while: { $0 == "`" }).count
        }.max() ?? 0
        let fence = String(repeating: "`", count: max(3, longest + 1))
        var text = fence + language(forPath: path) + "\n"
        for line in lines { text += line + "\n" }
        return text + fence + "\n"
    }
}
