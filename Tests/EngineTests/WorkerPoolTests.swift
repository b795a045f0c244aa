import Foundation
import Support
import Synchronization
import XCTest
@testable import Engine

/// The fork-join pool behind ``Parallel``: every part runs exactly once, on as many threads as it
/// has workers, also when calls come back to back, nested, from other threads, or after the
/// workers have gone to sleep.
final class WorkerPoolTests: XCTestCase {
    /// Counts how often each part ran (atomically, since parts run on different threads).
    final class Counts: @unchecked Sendable {
        let hits: UnsafeMutablePointer<Int>
        let n: Int
        let lock = NSLock()
        init(_ n: Int) { self.n = n; hits = .allocate(capacity: n); hits.initialize(repeating: 0, count: n) }
        deinit { hits.deallocate() }
        func hit(_ p: Int) { lock.lock(); hits[p] += 1; lock.unlock() }
        var all: [Int] { (0..<n).map { hits[$0] } }
    }

    func testEveryPartRunsExactlyOnceBackToBack() {
        let pool = _WorkerPool(workers: 3)
        for parts in [2, 3, 4, 7] {
            let counts = Counts(parts)
            for _ in 0..<2_000 { pool.run(parts: parts) { counts.hit($0) } }
            XCTAssertEqual(counts.all, Array(repeating: 2_000, count: parts), "parts \(parts)")
        }
    }

    func testPartsRunOnSeveralThreads() {
        let pool = _WorkerPool(workers: 1)
        let names = NSLock()
        var threads = Set<String>()
        for _ in 0..<50 {
            pool.run(parts: 2) { _ in
                // Long enough that the caller cannot finish both parts before the worker starts.
                let t0 = monotonicSeconds(); while monotonicSeconds() - t0 < 0.000_2 {}
                names.lock(); threads.insert("\(pthread_self())"); names.unlock()
            }
        }
        XCTAssertEqual(threads.count, 2)
    }

    func testWakesWorkersThatWentToSleep() {
        let pool = _WorkerPool(workers: 2)
        let counts = Counts(3)
        for _ in 0..<5 {
            Thread.sleep(forTimeInterval: 20 * _WorkerPool.spinSeconds)  // workers stop spinning and sleep
            pool.run(parts: 3) { counts.hit($0) }
        }
        XCTAssertEqual(counts.all, [5, 5, 5])
    }

    func testNestedAndConcurrentCallsRunSerially() {
        let pool = _WorkerPool(workers: 1)
        let inner = Counts(4)
        pool.run(parts: 2) { _ in pool.run(parts: 2) { q in inner.hit(q) } }
        XCTAssertEqual(inner.all, [2, 2, 0, 0])
        // Four threads share one pool; whoever finds it busy runs its parts itself.
        let counts = Counts(4)
        DispatchQueue.concurrentPerform(iterations: 4) { t in
            for _ in 0..<500 { pool.run(parts: 2) { p in _ = p; counts.hit(t) } }
        }
        XCTAssertEqual(counts.all, [1_000, 1_000, 1_000, 1_000])
    }

    /// A split elementwise op gives the same bytes on one thread and on two (each element is
    /// computed by the same loop either way); a split sgemm stays within the product's bound.
    ///
    /// The split product hands OpenBLAS blocks of rows, and how a kernel orders a block's sums is
    /// the kernel's choice (equal bits on one Intel kernel, not on AMD's Haswell kernel). Each
    /// result of a length-k product is within γ_k·(|A|·|W|ᵀ) of the exact value (Higham §3.1),
    /// so the two differ by at most 2γ_k of that envelope, plus GELU's rounding (GELU's slope is
    /// below 1.13).
    func testParallelResultsDoNotDependOnTheThreadCount() {
        let rng = SeededGeneratorBox(seed: 3)
        let a = Tensor.randn([700, 64], rng: rng), w = Tensor.randn([96, 64], rng: rng)  // 4.3M multiply-adds: split
        let before = Parallel.threads
        defer { Parallel.setThreads(before) }
        Parallel.setThreads(1)
        let product1 = Tensor.linear(a, weight: w, bias: nil)
        let one = product1.gelu().scalars
        Parallel.setThreads(2)
        let product2 = Tensor.linear(a, weight: w, bias: nil)
        let two = product2.gelu().scalars
        Parallel.setThreads(1)
        let elementwiseOne = product2.gelu().scalars
        XCTAssertEqual(elementwiseOne, two, "the elementwise op is split but computes each element the same way")
        let k = 64, u = 0x1p-24, gamma = Double(k) * u / (1 - Double(k) * u)
        let av = a.scalars, wv = w.scalars
        for r in 0..<700 {
            for c in 0..<96 {
                var envelope = 0.0
                for l in 0..<k { envelope += abs(Double(av[r * k + l]) * Double(wv[c * k + l])) }
                let i = r * 96 + c
                let bound = 1.13 * 2 * gamma * envelope + 4 * u * abs(Double(one[i]))
                XCTAssertLessThanOrEqual(abs(Double(one[i]) - Double(two[i])), bound, "row \(r), column \(c)")
            }
        }
    }
}
