import Foundation
import Support

/// Prints progress lines (step, detail, elapsed, ETA) to standard error, at most twice a second.
public final class ProgressReporter {
    private let label: String
    private let quiet: Bool
    private var total = 1
    private var done = 0
    private var stopwatch = Stopwatch()
    private var lastPrint = -Double.infinity

    /// Creates a reporter whose lines start with `[label]`; `quiet` silences it (tests).
    public init(label: String, quiet: Bool = false) {
        self.label = label; self.quiet = quiet
    }

    /// Starts a new phase of `total` units of work.
    public func begin(total: Int, _ what: String) {
        self.total = max(1, total); done = 0; stopwatch = Stopwatch(); lastPrint = -.infinity
        say("\(what) (\(total) steps)")
    }

    /// Marks one unit done; `detail` says what (e.g. `seed 3 · fraction 1 %`), `loss` when training.
    public func step(_ detail: String, loss: Double? = nil) {
        done += 1
        let elapsed = stopwatch.elapsed
        guard done == total || elapsed - lastPrint >= 0.5 else { return }
        lastPrint = elapsed
        let eta = elapsed / Double(done) * Double(total - done)
        var line = "\(done)/\(total) (\(100 * done / total)%) · \(detail)"
        if let loss { line += String(format: " · loss %.4g", loss) }
        line += " · \(Self.clock(elapsed)) elapsed · ETA \(Self.clock(eta))"
        say(line)
    }

    /// Prints a free-form line.
    public func say(_ message: String) {
        guard !quiet else { return }
        FileHandle.standardError.write(Data("[\(label)] \(message)\n".utf8))
    }

    static func clock(_ s: Double) -> String {
        let t = Int(s.rounded())
        return t >= 3600 ? String(format: "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60) : String(format: "%d:%02d", t / 60, t % 60)
    }
}
