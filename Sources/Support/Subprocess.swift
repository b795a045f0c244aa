import Foundation

/// Runs another program and captures what it prints: the one subprocess runner of the workbench.
///
/// A program named without a slash is looked up on `PATH` (through `/usr/bin/env`); a path is run
/// as it is. Standard output and standard error are read at the same time, so a program that
/// prints much on both cannot block on a full pipe.
public enum Subprocess {
    /// What a finished program printed, and how it ended.
    public struct Output: Sendable, Equatable {
        /// The exit status (0 for success).
        public var status: Int32
        /// Everything printed to standard output, decoded as UTF-8.
        public var standardOutput: String
        /// Everything printed to standard error, decoded as UTF-8.
        public var standardError: String
    }

    /// Runs `command` (program, then arguments) to its end and returns its output and status.
    ///
    /// - Throws: ``SubprocessError`` naming the command when it cannot be started.
    public static func run(_ command: [String]) throws -> Output {
        guard let program = command.first else { throw SubprocessError(command: command, problem: "no program given") }
        let p = Process()
        if program.contains("/") {
            p.executableURL = URL(fileURLWithPath: program)
            p.arguments = Array(command.dropFirst())
        } else {
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = command
        }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch {
            throw SubprocessError(command: command, problem: "cannot be started: \(error.localizedDescription)")
        }
        let errorText = _Collected()
        let reader = DispatchGroup()
        DispatchQueue.global().async(group: reader) { errorText.data = err.fileHandleForReading.readDataToEndOfFile() }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        reader.wait()
        p.waitUntilExit()
        return Output(status: p.terminationStatus, standardOutput: String(decoding: data, as: UTF8.self),
                      standardError: String(decoding: errorText.data, as: UTF8.self))
    }

    /// Runs `command` and returns its standard output with surrounding white space trimmed.
    ///
    /// - Throws: ``SubprocessError`` naming the command when it cannot be started or exits with a
    ///   non-zero status (with the end of what it printed to standard error).
    public static func output(_ command: [String]) throws -> String {
        let r = try run(command)
        guard r.status == 0 else {
            let tail = r.standardError.trimmingCharacters(in: .whitespacesAndNewlines).suffix(600)
            throw SubprocessError(command: command, problem: "exited with status \(r.status)" + (tail.isEmpty ? "" : ": \(tail)"))
        }
        return r.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A program that could not be started or failed, with the command line that ran it.
public struct SubprocessError: Error, CustomStringConvertible, Equatable {
    /// The program and its arguments.
    public var command: [String]
    /// What went wrong.
    public var problem: String

    public var description: String { "`\(command.joined(separator: " "))` \(problem)" }
}

/// Standard error's bytes, filled by the reading thread before the group is waited on.
private final class _Collected: @unchecked Sendable {
    var data = Data()
}
