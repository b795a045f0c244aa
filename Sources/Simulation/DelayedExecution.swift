import Foundation

/// Which action of which chunk a robot runs at each control step when computing a chunk takes
/// `delay` steps: the bookkeeping of synchronous, naive asynchronous and real-time-chunking
/// execution (Black et al. 2025).
///
/// A chunk holds `chunkLength` actions, index 0 planned for the step its observation was taken.
/// Each chunk runs `executed` actions before the next one takes over.
/// - Synchronous: the robot waits while a chunk is computed (`delay` idle steps), then runs the
///   chunk's first `executed` actions and asks for the next one from where it stands.
/// - Asynchronous (naive, and real-time chunking): the next chunk is asked for `delay` steps before
///   the current one has run its `executed` actions, so it arrives just in time; since its
///   observation is `delay` steps old by then, it runs from index `delay`. Only the first chunk
///   is waited for. Naive execution switches chunks as they come; real-time chunking also makes
///   the first `delay` actions of the new chunk equal the ones the old chunk runs meanwhile
///   (``frozenPrefix(of:)``, inpainted with the weights of ``softMask``). Both need
///   `delay <= executed <= chunkLength - delay`, as the reference states.
public struct DelayedExecution: Sendable, Equatable {
    /// How chunks follow each other.
    public enum Strategy: String, Sendable, CaseIterable {
        case synchronous
        case naiveAsynchronous = "naive-async"
        case realTimeChunking = "rtc"

        public var isAsynchronous: Bool { self != .synchronous }
    }

    /// One control step's action: index `index` of chunk `chunk`.
    public struct Slot: Sendable, Equatable, CustomStringConvertible {
        public let chunk: Int, index: Int
        public init(chunk: Int, index: Int) { self.chunk = chunk; self.index = index }
        public var description: String { "\(chunk):\(index)" }
    }

    public let strategy: Strategy
    /// Actions per chunk (H), control steps a chunk takes to compute (d), actions run per chunk (s).
    public let chunkLength: Int, delay: Int, executed: Int

    /// Throws ``SimulationError`` naming the setting when the schedule cannot hold.
    public init(strategy: Strategy, chunkLength: Int, delay: Int, executed: Int) throws {
        guard chunkLength >= 1 else { throw SimulationError.invalid("chunk_length", "expected at least 1, found \(chunkLength)") }
        guard delay >= 0 else { throw SimulationError.invalid("delay", "expected at least 0, found \(delay)") }
        if strategy.isAsynchronous {
            guard delay <= executed, executed <= chunkLength - delay, executed >= 1 else {
                throw SimulationError.invalid("executed", "\(strategy.rawValue) needs delay <= executed <= chunk_length - delay and executed >= 1; found delay \(delay), executed \(executed), chunk_length \(chunkLength)")
            }
        } else {
            guard (1...chunkLength).contains(executed) else {
                throw SimulationError.invalid("executed", "expected 1...\(chunkLength) (the chunk's length), found \(executed)")
            }
        }
        self.strategy = strategy; self.chunkLength = chunkLength; self.delay = delay; self.executed = executed
    }

    /// The step at which chunk `k`'s observation is taken (and its computation starts).
    public func requestStep(of k: Int) -> Int {
        strategy.isAsynchronous ? k * executed : k * (delay + executed)
    }

    /// The step at which chunk `k`'s first action runs.
    public func firstStep(of k: Int) -> Int {
        strategy.isAsynchronous ? delay + k * executed : k * (delay + executed) + delay
    }

    /// The index of chunk `k`'s first action run: 0 when the robot waited for it, else `delay`.
    public func firstIndex(of k: Int) -> Int {
        strategy.isAsynchronous && k > 0 ? delay : 0
    }

    /// What runs at step `t`: a chunk's action, or nil while the robot waits.
    public func slot(at t: Int) -> Slot? {
        precondition(t >= 0, "steps start at 0")
        if strategy.isAsynchronous {
            guard t >= delay else { return nil }
            let k = (t - delay) / executed
            return Slot(chunk: k, index: firstIndex(of: k) + (t - firstStep(of: k)))
        }
        let cycle = delay + executed, k = t / cycle, within = t % cycle
        return within < delay ? nil : Slot(chunk: k, index: within - delay)
    }

    /// Steps `0..<steps`, each with its slot.
    public func schedule(steps: Int) -> [Slot?] { (0..<max(steps, 0)).map(slot(at:)) }

    /// Real-time chunking's frozen prefix of chunk `k >= 1`: for each of its first `delay` indices,
    /// the index of chunk `k - 1` that runs at the same step (the action it must equal).
    public func frozenPrefix(of k: Int) -> [(index: Int, previousIndex: Int)] {
        guard strategy.isAsynchronous, k >= 1 else { return [] }
        return (0..<delay).map { j in (j, firstIndex(of: k - 1) + executed - delay + j) }
    }

    /// Real-time chunking's inpainting weight of each index of a new chunk, as the paper defines
    /// it: 1 for the `delay` frozen actions, then an exponential decay over the actions the old
    /// chunk still planned, `c (e^c - 1) / (e - 1)` with `c = (H - s - i) / (H - s - d + 1)`,
    /// and 0 from `H - s` on (where the old chunk has no plan).
    public var softMask: [Double] {
        let h = chunkLength, s = executed, d = delay
        return (0..<h).map { i in
            if i < d { return 1 }
            guard i < h - s else { return 0 }
            let c = Double(h - s - i) / Double(h - s - d + 1)
            return c * (exp(c) - 1) / (exp(1) - 1)
        }
    }
}

/// A simulation setting that cannot work, named.
public enum SimulationError: Error, CustomStringConvertible, Equatable {
    case invalid(String, String)

    public var description: String {
        switch self {
        case let .invalid(key, problem): return "key '\(key)': \(problem)"
        }
    }
}
