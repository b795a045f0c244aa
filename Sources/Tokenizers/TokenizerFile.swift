import Foundation
import Support

/// Saves a fitted tokenizer to a readable JSON file and loads it back through the registry.
///
/// The file is `{"format": "vla-workbench-tokenizer/1", "tokenizer": <registry name>, "state": {...}}`
/// where `state` is the tokenizer's ``ActionTokenizer/fittedState()``.
public enum TokenizerFile {
    /// The format tag written into every file.
    public static let format = "vla-workbench-tokenizer/1"

    /// Writes `tokenizer`'s fitted state to `url` (atomically).
    public static func save(_ tokenizer: any ActionTokenizer, to url: URL) throws {
        let tree = ParameterValue.table([("format", .string(format)), ("tokenizer", .string(tokenizer.name)),
                                         ("state", try tokenizer.fittedState())])
        try AtomicFile.write(tree.prettyJSON() + "\n", to: url)
    }

    /// Reads a tokenizer saved by ``save(_:to:)``; errors name the file and the problem.
    public static func load(from url: URL) throws -> any ActionTokenizer {
        guard let data = try? Data(contentsOf: url) else {
            throw ConfigError(location: url.path, key: "", problem: "tokenizer file not found or unreadable")
        }
        let p = try ParameterReader(ParameterValue.parseJSON(data, source: url.path), location: url.path)
        let tag = try p.string("format")
        guard tag == format else { throw ConfigError(location: url.path, key: "format", problem: "expected \"\(format)\", found \"\(tag)\"") }
        let name = try p.string("tokenizer", allowed: TokenizerRegistry.names)
        let tokenizer = try TokenizerRegistry.descriptor(name).restore(try p.table("state", required: true))
        try p.finish()
        return tokenizer
    }
}
