/// A fenced code block delimiter (``` or ~~~) in Markdown.
///
/// Used to skip the insides of fenced code, both in a chapter's prose (markers there are examples,
/// not markers) and in embedded snippets (links there are code, not links). Fences may be indented
/// by any amount so that fences inside list items are recognized too.
struct MarkdownFence: Equatable {
    /// The fence character, "`" or "~".
    var character: Character
    /// The length of the opening run; a closing run must be at least this long.
    var length: Int

    /// The fence that `line` opens, or `nil` when it does not open one.
    ///
    /// An opening is a run of at least three backticks or tildes after optional whitespace; a
    /// backtick fence's info string may not contain a backtick (then it is inline code instead).
    static func opening(_ line: Substring) -> MarkdownFence? {
        let body = line.drop(while: { $0 == " " || $0 == "\t" })
        guard let first = body.first, first == "`" || first == "~" else { return nil }
        let run = body.prefix(while: { $0 == first }).count
        guard run >= 3 else { return nil }
        if first == "`" && body.dropFirst(run).contains("`") { return nil }
        return MarkdownFence(character: first, length: run)
    }

    /// Whether `line` closes this fence: a run of at least `length` fence characters after optional
    /// whitespace, followed only by whitespace.
    func isClosed(by line: Substring) -> Bool {
        let body = line.drop(while: { $0 == " " || $0 == "\t" })
        let run = body.prefix(while: { $0 == character }).count
        guard run >= length else { return false }
        return body.dropFirst(run).allSatisfy { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
    }
}

/// Text split into lines that keep their terminators, so that joining them gives the text back
/// byte for byte.
enum TextLines {
    /// The lines of `text`, each with its trailing "\n" (the last one may lack it).
    static func split(_ text: String) -> [Substring] {
        var lines: [Substring] = []
        let bytes = text.utf8
        var start = bytes.startIndex
        var index = start
        while index < bytes.endIndex {
            let next = bytes.index(after: index)
            if bytes[index] == UInt8(ascii: "\n") {
                lines.append(text[start..<next])
                start = next
            }
            index = next
        }
        if start < text.endIndex { lines.append(text[start..<text.endIndex]) }
        return lines
    }

    /// `line` without its line terminator.
    static func stripTerminator(_ line: Substring) -> Substring {
        var end = line.endIndex
        while end > line.startIndex {
            let previous = line.index(before: end)
            guard line[previous] == "\n" || line[previous] == "\r" || line[previous] == "\r\n" else { break }
            end = previous
        }
        return line[line.startIndex..<end]
    }

    /// `text` without leading and trailing whitespace (spaces, tabs, line terminators).
    static func trimmed<S: StringProtocol>(_ text: S) -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        let sub = Substring(text)
        guard let first = sub.firstIndex(where: { !isSpace($0) }),
              let last = sub.lastIndex(where: { !isSpace($0) }) else { return sub[sub.endIndex...] }
        return sub[first...last]
    }
}
