import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on a file: held until ``release()``, deinit, or the holder's death (the
/// kernel drops the lock of a process that exits, however it exits).
///
/// The file may carry a note from its holder (``writeNote(_:)``, e.g. its PID and command), which
/// a process that finds the lock taken reads with ``note()`` to say who holds it.
public final class FileLock {
    /// The lock file's path.
    public let path: String
    private var fd: Int32

    /// Opens (creating, with its folder) the lock file at `path`.
    public init(path: String) throws {
        self.path = path
        let dir = (path as NSString).deletingLastPathComponent
        do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
            throw FileLockError(path: path, reason: "its folder \(dir) cannot be created (\(FileProblem.describe(error)))")
        }
        fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileLockError(path: path, reason: String(cString: strerror(errno))) }
    }

    /// Takes the lock if no other process holds it.
    public func tryAcquire() -> Bool { flock(fd, LOCK_EX | LOCK_NB) == 0 }

    /// Waits until the lock is free and takes it.
    public func acquire() {
        while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
    }

    /// Replaces the file's content with `note` (call while holding the lock).
    public func writeNote(_ note: String) {
        guard fd >= 0 else { return }
        _ = ftruncate(fd, 0)
        let bytes = Array(note.utf8)
        _ = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    /// The holder's note (empty when it wrote none or the file cannot be read).
    public func note() -> String {
        (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }

    /// Releases the lock and closes the file.
    public func release() {
        guard fd >= 0 else { return }
        close(fd)
        fd = -1
    }

    deinit { release() }
}

/// A lock file that cannot be opened.
public struct FileLockError: Error, CustomStringConvertible {
    public let path: String, reason: String
    public var description: String { "cannot open the lock file \(path): \(reason)" }
}
