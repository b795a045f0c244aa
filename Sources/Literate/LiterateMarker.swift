/// One generated block in a chapter: its opening and closing markers and what lies between them.
public struct LiterateMarker: Equatable, Sendable {
    /// What a block embeds.
    public enum Kind: Hashable, Sendable, CustomStringConvertible {
        /// An experiment's `output/<id>/results.md`, e.g. `data/outlier-sensitivity`.
        case result(id: String)
        /// The lines of a `// region: <region>` in a source file at `path` (relative to the root).
        case code(path: String, region: String)

        /// The name `Literate.render(_:file:sources:only:)` selects blocks by: the result id, or
        /// `<path>#<region>` for code.
        public var key: String {
            switch self {
            case .result(let id): return id
            case .code(let path, let region): return "\(path)#\(region)"
            }
        }

        /// The marker's keyword, `result` or `code`.
        public var keyword: String {
            switch self {
            case .result: return "result"
            case .code: return "code"
            }
        }

        /// Human-readable form, e.g. `result data/outlier-sensitivity`.
        public var description: String { "\(keyword) \(key)" }

        /// The canonical opening marker line (without newline).
        public var openingMarker: String { "<!-- \(keyword): \(key) -->" }

        /// The canonical closing marker line (without newline).
        public var closingMarker: String { "<!-- end \(keyword) -->" }
    }

    /// What the block embeds.
    public var kind: Kind
    /// 1-based line number of the opening marker.
    public var openingLine: Int
    /// 1-based line number of the closing marker.
    public var closingLine: Int
    /// The opening marker as written in the chapter, without surrounding whitespace.
    public var markerText: String
    /// The provenance line as written (without its newline), or `nil` when the block was never
    /// filled (its first line is not a `<!-- generated: ... -->` comment).
    public var provenance: String?
    /// The 16-hex-digit checksum recorded in the provenance line, or `nil` when there is no
    /// provenance line or it carries no readable `sha256:` field.
    public var recordedChecksum: String?
    /// The current content: the lines after the provenance line (or after the opening marker when
    /// there is none) up to the closing marker, each with its "\n".
    public var content: String

    /// Creates a marker description.
    public init(kind: Kind, openingLine: Int, closingLine: Int, markerText: String,
                provenance: String?, recordedChecksum: String?, content: String) {
        self.kind = kind
        self.openingLine = openingLine
        self.closingLine = closingLine
        self.markerText = markerText
        self.provenance = provenance
        self.recordedChecksum = recordedChecksum
        self.content = content
    }

    /// Whether the block has ever been filled (it has a provenance line).
    public var isFilled: Bool { provenance != nil }

    /// Whether the content still matches the checksum recorded when it was generated.
    public var matchesRecordedChecksum: Bool {
        recordedChecksum == Literate.checksum(content)
    }
}
