import Experiments
import Foundation
import Literate
import Support

/// One writer per chapter, staging folders of its own, and every path it writes checked first.
extension ChapterRunner {
    /// Takes the chapter's writer lock (``WorkbenchPaths/writerLock(_:)``) and notes this process
    /// in it. When another run holds it: waits with ``RunOptions/waitForWriter``, else throws a
    /// ``Support/BusyError`` naming the holder's PID and command.
    func takeWriterLock() throws -> FileLock {
        let lock = try FileLock(path: paths.url(WorkbenchPaths.writerLock(chapter.slug)).path)
        if !lock.tryAcquire() {
            let holder = lock.note()
            guard options.waitForWriter else {
                throw BusyError("another run is writing the \(chapter.slug) chapter (\(holder.isEmpty ? "holder unknown" : holder)); "
                                + "wait for it to finish, or pass --wait to start when it has")
            }
            ProgressReporter(label: chapter.command, quiet: options.quiet).say("waiting for the run writing this chapter (\(holder.isEmpty ? "holder unknown" : holder))")
            lock.acquire()
        }
        let command = CommandLine.arguments.map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ")
        lock.writeNote("PID \(ProcessInfo.processInfo.processIdentifier): \(command), since \(ISO8601DateFormatter().string(from: Date()))")
        return lock
    }

    /// Removes the staging and swap folders an interrupted run left beside the chapter's results
    /// (only the writer calls this, so none of them belongs to a live run).
    func removeLeftovers() {
        let folder = paths.url(WorkbenchPaths.outputFolder(chapter.slug))
        let fm = FileManager.default
        for name in (try? fm.contentsOfDirectory(atPath: folder.path)) ?? [] where Self.isLeftover(name) {
            try? fm.removeItem(at: folder.appendingPathComponent(name))
        }
    }

    /// Whether `name` is a staging or swap folder of a run (`.<experiment>.staging-<pid>`, `.<experiment>.old-<pid>`).
    static func isLeftover(_ name: String) -> Bool {
        name.hasPrefix(".") && (name.contains(".staging") || name.contains(".old"))
    }

    /// The staging folder of experiment folder `final` for this process.
    static func staging(for final: URL) -> URL {
        final.deletingLastPathComponent().appendingPathComponent(".\(final.lastPathComponent).staging-\(ProcessInfo.processInfo.processIdentifier)")
    }

    /// Checks, before any work, every path this run writes: the results folder of each experiment
    /// in `experimentIDs`, the cell folder and the chapter file; throws an ``UnwritablePaths``
    /// naming every one that cannot be written and why.
    func checkWritable(_ experimentIDs: [String]) throws {
        var targets: [(path: String, folder: Bool)] = [(WorkbenchPaths.cellCacheFolder(chapter.slug), true)]
        targets += experimentIDs.map { (WorkbenchPaths.outputFolder($0), true) }
        targets.append((chapter.filePath, false))
        let problems = targets.compactMap { t in FileProblem.unwritable(paths.url(t.path).path, folder: t.folder).map { (t.path, $0) } }
        if !problems.isEmpty { throw UnwritablePaths(problems: problems) }
    }

    /// Checks every `--input`: its name must be one the chapter reads (else the error lists them,
    /// with the closest as a suggestion) and its path must hold that data.
    func checkInputs() throws {
        for name in options.inputs.keys.sorted() {
            try Self.input(named: name, in: chapter).check(options.inputs[name]!)
        }
    }

    /// The input `chapter` reads under `name`; an unknown name is an error that lists the names it
    /// reads, with the closest as a suggestion.
    static func input(named name: String, in chapter: Chapter) throws -> ExperimentInput {
        let known = chapter.inputs
        guard let input = known.first(where: { $0.name == name }) else {
            let names = known.map(\.name)
            let hint = Suggestion.closest(to: name, in: names).map { " (did you mean \($0)?)" } ?? ""
            throw ConfigError(location: "--input", key: name,
                              problem: names.isEmpty ? "\(chapter.command) reads no inputs"
                                  : "unknown input\(hint); \(chapter.command) reads: " + known.map { "\($0.name) (\($0.what))" }.joined(separator: ", "))
        }
        return input
    }

    /// Reads the chapter file's markers before any work, so a malformed one is reported now.
    func checkMarkers() throws {
        let url = paths.url(chapter.filePath)
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch { throw FileError("read", chapter.filePath, error) }
        _ = try Literate.markers(in: text, file: chapter.filePath)
    }
}

/// Paths a run would write that cannot be written, each with the reason; found before any work.
struct UnwritablePaths: EnvironmentError {
    let problems: [(path: String, reason: String)]
    var description: String {
        problems.count == 1 ? "cannot write \(problems[0].path): \(problems[0].reason)"
            : "cannot write \(problems.count) paths:\n" + problems.map { "  \($0.path): \($0.reason)" }.joined(separator: "\n")
    }
}
