#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Seconds from a monotonic clock: the one clock of the workbench.
///
/// Only differences mean anything (durations); the clock never jumps with the wall clock. Timings
/// never enter a result a verdict, the cache or `workbench verify` reads.
@inlinable @inline(__always) public func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Elapsed wall-clock seconds on the monotonic clock (``monotonicSeconds()``).
///
/// `Stopwatch()` starts one; ``elapsed`` reads it. ``seconds(_:)`` times a closure.
public struct Stopwatch: Sendable {
    /// When the stopwatch started, in ``monotonicSeconds()``.
    public let start: Double

    /// A stopwatch started now.
    public init() { start = monotonicSeconds() }

    /// Seconds since the start.
    public var elapsed: Double { monotonicSeconds() - start }

    /// The seconds `body` takes.
    public static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let watch = Stopwatch()
        try body()
        return watch.elapsed
    }

    /// How many `items` per second `body` processes (it processes all of them each call), calling
    /// it repeatedly for at least `seconds`; with `warmUp`, one untimed call first.
    public static func rate(items: Int, atLeast seconds: Double, warmUp: Bool = false, _ body: () throws -> Void) rethrows -> Double {
        if warmUp { try body() }
        var runs = 0
        let watch = Stopwatch()
        repeat { try body(); runs += 1 } while watch.elapsed < seconds
        return Double(runs * items) / watch.elapsed
    }
}
