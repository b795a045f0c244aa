import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes files atomically: to a temporary file in the same folder, then a rename.
///
/// A reader never sees a half-written file, and an interrupted run leaves the previous version in
/// place. Parent folders are created as needed.
public enum AtomicFile {
    /// Writes `data` to `url` atomically.
    /// A failure is a ``FileError`` naming `url` and the reason in plain words.
    public static func write(_ data: Data, to url: URL) throws {
        let tmp = try stage(data, for: url)
        try commit(tmp, to: url)
    }

    /// Writes `data` to a temporary file beside `url` (creating the folder) and returns it.
    static func stage(_ data: Data, for url: URL) throws -> URL {
        let dir = url.deletingLastPathComponent()
        do { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) } catch {
            throw FileError("write", url.path, reason: "its folder cannot be created (\(FileProblem.describe(error)))")
        }
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        do { try data.write(to: tmp) } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw FileError("write", url.path, error)
        }
        return tmp
    }

    /// Renames the staged `tmp` onto `url`; on failure removes `tmp`.
    static func commit(_ tmp: URL, to url: URL) throws {
        guard rename(tmp.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: tmp)
            throw FileError("write", url.path, reason: reason)
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

/// Several files written as one set: each is staged beside its target, and only when every one is
/// staged are they renamed into place, so a failure while writing leaves every earlier file as it was.
public struct StagedFiles {
    private var staged: [(tmp: URL, target: URL)] = []

    public init() {}

    /// Stages `data` for `url`; on failure the files staged so far are removed.
    public mutating func add(_ data: Data, to url: URL) throws {
        do { staged.append((try AtomicFile.stage(data, for: url), url)) } catch {
            discard()
            throw error
        }
    }

    /// Renames every staged file onto its target (each rename is atomic).
    public mutating func commit() throws {
        defer { staged = [] }
        for (i, s) in staged.enumerated() {
            do { try AtomicFile.commit(s.tmp, to: s.target) } catch {
                for rest in staged[(i + 1)...] { try? FileManager.default.removeItem(at: rest.tmp) }
                throw error
            }
        }
    }

    /// Removes every staged file.
    public mutating func discard() {
        for s in staged { try? FileManager.default.removeItem(at: s.tmp) }
        staged = []
    }
}
