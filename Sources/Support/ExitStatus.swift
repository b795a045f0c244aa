import Foundation

/// An error that knows how a command ends when it is not caught.
public protocol ClassifiedError: Error, CustomStringConvertible {
    var exitStatus: ExitStatus { get }
}

/// An error caused by what the user gave: a file, a setting, a name. Its description names the
/// file, the key or the position, and what was expected.
public protocol InputError: ClassifiedError {}

extension InputError {
    public var exitStatus: ExitStatus { .badInput }
}

/// An error of the machine rather than of the input: a path that cannot be written, a tool that
/// is missing or fails.
public protocol EnvironmentError: ClassifiedError {}

extension EnvironmentError {
    public var exitStatus: ExitStatus { .environment }
}

extension ConfigError: InputError {}
extension FileError: EnvironmentError {}
extension FileLockError: EnvironmentError {}

/// How a workbench command ends (the codes of BSD's `sysexits.h`); every command's `--help` lists them.
public enum ExitStatus: Int32, CaseIterable, Sendable {
    /// The command line is wrong: an unknown option, a missing or malformed value.
    case usage = 64
    /// An input is wrong: a file, an experiment setting, a name; the message names which and what was expected.
    case badInput = 65
    /// Anything else that went wrong inside the command.
    case failure = 70
    /// The machine failed: a path cannot be written or read, a tool (gnuplot) is missing or failed.
    case environment = 74
    /// Another run is writing the same chapter; wait for it, or pass `--wait`.
    case busy = 75

    /// The status an error ends a command with.
    public static func of(_ error: Error) -> ExitStatus {
        if let e = error as? ClassifiedError { return e.exitStatus }
        let ns = error as NSError
        return ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain ? .environment : .failure
    }

    /// The message an error is reported with: its own description, or, for Foundation's
    /// file-system errors, their reason in plain words (never a raw domain and code).
    public static func message(_ error: Error) -> String {
        if let e = error as? ClassifiedError { return e.description }
        let ns = error as NSError
        if ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain {
            let path = (ns.userInfo[NSFilePathErrorKey] as? String) ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
            return (path.map { "\($0): " } ?? "") + FileProblem.describe(error)
        }
        return String(describing: error)
    }

    /// The exit statuses, for a command's `--help`.
    public static let helpText = """
        Exit status: 0 success; 64 the command line is wrong; 65 an input is wrong (a file, a \
        setting or a name; the message says which and what was expected); 70 an internal failure; \
        74 the machine failed (a path cannot be written, gnuplot is missing or failed); 75 another \
        run is writing the same chapter (wait for it, or pass --wait).
        """
}

/// Another process holds what this one needs (a chapter's writer lock); its note says who.
public struct BusyError: ClassifiedError {
    public let description: String
    public var exitStatus: ExitStatus { .busy }
    public init(_ description: String) { self.description = description }
}
