/// One problem found by `Literate.check`: where it is and what to do about it.
public struct LiterateProblem: Equatable, Sendable, CustomStringConvertible {
    /// The sort of problem.
    public enum Kind: String, Equatable, Sendable {
        /// Markers that cannot be parsed (unbalanced, nested, bad syntax).
        case malformed
        /// The block's content differs from what the sources give now (or it was never filled).
        case stale
        /// The block's content no longer matches the checksum recorded when it was generated.
        case handEdited
        /// The results.md, code file or region the block names does not exist.
        case missingSource
        /// The source exists but its content cannot be embedded safely.
        case badSource
        /// The chapter file or folder could not be read.
        case unreadable
    }

    /// The sort of problem.
    public var kind: Kind
    /// The chapter path as the caller gave it, e.g. `chapters/data.md`.
    public var file: String
    /// 1-based line of the block's opening marker (or of the malformed line); 0 when not tied to a line.
    public var line: Int
    /// The opening marker as written, e.g. `<!-- result: data/outlier-sensitivity -->` (empty when
    /// not tied to a block).
    public var marker: String
    /// What is wrong and what to do, e.g. `result data/x is stale: ...; rerun ...`.
    public var message: String

    /// Creates a problem.
    public init(kind: Kind, file: String, line: Int, marker: String, message: String) {
        self.kind = kind
        self.file = file
        self.line = line
        self.marker = marker
        self.message = message
    }

    /// `file:line: message`, or `file: message` when there is no line.
    public var description: String {
        line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)"
    }
}
