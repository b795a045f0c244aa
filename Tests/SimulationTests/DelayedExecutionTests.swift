import Foundation
import XCTest
@testable import Simulation

/// The delayed-execution bookkeeping, checked by hand on chunks of 6 actions with 3 run per chunk.
final class DelayedExecutionTests: XCTestCase {
    /// `"k:i"` for chunk k's index i, `"-"` while the robot waits.
    func plan(_ strategy: DelayedExecution.Strategy, delay: Int, steps: Int = 10) throws -> [String] {
        try DelayedExecution(strategy: strategy, chunkLength: 6, delay: delay, executed: 3).schedule(steps: steps).map { $0?.description ?? "-" }
    }

    func testSynchronousExecutionWaitsForEveryChunk() throws {
        XCTAssertEqual(try plan(.synchronous, delay: 0), ["0:0", "0:1", "0:2", "1:0", "1:1", "1:2", "2:0", "2:1", "2:2", "3:0"])
        XCTAssertEqual(try plan(.synchronous, delay: 1), ["-", "0:0", "0:1", "0:2", "-", "1:0", "1:1", "1:2", "-", "2:0"])
        XCTAssertEqual(try plan(.synchronous, delay: 2), ["-", "-", "0:0", "0:1", "0:2", "-", "-", "1:0", "1:1", "1:2"])
        let e = try DelayedExecution(strategy: .synchronous, chunkLength: 6, delay: 2, executed: 3)
        XCTAssertEqual((0..<3).map(e.requestStep(of:)), [0, 5, 10])
        XCTAssertTrue(e.frozenPrefix(of: 1).isEmpty)
    }

    /// Asynchronous: the next chunk is asked for `delay` steps early and runs from index `delay`.
    func testAsynchronousExecutionRunsTheNewChunkFromItsDelay() throws {
        for strategy in [DelayedExecution.Strategy.naiveAsynchronous, .realTimeChunking] {
            XCTAssertEqual(try plan(strategy, delay: 0), ["0:0", "0:1", "0:2", "1:0", "1:1", "1:2", "2:0", "2:1", "2:2", "3:0"])
            XCTAssertEqual(try plan(strategy, delay: 1), ["-", "0:0", "0:1", "0:2", "1:1", "1:2", "1:3", "2:1", "2:2", "2:3"])
            XCTAssertEqual(try plan(strategy, delay: 2), ["-", "-", "0:0", "0:1", "0:2", "1:2", "1:3", "1:4", "2:2", "2:3"])
            let e = try DelayedExecution(strategy: strategy, chunkLength: 6, delay: 2, executed: 3)
            XCTAssertEqual((0..<3).map(e.requestStep(of:)), [0, 3, 6])
        }
    }

    /// Each frozen index of the new chunk equals the old chunk's action at the same step.
    func testFrozenPrefixPairsTheActionsThatRunAtTheSameStep() throws {
        for delay in 0...3 {
            let e = try DelayedExecution(strategy: .realTimeChunking, chunkLength: 6, delay: delay, executed: 3)
            for k in 1...3 {
                let prefix = e.frozenPrefix(of: k)
                XCTAssertEqual(prefix.count, delay)
                for (j, previous) in prefix {
                    let step = e.requestStep(of: k) + j  // index j of chunk k is planned for this step
                    XCTAssertEqual(e.slot(at: step), .init(chunk: k - 1, index: previous), "delay \(delay), chunk \(k), index \(j)")
                }
            }
        }
        let e = try DelayedExecution(strategy: .realTimeChunking, chunkLength: 6, delay: 1, executed: 3)
        XCTAssertEqual(e.frozenPrefix(of: 1).map(\.previousIndex), [2])
        XCTAssertEqual(e.frozenPrefix(of: 2).map(\.previousIndex), [3])
    }

    /// The soft mask by hand: H 6, d 1, s 3: 1, then c = 2/3 and 1/3 through c (e^c - 1) / (e - 1), then 0.
    func testSoftMaskByHand() throws {
        let e = try DelayedExecution(strategy: .realTimeChunking, chunkLength: 6, delay: 1, executed: 3)
        let w = { (c: Double) in c * (exp(c) - 1) / (exp(1) - 1) }
        let expected = [1, w(2.0 / 3), w(1.0 / 3), 0, 0, 0]
        for (got, want) in zip(e.softMask, expected) { XCTAssertEqual(got, want, accuracy: 1e-15) }
        XCTAssertEqual(e.softMask.count, 6)
    }

    /// Settings the schedule cannot hold are refused, naming the key.
    func testImpossibleSettingsAreRefused() {
        XCTAssertThrowsError(try DelayedExecution(strategy: .realTimeChunking, chunkLength: 6, delay: 4, executed: 3)) {
            XCTAssertTrue("\($0)".contains("key 'executed'"), "\($0)")
        }
        XCTAssertThrowsError(try DelayedExecution(strategy: .naiveAsynchronous, chunkLength: 6, delay: 2, executed: 5))
        XCTAssertThrowsError(try DelayedExecution(strategy: .synchronous, chunkLength: 6, delay: 2, executed: 7))
        XCTAssertThrowsError(try DelayedExecution(strategy: .synchronous, chunkLength: 6, delay: -1, executed: 3)) {
            XCTAssertTrue("\($0)".contains("key 'delay'"), "\($0)")
        }
        XCTAssertNoThrow(try DelayedExecution(strategy: .synchronous, chunkLength: 6, delay: 5, executed: 6))
    }
}
