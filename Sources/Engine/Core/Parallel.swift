import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Intra-op parallelism: ops split their work into contiguous ranges run on ``threads`` threads.
///
/// OpenBLAS itself is kept single-threaded (its worker threads spin between calls and steal the
/// cores from the elementwise code); large products are split by rows here instead, and the
/// per-head attention products run in parallel. Parts run on a ``_WorkerPool`` of spinning threads.
/// Results do not depend on the thread count: an op whose arithmetic depends on where its work is
/// cut (a product split by rows, a reduction over chunks) is cut into ``Defaults/parallelSplits``
/// parts however many threads run them, and every other op computes each element the same way
/// whichever range it falls in. So a run with one thread (a helper process of a parallel chapter
/// run) gives the same bits as one with two.
public enum Parallel {
    /// Number of threads ops may use (default: the machine's active processors).
    nonisolated(unsafe) public private(set) static var threads = ProcessInfo.processInfo.activeProcessorCount
    /// Work items (roughly elements) below which an op stays on the calling thread.
    public static let minWorkPerThread = Defaults.parallelGrain

    /// Sets the thread count for ops (and keeps OpenBLAS single-threaded).
    public static func setThreads(_ n: Int) {
        threads = max(1, n)
        setUp()
        if pool.workers < threads - 1 { pool = _WorkerPool(workers: threads - 1) }
    }

    /// The worker threads behind ``run(parts:_:)`` (created on first use).
    nonisolated(unsafe) static var pool = _WorkerPool(workers: max(0, threads - 1))

    /// Runs `body(p)` for every part `p` in `0..<parts` on up to ``threads`` threads (part 0 on
    /// this one) and returns when all are done.
    @inline(__always)
    static func run(parts: Int, _ body: (Int) -> Void) {
        if parts <= 1 { body(0); return }
        pool.run(parts: parts, body)
    }

    /// One-time process set-up: single-threaded OpenBLAS, and a malloc that keeps large freed
    /// blocks for reuse instead of returning them to the kernel (which costs page faults every step).
    static let setUpOnce: Void = {
        BLAS.setThreads(1)
        #if os(Linux)
        _ = glibcMallopt(-3, 32 << 20)  // M_MMAP_THRESHOLD (glibc maximum)
        _ = glibcMallopt(-1, 1 << 30)  // M_TRIM_THRESHOLD
        #endif
    }()

    /// Runs the one-time set-up (idempotent).
    @inline(__always) public static func setUp() { _ = setUpOnce }

    /// Calls `body` on `chunks` disjoint sub-ranges covering `0..<n` (one chunk per thread when
    /// `work`, the op's total size, is large enough; otherwise one call on this thread).
    @inline(__always)
    static func forRanges(_ n: Int, work: Int, _ body: (Range<Int>) -> Void) {
        let parts = min(threads, n, max(1, work / minWorkPerThread))
        if parts <= 1 { body(0..<n); return }
        run(parts: parts) { p in
            body((p * n / parts)..<((p + 1) * n / parts))
        }
    }

    /// Like ``forRanges(_:work:_:)`` but also passes the chunk index and the number of chunks,
    /// which is at most ``Defaults/parallelSplits`` and does not depend on ``threads`` (callers
    /// may combine per-chunk partial results, so the cut must not move with the thread count).
    @inline(__always)
    static func forChunks(_ n: Int, work: Int, _ body: (_ chunk: Int, _ chunks: Int, Range<Int>) -> Void) {
        let parts = min(Defaults.parallelSplits, n, max(1, work / minWorkPerThread))
        if parts <= 1 { body(0, 1, 0..<n); return }
        run(parts: parts) { p in
            body(p, parts, (p * n / parts)..<((p + 1) * n / parts))
        }
    }
}

#if os(Linux)
/// glibc's `mallopt` (declared in <malloc.h>, which the Glibc module does not export).
@_silgen_name("mallopt") private func glibcMallopt(_ param: Int32, _ value: Int32) -> Int32
#endif
