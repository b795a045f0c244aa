import ActionData
import Foundation
import Support
import Tokenizers
import XCTest
@testable import Chapters
@testable import Experiments

/// The future chapter: the leave-one-out split and the shared BPE never see the held-out source,
/// the bottom line's decision table from hand-made results and its refusals of missing or stale
/// results, and the scaling experiment's statistics from made-up cells.
final class FutureTests: XCTestCase {
    // MARK: Leave one out

    /// Every source is held out exactly once, and never pooled with itself.
    func testLeaveOneOutSplitsNeverPoolTheHeldOutSource() {
        for count in 3...6 {
            let splits = UniversalTokenizers.leaveOneOut(count)
            XCTAssertEqual(splits.map(\.heldOut), Array(0..<count))
            for s in splits {
                XCTAssertFalse(s.pool.contains(s.heldOut))
                XCTAssertEqual(Set(s.pool + [s.heldOut]), Set(0..<count))
            }
        }
    }

    /// The shared BPE learned without a source does not depend on that source's data at all: two
    /// unrelated held-out sets leave the same merges; and the pool's own data does change them.
    func testSharedBPEDoesNotLeakTheHeldOutSource() throws {
        let config = FASTConfig()
        let sets = try UniversalTokenizers.Source.allCases.filter { $0 != .lasa }.map {
            try UniversalTokenizers.sets($0, frequency: 10, fit: 80, eval: 10, seed: 1, lasa: nil)!
        }
        let other = try UniversalTokenizers.sets(.wipe, frequency: 10, fit: 80, eval: 10, seed: 2, lasa: nil)!
        for (h, pool) in UniversalTokenizers.leaveOneOut(sets.count) {
            let a = try FASTTokenizer.sharedBPE(config, pool: pool.map { sets[$0].fit })
            // What would be pooled if the held-out source were replaced by other data: the same pool.
            var changed = sets
            changed[h] = other
            let b = try FASTTokenizer.sharedBPE(config, pool: pool.map { changed[$0].fit })
            XCTAssertEqual(a.model.merges, b.model.merges, "held out \(h)")
            XCTAssertEqual(a.minCoefficient, b.minCoefficient)
            XCTAssertEqual(a.chunksPerSource, pool.map { sets[$0].fit.count })
        }
        let withAll = try FASTTokenizer.sharedBPE(config, pool: sets.map(\.fit))
        let without = try FASTTokenizer.sharedBPE(config, pool: Array(sets.dropFirst()).map(\.fit))
        XCTAssertNotEqual(withAll.model.merges, without.model.merges, "a pooled source does shape the merges")
    }

    /// A FAST tokenizer on a shared BPE normalises on its own source and round-trips within FAST's
    /// bound when its coefficients lie in the shared alphabet; one fitted alone gives the same
    /// coefficients, so the shared BPE only changes the token count.
    func testSharedBPERoundTripsLikeItsOwn() throws {
        let config = FASTConfig()
        let arm = try UniversalTokenizers.sets(.arm, frequency: 10, fit: 200, eval: 20, seed: 3, lasa: nil)!
        let wipe = try UniversalTokenizers.sets(.wipe, frequency: 10, fit: 200, eval: 20, seed: 3, lasa: nil)!
        let shared = try FASTTokenizer.sharedBPE(config, pool: [wipe.fit, arm.fit])
        let universal = try FASTTokenizer.using(shared, config: config, normalisingOn: arm.fit)
        let own = FASTTokenizer(config)
        try own.fit(arm.fit)
        var compared = 0
        for chunk in arm.eval.chunks {
            XCTAssertEqual(try universal.coefficients(of: chunk), try own.coefficients(of: chunk))
            universal.resetStatistics(); own.resetStatistics()
            let back = try universal.decode(try universal.encode(chunk), steps: chunk.steps, dims: chunk.dims, mode: .strict).chunk
            let mine = try own.decode(try own.encode(chunk), steps: chunk.steps, dims: chunk.dims, mode: .strict).chunk
            if universal.stats.encodeClipped == 0 && own.stats.encodeClipped == 0 {
                XCTAssertEqual(back.values, mine.values)
                compared += 1
            }
        }
        XCTAssertGreaterThan(compared, 10, "most held-out chunks stay inside both alphabets")
    }

    // MARK: The bottom line

    /// Hand-made results of the five experiments the bottom line reads.
    func handMade(latency: [String: [Double]], scaling: [String: [Double]], lasa: [String: [Double]]) -> [String: CommittedResults] {
        typealias S = CommittedResults.Series
        func r(_ id: String, _ series: [S]) -> CommittedResults { CommittedResults(id: id, profile: "quick", gitCommit: "abc1234", series: series) }
        var scalingSeries: [S] = []
        for (name, errors) in scaling {
            for src in ["splines", "arm"] {
                // Two points: width 8 (ten times the error) and width 16, the largest (most FLOPs).
                scalingSeries.append(S(metric: "error", condition: ["source": src, "contender": name, "width": "8"], perSeed: errors.map { $0 * 10 }))
                scalingSeries.append(S(metric: "error", condition: ["source": src, "contender": name, "width": "16"], perSeed: errors))
                scalingSeries.append(S(metric: "train_flops", condition: ["source": src, "contender": name, "width": "8"], perSeed: [1, 1]))
                scalingSeries.append(S(metric: "train_flops", condition: ["source": src, "contender": name, "width": "16"], perSeed: [9, 9]))
            }
        }
        return [
            "deployment/latency-per-chunk": r("deployment/latency-per-chunk", latency.map {
                S(metric: "latency_median", condition: ["contender": $0.key, "rate_hz": "50", "width": "64"], perSeed: $0.value)
            } + [S(metric: "latency_median", condition: ["contender": "minmax", "rate_hz": "10", "width": "64"], perSeed: [0.0001, 0.0001])]),
            "future/scaling": r("future/scaling", scalingSeries),
            "applications/lasa": r("applications/lasa", lasa.map { S(metric: "dtw_over_shapes", condition: ["contender": $0.key], perSeed: $0.value) }),
            "applications/precision": r("applications/precision", [S(metric: "tolerance_reached", condition: ["contender": "fast"], perSeed: [0.01, 0.01])]),
            "future/universal": r("future/universal", [S(metric: "token_ratio", condition: ["held_out": "arm"], perSeed: [1.2, 1.3]),
                                                       S(metric: "token_ratio", condition: ["held_out": "lasa"], perSeed: [0.9, 1.0])]),
        ]
    }

    func bottomLineConfig() throws -> BottomLine.Config {
        let file = try ExperimentFile(root: ScratchWorkbench.repository, path: "experiments/future/bottom-line.toml")
        let reader = try ParameterReader(file.resolved(.quick), location: "bottom-line.toml")
        _ = try reader.ints("seeds")
        let c = try BottomLine().configure(reader)
        try reader.finish()
        return c
    }

    /// The decision table from hand-made results: rankings by each scenario's measure (the mapped
    /// names, the configured rate and width, the largest compute point), the contenders not
    /// measured listed last, and agreement with the audit per scenario.
    func testDecisionTableFromHandMadeResults() throws {
        let c = try bottomLineConfig()
        let results = handMade(latency: ["minmax": [0.009, 0.008], "fast": [0.002, 0.002], "rvq": [0.0003, 0.0003], "flow-10": [0.003, 0.003]],
                               scaling: ["minmax": [0.4, 0.4], "fast": [0.2, 0.2], "flow": [0.1, 0.1]],
                               lasa: ["minmax-256": [120, 130], "fast": [160, 100], "flow": [150, 150]])
        let table = try BottomLine.compute(c, results: results)
        XCTAssertEqual(table.standings[.smallFast]!.filter { $0.rank != nil }.map(\.contender), ["rvq", "fast", "flow", "binning"])
        XCTAssertNil(table.standings[.smallFast]!.first { $0.contender == "beast" }!.rank, "not measured")
        XCTAssertEqual(table.standings[.smallFast]!.first!.measure!, 0.0003, accuracy: 1e-12)
        XCTAssertEqual(BottomLine.agreement(c, table, .smallFast), 1)
        // Hyperscaling: the error at width 16 over the best (flow) per source: minmax 4, fast 2, flow 1.
        let hyper = table.standings[.hyperscaling]!.filter { $0.rank != nil }
        XCTAssertEqual(hyper.map(\.contender), ["flow", "fast", "binning"])
        for (m, expected) in zip(hyper.map { $0.measure! }, [1.0, 2, 4]) { XCTAssertEqual(m, expected, accuracy: 1e-12) }
        XCTAssertEqual(BottomLine.agreement(c, table, .hyperscaling), 1)
        XCTAssertTrue(table.sides[.hyperscaling]!["fast"]!.contains("1.25"), "FAST's worst leave-one-out token ratio (geometric mean over seeds) beside it")
        // Good enough: geometric means 124.9 (binning), 126.5 (fast), 150 (flow): binning first; FAST wins one unit.
        XCTAssertEqual(table.standings[.goodEnough]!.filter { $0.rank != nil }.map(\.contender), ["binning", "fast", "flow"])
        XCTAssertEqual(table.firstPerSeed[.goodEnough]!, ["binning", "fast"])
        XCTAssertEqual(BottomLine.agreement(c, table, .goodEnough), 1)

        // The audit's choice loses: flow is the fastest.
        let slow = handMade(latency: ["minmax": [0.009, 0.008], "rvq": [0.005, 0.005], "flow-10": [0.001, 0.001]],
                            scaling: ["minmax": [0.1, 0.1], "flow": [0.2, 0.2]], lasa: ["flow": [100, 100], "minmax-256": [120, 120]])
        let t2 = try BottomLine.compute(c, results: slow)
        XCTAssertEqual(BottomLine.agreement(c, t2, .smallFast), 0)
        XCTAssertEqual(BottomLine.agreement(c, t2, .hyperscaling), 0, "binning has the lowest error")
        XCTAssertEqual(BottomLine.agreement(c, t2, .goodEnough), 0, "flow is closest")
        // Nothing measured: no agreement to judge.
        let none = handMade(latency: [:], scaling: [:], lasa: [:])
        XCTAssertTrue(BottomLine.agreement(c, try BottomLine.compute(c, results: none), .smallFast).isNaN)
    }

    /// Missing, smoke-profile and stale results stop the bottom line with the chapter and the command that remakes them.
    func testMissingOrStaleResultsNameTheChapter() throws {
        let w = try ScratchWorkbench()
        defer { w.remove() }
        let id = "deployment/latency-per-chunk"
        XCTAssertThrowsError(try CommittedResults.load(root: w.root, id: id, profile: .quick)) { e in
            let d = "\(e)"
            XCTAssertTrue(d.contains("deployment chapter") && d.contains("missing") && d.contains("chapter-deployment"), d)
        }
        let folder = w.url("output/\(id)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let committed = try Data(contentsOf: ScratchWorkbench.repository.appendingPathComponent("output/\(id)/results.json"))
        try committed.write(to: folder.appendingPathComponent("results.json"))
        let loaded = try CommittedResults.load(root: w.root, id: id, profile: .quick)
        XCTAssertEqual(loaded.profile, "quick")
        XCTAssertNotNil(loaded.values("latency_median", ["contender": "fast", "rate_hz": "50", "width": "64"]))

        // The experiment file changes: the committed results answer another question.
        let toml = w.url("experiments/deployment/latency-per-chunk.toml")
        let text = try String(contentsOf: toml, encoding: .utf8)
        try text.replacingOccurrences(of: "repetitions = 15", with: "repetitions = 16").write(to: toml, atomically: true, encoding: .utf8)
        XCTAssertNotEqual(text, try String(contentsOf: toml, encoding: .utf8), "the fixture edit took")
        XCTAssertThrowsError(try CommittedResults.load(root: w.root, id: id, profile: .quick)) { e in
            let d = "\(e)"
            XCTAssertTrue(d.contains("stale") && d.contains("chapter-deployment --profile quick"), d)
        }
        // Smoke results are refused for a quick run.
        var json = try JSONSerialization.jsonObject(with: committed) as! [String: Any]
        json["profile"] = "smoke"
        try JSONSerialization.data(withJSONObject: json).write(to: folder.appendingPathComponent("results.json"))
        XCTAssertThrowsError(try CommittedResults.load(root: w.root, id: id, profile: .quick)) { e in
            XCTAssertTrue("\(e)".contains("smoke profile"), "\(e)")
        }
    }
}
