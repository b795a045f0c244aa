import Engine
import Experiments
import Foundation
import Support
import Synchronization

/// The helper processes of a parallel chapter run, started by the coordinator.
///
/// Each helper is the same executable with the run's own settings and `--helper N`: it walks the
/// chapter's pending experiments and computes the cells no other process holds (see
/// ``Experiments/CellCache/Sharing``), one engine thread each, while the coordinator does the
/// same and writes the results. A helper that fails only costs time: its cells are computed by
/// the coordinator (the kernel drops a dead process's cell locks). Helpers are in the
/// coordinator's process group, so Ctrl-C stops them too.
final class HelperProcesses: @unchecked Sendable {
    private let processes: [Process]
    private let say: (String) -> Void
    /// The coordinator's sharing of the cell folder: it widens to all cores once every helper is gone.
    let coordinatorSharing: CellCache.Sharing

    /// Starts `count` helpers and sets this process to one engine thread.
    init(count: Int, command: (executable: URL, arguments: [String]), say: @escaping (String) -> Void) throws {
        self.say = say
        let state = State(running: count)
        let cores = ProcessInfo.processInfo.activeProcessorCount
        coordinatorSharing = CellCache.Sharing(isCoordinator: true) {
            if state.running.load(ordering: .acquiring) == 0, !state.widened.exchange(true, ordering: .relaxed) { Parallel.setThreads(cores) }
        }
        precondition(count >= 1, "a run with helpers starts at least one")
        Parallel.setThreads(1)
        var started: [Process] = []
        for index in 1...count {
            let p = Process()
            p.executableURL = command.executable
            p.arguments = command.arguments + ["--helper", String(index)]
            p.terminationHandler = { _ in state.running.subtract(1, ordering: .releasing) }
            do { try p.run() } catch {
                started.forEach { $0.terminate() }
                throw RunnerError("cannot start helper \(index) (\(command.executable.path)): \(ExitStatus.message(error))")
            }
            started.append(p)
        }
        processes = started
        say("\(count) helper process\(count == 1 ? "" : "es") started (PID \(started.map { String($0.processIdentifier) }.joined(separator: ", "))); one engine thread per process")
    }

    /// Helpers still running, and whether the coordinator has widened to all cores.
    final class State: Sendable {
        let running: Atomic<Int>
        let widened = Atomic<Bool>(false)
        init(running: Int) { self.running = Atomic(running) }
    }

    /// Waits until every helper has exited; a helper that failed is reported (its cells were computed here).
    func waitForAll() {
        for (i, p) in processes.enumerated() {
            p.waitUntilExit()
            if p.terminationStatus != 0 {
                say("helper \(i + 1) exited with status \(p.terminationStatus); its remaining cells were computed here")
            }
        }
    }

    /// Stops every helper still running (after the coordinator failed) and waits for them.
    func stopAll() {
        for p in processes where p.isRunning { p.terminate() }
        for p in processes { p.waitUntilExit() }
    }
}

/// A failure of the run's environment (e.g. a helper that cannot be started).
struct RunnerError: EnvironmentError {
    let description: String
    init(_ description: String) { self.description = description }
}
