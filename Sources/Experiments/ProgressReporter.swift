import Foundation
import Support

/// Prints progress lines (step, detail, elapsed, ETA) to standard error, at most twice a second.
///
/// The ETA weighs each unit by its expected cost (`weight`, e.g. a model's steps per sequence) and
/// leaves out units that cost nothing here (read back from another process or an interrupted run),
/// so a phase of unequal cells, or one that resumes, does not jump.
public final class ProgressReporter {
    private let label: String
    private let quiet: Bool
    private var total = 1
    private var done = 0
    private var totalWeight = 1.0, doneWeight = 0.0, freeWeight = 0.0
    private var stopwatch = Stopwatch()
    private var lastPrint = -Double.infinity

    /// Creates a reporter whose lines start with `[label]`; `quiet` silences it (tests).
    public init(label: String, quiet: Bool = false) {
        self.label = label; self.quiet = quiet
    }

    /// Starts a new phase of `total` units of work weighing `weight` together (default: one each).
    public func begin(total: Int, weight: Double? = nil, _ what: String) {
        self.total = max(1, total); done = 0; stopwatch = Stopwatch(); lastPrint = -.infinity
        totalWeight = max(weight ?? Double(self.total), .leastNormalMagnitude); doneWeight = 0; freeWeight = 0
        say("\(what) (\(total) steps)")
    }

    /// Marks one unit done; `detail` says what (e.g. `seed 3 · fraction 1 %`), `loss` when training,
    /// `weight` its share of the phase's weight, `free` when it cost no time here (read back).
    public func step(_ detail: String, loss: Double? = nil, weight: Double = 1, free: Bool = false) {
        done += 1
        doneWeight += weight
        if free { freeWeight += weight }
        let elapsed = stopwatch.elapsed
        guard done == total || elapsed - lastPrint >= 0.5 else { return }
        lastPrint = elapsed
        let eta = Self.eta(elapsed: elapsed, done: doneWeight, free: freeWeight, total: totalWeight)
        var line = "\(done)/\(total) (\(100 * done / total)%) · \(detail)"
        if let loss { line += String(format: " · loss %.4g", loss) }
        line += " · \(Self.clock(elapsed)) elapsed · ETA \(eta.map(Self.clock) ?? "unknown")"
        say(line)
    }

    /// Prints a free-form line.
    public func say(_ message: String) {
        guard !quiet else { return }
        FileHandle.standardError.write(Data("[\(label)] \(message)\n".utf8))
    }

    /// Seconds left at the rate the paid-for weight went: `(total − done) · elapsed / (done − free)`;
    /// `nil` while nothing has been computed here.
    static func eta(elapsed: Double, done: Double, free: Double, total: Double) -> Double? {
        let paid = done - free
        guard paid > 0 else { return done >= total ? 0 : nil }
        return max(0, total - done) * elapsed / paid
    }

    static func clock(_ s: Double) -> String {
        let t = Int(s.rounded())
        return t >= 3600 ? String(format: "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60) : String(format: "%d:%02d", t / 60, t % 60)
    }
}
