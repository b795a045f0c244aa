import Foundation
import Support
import Synchronization

/// A fork-join pool of persistent worker threads that spin briefly between jobs.
///
/// Training a small model issues thousands of short parallel ops per second; waking a sleeping
/// thread for each one (what `DispatchQueue.concurrentPerform` does) costs tens of microseconds,
/// a large share of an op that itself takes tens. Workers here poll an atomic job counter for
/// ``spinSeconds`` after each job and only then sleep on a semaphore, so back-to-back ops hand off
/// in well under a microsecond.
///
/// Protocol: the caller publishes a job (body and part count), bumps `generation`, wakes sleeping
/// workers, runs part 0 itself and waits until every worker has acknowledged the generation.
/// Worker `w` runs part `w` when `w < parts`. Because the caller waits for all workers before it
/// publishes again, no worker can miss or repeat a generation. A call made while a job is running
/// (nested, or from another thread) runs its parts serially on the calling thread.
final class _WorkerPool: @unchecked Sendable {
    /// Threads besides the caller.
    let workers: Int
    /// How long an idle worker polls before it sleeps.
    static let spinSeconds = 0.000_5

    private let generation = Atomic<Int>(0)
    private let pending = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    private let slots: [Slot]
    nonisolated(unsafe) private var job: ((Int) -> Void)?
    nonisolated(unsafe) private var parts = 0

    /// Starts `workers` threads.
    init(workers: Int) {
        self.workers = workers
        slots = (0..<workers).map { _ in Slot() }
        for w in 0..<workers {
            let t = Thread { [unowned self] in self.workerLoop(w) }
            t.name = "engine-worker-\(w + 1)"
            t.start()
        }
    }

    /// Runs `body(p)` for `p` in `0..<parts`, part 0 on the calling thread; returns when all are done.
    func run(parts: Int, _ body: (Int) -> Void) {
        if parts <= 1 || workers == 0 || !busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged {
            for p in 0..<max(parts, 1) { body(p) }
            return
        }
        let n = min(parts, workers + 1)
        withoutActuallyEscaping(body) { escaping in
            job = escaping
            self.parts = n
            pending.store(workers, ordering: .relaxed)
            generation.add(1, ordering: .sequentiallyConsistent)
            for w in 0..<workers where slots[w].sleeping.exchange(false, ordering: .sequentiallyConsistent) {
                slots[w].wake.signal()
            }
            escaping(0)
            while pending.load(ordering: .acquiring) != 0 {}
            job = nil
        }
        // Parts beyond the pool's size (a caller asking for more than `workers + 1`) run here.
        if parts > n { for p in n..<parts { body(p) } }
        busy.store(false, ordering: .releasing)
    }

    private func workerLoop(_ w: Int) {
        var seen = 0
        while true {
            var g = generation.load(ordering: .acquiring)
            if g == seen {
                let t0 = monotonicSeconds()
                var spins = 0
                while g == seen {
                    spins &+= 1
                    if spins & 255 == 0 && monotonicSeconds() - t0 > Self.spinSeconds {
                        slots[w].sleeping.store(true, ordering: .sequentiallyConsistent)
                        if generation.load(ordering: .sequentiallyConsistent) != seen {
                            // A job arrived meanwhile; if the caller already claimed our flag, its
                            // signal is (or will be) pending and must be consumed.
                            if !slots[w].sleeping.exchange(false, ordering: .sequentiallyConsistent) { slots[w].wake.wait() }
                        } else {
                            slots[w].wake.wait()
                        }
                        spins = 0
                    }
                    g = generation.load(ordering: .acquiring)
                }
            }
            seen = g
            if w + 1 < parts, let job { job(w + 1) }
            pending.subtract(1, ordering: .releasing)
        }
    }

    /// A worker's sleep flag and the semaphore that wakes it.
    private final class Slot: Sendable {
        let sleeping = Atomic<Bool>(false)
        let wake = DispatchSemaphore(value: 0)
    }
}
