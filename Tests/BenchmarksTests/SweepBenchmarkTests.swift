import Experiments
import Support
import Foundation
import XCTest
@testable import Benchmarks

/// The sweep benchmark times what the chapter runs: the frequency sweep's cells for one seed.
final class SweepBenchmarkTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The workload is every contender at every rate of the profile, read from the experiment
    /// file (oracle: the file's own resolved parameters), for the one seed asked; --train-steps
    /// shortens every model and cuts its warm-up to fit, and costs are steps per sequence.
    func testWorkloadIsTheProfilesSweepForOneSeed() throws {
        let file = try ExperimentFile(root: Self.root, path: SweepBenchmark.experimentFile)
        for profile in [Profile.smoke, .quick] {
            let p = try ParameterReader(file.resolved(profile), location: "test")
            let rates = try p.ints("rates_steps", in: 2...100_000).sorted()
            let tokenizers = try p.strings("tokenizers"), policies = try p.strings("policies", default: [])
            let w = try SweepBenchmark.workload(root: Self.root, profile: profile, seed: 7)
            XCTAssertEqual(w.count, rates.count * (tokenizers.count + policies.count))
            XCTAssertEqual(Set(w.tokens.map { "\($0.name)@\($0.steps)" }), Set(rates.flatMap { r in tokenizers.map { "\($0)@\(r)" } }))
            XCTAssertEqual(Set(w.methods.map { "\($0.name)@\($0.steps)" }), Set(rates.flatMap { r in policies.map { "\($0)@\(r)" } }))
            XCTAssertTrue((w.tokens + w.methods).allSatisfy { $0.seed == 7 })
            XCTAssertEqual(w.costs, (w.tokens + w.methods).map { Double($0.steps) })
            XCTAssertEqual(w.baseline, try p.string("baseline"))
            let short = try SweepBenchmark.workload(root: Self.root, profile: profile, seed: 7, trainSteps: 3)
            XCTAssertEqual(short.setup.policy.trainingSteps, 3)
            XCTAssertLessThanOrEqual(short.setup.policy.warmupSteps, 3)
            XCTAssertEqual(short.labels, w.labels)
        }
    }

    /// Cells per hour and the speed-up follow from the timings; the comparison and each memory
    /// probe are reported as measured.
    func testReportStatesRatesSpeedUpIdentityAndMemory() throws {
        let w = try SweepBenchmark.workload(root: Self.root, profile: .smoke, seed: 1)
        let report = SweepBenchmark.report(workload: w, profile: .smoke, trainSteps: 5,
                                           serial: .init(seconds: 300, cells: 20), parallel: .init(seconds: 200, cells: 20),
                                           workers: 2, threads: 2, identical: true,
                                           memory: [(25, 260 * 1_048_576, nil), (800, nil, "the probe failed: out of memory")], memorySteps: 3)
        XCTAssertTrue(report.contains("serial (1 process, 2 engine threads): 300 s, 240.0 cells per hour"), report)
        XCTAssertTrue(report.contains("parallel (2 processes, 1 engine thread each): 200 s, 360.0 cells per hour; speed-up 1.50x; results identical"), report)
        XCTAssertTrue(report.contains("  25: 260 MB"), report)
        XCTAssertTrue(report.contains("  800: unknown (the probe failed: out of memory)"), report)
        XCTAssertTrue(report.contains("every model trained 5 steps"), report)
        let differing = SweepBenchmark.report(workload: w, profile: .smoke, trainSteps: nil, serial: .init(seconds: 1, cells: 1),
                                              parallel: .init(seconds: 1, cells: 1), workers: 2, threads: 2, identical: false, memory: [], memorySteps: 3)
        XCTAssertTrue(differing.contains("RESULTS DIFFER"), differing)
    }
}
