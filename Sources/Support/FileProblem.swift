import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A file-system operation that failed: what, on which path, and why, in plain words.
public struct FileError: Error, CustomStringConvertible {
    /// What was attempted, e.g. `write`, `create the folder`, `read`.
    public let action: String
    public let path: String
    /// Why, in plain words (never Foundation's domain and code).
    public let reason: String

    public init(_ action: String, _ path: String, reason: String) {
        self.action = action; self.path = path; self.reason = reason
    }

    /// Wraps a Foundation error thrown by `action` on `path`.
    public init(_ action: String, _ path: String, _ error: Error) {
        self.init(action, path, reason: FileProblem.describe(error))
    }

    public var description: String { "cannot \(action) \(path): \(reason)" }
}

/// Plain words for file-system errors.
public enum FileProblem {
    /// `error`'s reason in plain words: the operating system's message when Foundation carries
    /// one (e.g. `Permission denied`, `Not a directory`), else a description of Foundation's code;
    /// an error of the workbench's own is its description.
    public static func describe(_ error: Error) -> String {
        if let e = error as? FileError { return e.reason }
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSCocoaErrorDomain {
            switch CocoaError.Code(rawValue: ns.code) {
            case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file or folder"
            case .fileReadNoPermission, .fileWriteNoPermission: return "permission denied"
            case .fileWriteFileExists: return "something is already there"
            case .fileWriteOutOfSpace: return "no space left on the device"
            case .fileWriteVolumeReadOnly: return "the file system is read-only"
            case .fileReadCorruptFile: return "the file cannot be read (corrupt or not in the expected format)"
            case .fileReadInvalidFileName, .fileWriteInvalidFileName: return "not a valid file name"
            default: return "the file system refused the operation (Foundation error \(ns.code))"
            }
        }
        return String(describing: error)
    }

    /// Why `path` cannot receive a new file or folder, or `nil` when it can: its nearest existing
    /// ancestor must be a writable folder, and the path itself, if it exists, must be of the
    /// expected kind (`folder` or not).
    public static func unwritable(_ path: String, folder: Bool) -> String? {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDir) {
            if isDir.boolValue != folder { return folder ? "a file is there where a folder is expected" : "a folder is there where a file is expected" }
            return access(path, W_OK) == 0 ? nil : "permission denied"
        }
        var ancestor = (path as NSString).deletingLastPathComponent
        while !ancestor.isEmpty, !fm.fileExists(atPath: ancestor, isDirectory: &isDir) {
            let up = (ancestor as NSString).deletingLastPathComponent
            if up == ancestor { break }
            ancestor = up
        }
        if ancestor.isEmpty { ancestor = fm.currentDirectoryPath }
        guard fm.fileExists(atPath: ancestor, isDirectory: &isDir), isDir.boolValue else { return "\(ancestor) is a file, not a folder" }
        return access(ancestor, W_OK | X_OK) == 0 ? nil : "\(ancestor) is not writable (permission denied)"
    }
}
