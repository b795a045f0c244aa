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
        try AtomicFile.write(try encode(tokenizer), to: url)
    }

    /// The file's bytes for `tokenizer` (what ``save(_:to:)`` writes).
    public static func encode(_ tokenizer: any ActionTokenizer) throws -> Data {
        let tree = ParameterValue.table([("format", .string(format)), ("tokenizer", .string(tokenizer.name)),
                                         ("state", try tokenizer.fittedState())])
        return Data((tree.prettyJSON() + "\n").utf8)
    }

    /// Reads a tokenizer saved by ``save(_:to:)``; errors name the file and the problem.
    public static func load(from url: URL) throws -> any ActionTokenizer {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ConfigError(location: url.path, key: "", problem: "the tokenizer file cannot be read: \(FileProblem.describe(error))")
        }
        let p = try ParameterReader(ParameterValue.parseJSON(data, source: url.path), location: url.path)
        let tag = try p.string("format")
        guard tag == format else { throw ConfigError(location: url.path, key: "format", problem: "expected \"\(format)\", found \"\(tag)\"") }
        let name = try p.string("tokenizer", allowed: TokenizerRegistry.names)
        let tokenizer = try TokenizerRegistry.descriptor(name).restore(try p.table("state", required: true, named: "\(url.path): state"))
        try p.finish()
        return tokenizer
    }
}
