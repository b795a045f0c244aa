import _OpenBLAS
import Foundation
import Support

/// The single entry point to `cblas_sgemm`, with counters for the benchmark.
///
/// All matrix products in the engine (linear layers, attention, their backward passes) go through
/// ``BLAS/gemm(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)`` so the time and floating-point
/// work spent inside BLAS can be measured.
public enum BLAS {
    /// Whether calls are timed (off by default; the benchmark turns it on).
    nonisolated(unsafe) public static var profiling = false
    /// Seconds spent inside sgemm while profiling.
    nonisolated(unsafe) public static var seconds: Double = 0
    /// Floating-point operations issued, always counted (a count depends only on shapes, so it is
    /// the same on every machine): 2·m·n·k per product; an attention region counts its full
    /// t × t score and value products per batch and head (4·t²·d forward), causal or not.
    nonisolated(unsafe) public static var flops: Double = 0
    /// Number of calls, always counted.
    nonisolated(unsafe) public static var calls: Int = 0

    /// Resets the counters.
    public static func resetCounters() { seconds = 0; flops = 0; calls = 0 }

    /// Sets the number of OpenBLAS threads (the engine keeps it at 1; see ``Parallel``).
    public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(n)) }
    /// The number of OpenBLAS threads.
    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// Adds time and work measured by a parallel region that called ``local(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``.
    static func record(seconds s: Double, flops f: Double, calls c: Int) {
        seconds += s; flops += f; calls += c
    }

    /// C = alpha · op(A) · op(B) + beta · C, row-major; large products are split by rows of C
    /// into ``Defaults/parallelSplits`` parts (whatever the thread count, since sgemm's kernel can
    /// depend on the block's size). Call from serial code only (it updates the counters).
    @inline(__always)
    static func gemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
                     a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                     beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m == 0 || n == 0 { return }
        Parallel.setUp()
        let t0 = profiling ? monotonicSeconds() : 0
        let work = m * n * k
        let parts = work >= Defaults.gemmSplitWork ? min(Defaults.parallelSplits, max(1, m / 16)) : 1
        if parts <= 1 {
            local(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        } else {
            Parallel.run(parts: parts) { p in
                let r0 = (p * m / parts) & ~7, r1 = p == parts - 1 ? m : ((p + 1) * m / parts) & ~7
                let aOff = transA ? r0 : r0 * lda
                local(transA: transA, transB: transB, m: r1 - r0, n: n, k: k, alpha: alpha, a: a + aOff, lda: lda,
                      b: b, ldb: ldb, beta: beta, c: c + r0 * ldc, ldc: ldc)
            }
        }
        if profiling { seconds += monotonicSeconds() - t0 }
        flops += 2 * Double(m) * Double(n) * Double(k)
        calls += 1
    }

    /// Runs `body` over chunks of `0..<n` in parallel (see ``Parallel/forChunks(_:work:_:)``); the
    /// body adds the seconds it spends in ``local(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``
    /// to its `inout` argument, and the mean over chunks (≈ wall time) is counted with `flops`.
    static func parallelRegion(_ n: Int, work: Int, flops f: Double, _ body: (Range<Int>, inout Double) -> Void) {
        Parallel.setUp()
        let times = UnsafeMutablePointer<Double>.allocate(capacity: Defaults.parallelSplits)
        defer { times.deallocate() }
        var used = 1
        Parallel.forChunks(n, work: work) { chunk, chunks, range in
            var t: Double = 0
            body(range, &t)
            times[chunk] = t
            if chunk == 0 { used = chunks }
        }
        var s: Double = 0
        if profiling { for i in 0..<used { s += times[i] } }
        record(seconds: s / Double(used), flops: f, calls: 1)
    }

    /// A monotonic time stamp while profiling, 0 otherwise (so unprofiled runs pay no clock reads).
    @inline(__always) static func stamp() -> Double { profiling ? monotonicSeconds() : 0 }

    /// Single-threaded sgemm on the calling thread, without counters (for parallel regions).
    @inline(__always)
    static func local(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
                      a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                      beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m <= 0 || n <= 0 { return }
        if k == 0 {
            if beta == 0 { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) } }
            return
        }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}
