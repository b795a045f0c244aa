import Foundation

/// Writes files atomically: to a temporary file in the same folder, then a rename.
///
/// A reader never sees a half-written file, and an interrupted run leaves the previous version in
/// place. Parent folders are created as needed.
public enum AtomicFile {
    /// Writes `data` to `url` atomically.
    public static func write(_ data: Data, to url: URL) throws {
        let dir = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        do {
            try data.write(to: tmp)
            if rename(tmp.path, url.path) != 0 {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
            }
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw error
        }
    }

    /// Writes `text` as UTF-8 to `url` atomically.
    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }

    /// Writes `text` only when it differs from what is on disk; returns whether it wrote.
    @discardableResult
    public static func writeIfChanged(_ text: String, to url: URL) throws -> Bool {
        if let old = try? String(contentsOf: url, encoding: .utf8), old == text { return false }
        try write(text, to: url)
        return true
    }
}
