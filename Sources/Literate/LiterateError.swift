import Support
/// Why a chapter could not be parsed or rendered.
public enum LiterateError: Error, Equatable, CustomStringConvertible {
    /// A marker problem at a 1-based line of `file`.
    case malformed(file: String, line: Int, message: String)
    /// The snippet for result `id` does not exist at `path`.
    case missingResult(id: String, path: String)
    /// The code excerpt `path#region` could not be extracted.
    case missingCode(path: String, region: String, reason: String)
    /// Generated content for `key` would break the chapter's markers (e.g. an unclosed fence).
    case unsafeContent(key: String, message: String)
    /// A file could not be read or written.
    case io(path: String, reason: String)

    /// A one-line message naming the file and what to do.
    public var description: String {
        switch self {
        case .malformed(let file, let line, let message):
            return "\(file):\(line): malformed marker: \(message)"
        case .missingResult(let id, let path):
            return "missing result \(id): \(path) not found; run the experiment that writes it first"
        case .missingCode(let path, let region, let reason):
            return "missing code \(path)#\(region): \(reason)"
        case .unsafeContent(let key, let message):
            return "cannot embed \(key): \(message)"
        case .io(let path, let reason):
            return "\(path): \(reason)"
        }
    }
}

extension LiterateError: InputError {}
