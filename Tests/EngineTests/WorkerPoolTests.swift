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

    /// A training step gives the same bits on one thread and on two, by construction: a product
    /// split by rows and a reduction over chunks are cut into `Defaults.parallelSplits` parts
    /// whatever the thread count (one thread runs the same sgemm calls on the same blocks, one
    /// after the other), and elementwise ops compute each element the same way in any range. This
    /// is what lets a chapter's helper processes (one thread each) compute its cells.
    ///
    /// Sizes are chosen so that every split happens: the products exceed `Defaults.gemmSplitWork`,
    /// the loss and layer norm exceed twice `Defaults.parallelGrain`, and attention runs its heads
    /// in chunks.
    func testATrainingStepDoesNotDependOnTheThreadCount() {
        let rng = SeededGeneratorBox(seed: 3)
        let x = Tensor.randn([4, 160, 64], rng: rng)
        let qkvWeight = Tensor.randn([192, 64], rng: rng, requiresGrad: true)
        let lnWeight = Tensor.randn([64], rng: rng, requiresGrad: true), lnBias = Tensor.randn([64], rng: rng, requiresGrad: true)
        let head = Tensor.randn([300, 64], rng: rng, requiresGrad: true)
        var targetRNG = SeededGenerator(seed: 5)
        let targets = (0..<(4 * 160)).map { _ in Int(targetRNG.next() % 300) }
        XCTAssertGreaterThanOrEqual(4 * 160 * 192 * 64, 2 * Defaults.gemmSplitWork)
        XCTAssertGreaterThanOrEqual(4 * 4 * 160 * 300, 2 * Defaults.parallelGrain)
        func step() -> [[UInt32]] {
            for p in [qkvWeight, lnWeight, lnBias, head] { p.zeroGrad() }
            let h = Tensor.layerNorm(x, weight: lnWeight, bias: lnBias)
            let attended = Tensor.causalSelfAttention(Tensor.linear(h, weight: qkvWeight, bias: nil), heads: 4, block: Defaults.attentionBlock)
            let logits = Tensor.linear(attended.gelu(), weight: head, bias: nil)
            let loss = Loss.crossEntropy(logits, targets: targets)
            loss.backward()
            return [loss.scalars, logits.scalars, qkvWeight.grad!, lnWeight.grad!, lnBias.grad!, head.grad!].map { $0.map(\.bitPattern) }
        }
        let before = Parallel.threads
        defer { Parallel.setThreads(before) }
        Parallel.setThreads(1)
        let one = step()
        Parallel.setThreads(2)
        let two = step()
        Parallel.setThreads(1)
        let oneAgain = step()
        for (name, (a, b)) in zip(["loss", "logits", "qkv gradient", "norm weight gradient", "norm bias gradient", "head gradient"], zip(one, two)) {
            XCTAssertTrue(a == b, "\(name): one thread and two differ in \(zip(a, b).filter { $0 != $1 }.count) of \(a.count) values")
        }
        XCTAssertTrue(one == oneAgain, "one thread, run again, differs")
    }
}
