import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The record of differentiable operations run on this thread since the last backward pass.
///
/// Ops append their results (only those that need gradients) in execution order; ``Tensor/backward()``
/// walks the list in reverse, calls each backward closure, then releases the whole tape so memory
/// does not grow with the number of training steps. Each thread has its own tape.
public final class Tape {
    /// Recorded results, in forward order.
    var nodes: [Tensor] = []
    /// Whether ops record themselves (false inside ``Tape/noGrad(_:)``).
    public internal(set) var gradEnabled = true

    /// The calling thread's tape.
    public static var current: Tape {
        if let raw = pthread_getspecific(tapeKey) { return Unmanaged<Tape>.fromOpaque(raw).takeUnretainedValue() }
        let tape = Tape()
        pthread_setspecific(tapeKey, Unmanaged.passRetained(tape).toOpaque())
        return tape
    }

    /// Number of recorded nodes (for tests of memory release).
    public var count: Int { nodes.count }

    /// Runs `body` without recording anything (inference).
    public static func noGrad<T>(_ body: () throws -> T) rethrows -> T {
        let tape = current
        let old = tape.gradEnabled
        tape.gradEnabled = false
        defer { tape.gradEnabled = old }
        return try body()
    }

    /// Forgets every recorded node without running backward (e.g. after an evaluation forward).
    public func reset() {
        for n in nodes { n.backwardFn = nil }
        nodes.removeAll(keepingCapacity: true)
    }

    /// Records `out` with its backward closure when any input needs gradients; returns `out`.
    @inline(__always) static func record(_ out: Tensor, inputs: [Tensor], backward: @escaping (Tensor) -> Void) -> Tensor {
        let tape = current
        guard tape.gradEnabled, inputs.contains(where: { $0.requiresGrad }) else { return out }
        out.requiresGrad = true
        out.backwardFn = backward
        tape.nodes.append(out)
        return out
    }
}

private let tapeKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key) { raw in
        #if os(Linux)
        if let raw { Unmanaged<Tape>.fromOpaque(raw).release() }
        #else
        Unmanaged<Tape>.fromOpaque(raw).release()
        #endif
    }
    return key
}()

extension Tensor {
    /// Back-propagates from this tensor (seeded with ones) through the tape, accumulating into
    /// every `requiresGrad` tensor's gradient, then releases the tape.
    public func backward() {
        let tape = Tape.current
        let g = gradPtr()
        for i in 0..<count { g[i] = 1 }
        for node in tape.nodes.reversed() where node.gradStorage != nil {
            node.backwardFn?(node)
        }
        tape.reset()
    }
}
