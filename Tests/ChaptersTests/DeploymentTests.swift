import Foundation
@testable import Lab
@testable import Simulation
import Support
import XCTest
@testable import Chapters
@testable import Experiments

/// The deployment chapter: the latency experiment's contender names and statistics (by hand from
/// made-up medians), a smoke run end to end, and the timed experiment running alone (the
/// token-conflation experiment's own tests are in `TokenConflationTests`).
final class DeploymentTests: XCTestCase {
    /// The smoke profile's configuration, with `overrides` merged into its parameters.
    func config(_ overrides: ParameterValue = .table([])) throws -> LatencyPerChunk.Config {
        let file = try ExperimentFile(root: ScratchWorkbench.repository, path: "experiments/deployment/latency-per-chunk.toml")
        let reader = try ParameterReader(file.resolved(.smoke).merged(with: overrides), location: "latency-per-chunk.toml")
        _ = try reader.ints("seeds")
        let c = try LatencyPerChunk().configure(reader)
        try reader.finish()
        return c
    }

    /// `flow-N`, `ddim-N` and `ddpm-N` build objectives with N evaluations; anything else is refused by key.
    func testContinuousContenderNames() throws {
        for (name, method, n) in [("flow-1", "flow", 1), ("flow-10", "flow", 10), ("ddim-10", "diffusion", 10), ("ddpm-100", "diffusion", 100)] {
            let k = try LatencyPerChunk.contender(name, location: "test")
            XCTAssertEqual(k.method, method, name)
            XCTAssertEqual(k.evaluations, n, name)
        }
        XCTAssertThrowsError(try LatencyPerChunk.contender("ddim-200", location: "test"), "DDIM over more steps than the 100 training timesteps")
        for bad in ["flow", "flow-0", "euler-10", "flow-x"] {
            XCTAssertThrowsError(try LatencyPerChunk.contender(bad, location: "test"), bad) { error in
                XCTAssertEqual((error as? ConfigError)?.key, "continuous", bad)
            }
        }
        XCTAssertThrowsError(try config(.table([("widths", .array([.int(16), .int(18)]))]))) { error in
            XCTAssertEqual((error as? ConfigError)?.key, "widths", "18 is not a multiple of the 4 heads")
        }
        XCTAssertThrowsError(try config(.table([("tokenizers", .array([.string("minmax"), .string("fast")]))]))) { error in
            XCTAssertEqual((error as? ConfigError)?.key, "vqbet", "VQ-BeT's policy needs the rvq tokenizer")
        }
        XCTAssertFalse(try config(.table([("vqbet", .bool(false))])).contenders.contains("vqbet"))
    }

    /// Made-up medians at two rates and two widths for two seeds; every statistic checked by hand.
    func testStatisticsByHand() throws {
        let c = try config()
        XCTAssertEqual(c.rates, [10, 50])
        XCTAssertEqual(c.widths, [16, 32])
        // median(seed, contender, rate, width) = base(contender) * rateFactor * widthFactor * seedFactor
        XCTAssertEqual(c.contenders.filter { !c.tokenizers.contains($0) }.first, "vqbet", "VQ-BeT's policy follows the token contenders")
        let base: [String: Double] = ["minmax": 8, "fast": 4, "beast": 5, "rvq": 1, "vqbet": 0.25, "flow-1": 0.5, "flow-10": 2, "ddim-10": 2.5, "ddpm-20": 6]
        func made(_ seed: Int, _ name: String, _ rate: Double, _ width: Int) -> Double {
            base[name]! * (rate == 50 && name == "minmax" ? 3 : 1) * (width == 32 ? 2 : 1) * (seed == 0 ? 1.0 : 1.5)
        }
        let perSeed: [LatencyPerChunk.SeedCells] = [0, 1].map { (seed: Int) -> LatencyPerChunk.SeedCells in
            var latency: [LatencyPerChunk.Key: [ChunkLatency.Result]] = [:]
            for r in c.rates {
                for w in c.widths {
                    latency[LatencyPerChunk.Key(rate: r, width: w)] = c.contenders.map { (n: String) -> ChunkLatency.Result in
                        let m: Double = made(seed, n, r, w)
                        return ChunkLatency.Result(name: n, median: m, lowerQuartile: m * 0.9, upperQuartile: m * 1.1, fastest: m * 0.8, slowest: m * 1.3,
                                                   modelMedian: m * 0.95, decodeMedian: c.tokenizers.contains(n) ? m * 0.05 : 0,
                                                   tokens: c.tokenizers.contains(n) ? 10 : nil, functionEvaluations: c.tokenizers.contains(n) ? nil : 10, repetitions: 3)
                    }
                }
            }
            let tokens: [Double: [String: Int]] = [10: ["minmax": 70, "fast": 30, "beast": 70, "rvq": 10], 50: ["minmax": 350, "fast": 80, "beast": 70, "rvq": 10]]
            return LatencyPerChunk.SeedCells(latency: latency, tokens: tokens, hash: "h")
        }
        let outcome = try LatencyPerChunk().outcome(c, perSeed: perSeed, inputHash: "h")
        func stat(_ name: String, _ select: [(String, ParameterValue)]) throws -> [[Double]] {
            try outcome.statistic(name, ParameterReader(.table(select.map { (key: $0.0, value: $0.1) }), location: "select"))
        }
        // fast / flow-10 = 2 in every cell and seed (rate and width factors cancel).
        XCTAssertEqual(try stat("latency_ratio", [("contender", .string("fast")), ("reference", .string("flow-10")), ("min_rate_hz", .int(50))]), [[2, 2], [2, 2]])
        // rvq against the fastest other token contender (fast, 4): 1/4, VQ-BeT's faster policy not among them; binning at 50 Hz against the slowest other (beast, 5): 24/5.
        XCTAssertEqual(try stat("latency_vs_fastest_other", [("contender", .string("rvq"))]), [[0.25, 0.25, 0.25, 0.25], [0.25, 0.25, 0.25, 0.25]])
        XCTAssertEqual(try stat("latency_vs_slowest_other", [("contender", .string("minmax")), ("min_rate_hz", .int(25))]), [[4.8, 4.8], [4.8, 4.8]])
        XCTAssertEqual(try stat("latency_vs_slowest_other", [("contender", .string("minmax")), ("max_width", .int(16))]), [[1.6, 4.8], [1.6, 4.8]])
        // Binning triples from 10 to 50 Hz, at each width.
        XCTAssertEqual(try stat("rate_growth", [("contender", .string("minmax"))]), [[3, 3], [3, 3]])
        // A continuous contender has no token rivals; a selection of nothing is an error naming the key.
        XCTAssertThrowsError(try stat("latency_vs_fastest_other", [("contender", .string("flow-10"))])) { XCTAssertEqual(($0 as? ConfigError)?.key, "contender") }
        XCTAssertThrowsError(try stat("latency_ratio", [("contender", .string("fast")), ("reference", .string("flow-10")), ("min_rate_hz", .int(60))])) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "min_rate_hz")
        }
        // Tokens and evaluations per chunk are kept as measurements (not wall-clock); times are wall-clock.
        let tokens = outcome.metrics.filter { $0.metric == "tokens_per_chunk" }
        XCTAssertEqual(tokens.count, c.tokenizers.count * c.rates.count * c.widths.count)
        XCTAssertTrue(tokens.allSatisfy { !$0.isWallClock })
        XCTAssertTrue(outcome.metrics.filter { $0.metric.hasPrefix("latency") }.allSatisfy { $0.isWallClock })
    }

    /// The smoke profile runs end to end: verdicts for every claim, both figures, the chapter
    /// filled, and per-step binning's token count at 50 Hz equal to one per dimension and step
    /// (the token probes decode real held-out tokens strictly, so a malformed one would have failed the run).
    func testSmokeRunEndToEnd() throws {
        let w = try ScratchWorkbench()
        defer { w.remove() }
        let reports = try w.run(.deployment)
        XCTAssertEqual(reports.map(\.id), ["deployment/latency-per-chunk", "deployment/inference-delay", "deployment/token-conflation"])
        XCTAssertEqual(reports[2].verdicts.map(\.id), ["language-tokens-occur", "unconstrained-decode-failures", "constrained-no-failures", "constraints-keep-error"])
        XCTAssertEqual(Array(try w.read("output/deployment/token-conflation/conflation.png").prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        // Constrained decoding decodes every chunk, greedy or sampled, even from the smoke profile's barely trained policies.
        let conflation = try JSONSerialization.jsonObject(with: w.read("output/deployment/token-conflation/results.json")) as! [String: Any]
        let constrainedFailures = (conflation["metrics"] as! [[String: Any]]).filter { m in
            (m["metric"] as? String) == "decode_failure_share" && (m["condition"] as? [String: String])?["constraint"] == "constrained"
        }
        XCTAssertEqual(constrainedFailures.count, 5 * 2 * 2, "four contenders and the ablation's FAST, two families, two decodings")
        for m in constrainedFailures { XCTAssertEqual((m["per_seed"] as? [NSNumber])?.map(\.doubleValue), [0], "\(m["condition"] ?? "")") }
        XCTAssertEqual(reports[1].verdicts.map(\.id), ["rtc-keeps-success", "synchronous-loses-success", "naive-async-loses-success", "rtc-smoother-switches"])
        for figure in ["success-vs-delay", "jerk-vs-delay", "success-vs-delay-unimodal"] {
            XCTAssertEqual(Array(try w.read("output/deployment/inference-delay/\(figure).png").prefix(4)), [0x89, 0x50, 0x4E, 0x47], figure)
        }
        XCTAssertEqual(reports[0].verdicts.map(\.id), ["fast-slower-than-flow", "rvq-fastest-tokens", "binning-slowest-tokens", "binning-latency-grows-with-rate"])
        // VQ-BeT's policy makes a one-second chunk in as many passes as the rvq tokenizer has windows per chunk (5), at every rate and width.
        let latency = try JSONSerialization.jsonObject(with: w.read("output/deployment/latency-per-chunk/results.json")) as! [String: Any]
        let passes = (latency["metrics"] as! [[String: Any]]).filter { m in
            (m["metric"] as? String) == "network_evaluations_per_chunk" && (m["condition"] as? [String: String])?["contender"] == "vqbet"
        }
        XCTAssertEqual(passes.count, 2 * 2, "two rates, two widths")
        for m in passes { XCTAssertEqual((m["per_seed"] as? [NSNumber])?.map(\.doubleValue), [5], "\(m["condition"] ?? "")") }
        let out = "output/deployment/latency-per-chunk"
        for figure in ["latency-vs-rate", "latency-vs-width"] {
            XCTAssertEqual(Array(try w.read("\(out)/\(figure).png").prefix(4)), [0x89, 0x50, 0x4E, 0x47], figure)
        }
        let json = try JSONSerialization.jsonObject(with: w.read("\(out)/results.json")) as! [String: Any]
        let metrics = json["metrics"] as! [[String: Any]]
        // Per-step binning at 50 Hz generates one token per dimension and step: 7 x 50.
        let binning = metrics.first { m in
            (m["metric"] as? String) == "tokens_per_chunk" && (m["condition"] as? [String: String]).map { $0["contender"] == "minmax" && $0["rate_hz"] == "50" } == true
        }
        XCTAssertEqual(binning?["per_seed"] as? [Int], [350], "tokens_per_chunk of minmax at 50 Hz")
        let md = String(decoding: try w.read("chapters/deployment.md"), as: UTF8.self)
        XCTAssertTrue(md.contains("Latency per chunk against control rate"))
    }

    /// With two processes, the timed experiment never runs in the helper, and the coordinator
    /// starts it only after the helper has exited (no other computation beside the timing).
    func testTimedExperimentRunsAloneAfterTheHelpers() throws {
        let w = try ScratchWorkbench()
        defer { w.remove() }
        let r = try Subprocess.run([try HelperProcessTests.executable("chapter-deployment").path, "--profile", "smoke", "--root", w.root.path, "--processes", "2"])
        XCTAssertEqual(r.status, 0, r.standardError)
        let lines = r.standardError.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains { $0.contains("1 helper process started") }, r.standardError)
        XCTAssertFalse(lines.contains { $0.hasPrefix("[helper 1 · deployment/latency-per-chunk]") }, "a helper never times")
        let lastHelper = try XCTUnwrap(lines.lastIndex { $0.hasPrefix("[helper 1") }, "the helper said something")
        let timing = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("[deployment/latency-per-chunk] running") })
        XCTAssertGreaterThan(timing, lastHelper, "the timing starts after the helper's last word")
        // The chapter keeps its order: latency first, though it ran last.
        let md = String(decoding: try w.read("chapters/deployment.md"), as: UTF8.self)
        let latency = try XCTUnwrap(md.range(of: "<!-- result: deployment/latency-per-chunk -->")), delay = try XCTUnwrap(md.range(of: "<!-- result: deployment/inference-delay -->"))
        XCTAssertLessThan(latency.lowerBound, delay.lowerBound)
    }

    /// The delay statistics by hand from made-up episode reports: success relative to synchronous
    /// execution at delay 0, and the ratio of switch jerks, over the selected delays only.
    func testDelayStatisticsByHand() throws {
        let file = try ExperimentFile(root: ScratchWorkbench.repository, path: "experiments/deployment/inference-delay.toml")
        let reader = try ParameterReader(file.resolved(.smoke), location: "inference-delay.toml")
        _ = try reader.ints("seeds")
        let c = try InferenceDelay().configure(reader)
        try reader.finish()
        XCTAssertEqual(c.delays, [0, 9])
        func report(_ within: Double, _ jerk: Double) -> TrackingTask.Report {
            TrackingTask.Report(meanDistance: 1 - within, withinTolerance: within, switchJerk: jerk, withinChunkJerk: jerk / 2)
        }
        // Success per strategy at delays 0 and 9 (two episodes each, averaged), switch jerk per strategy.
        let success: [String: [Double]] = ["synchronous": [0.8, 0.4], "naive-async": [0.8, 0.2], "rtc": [0.8, 0.76], "rtc-hard": [0.8, 0.3]]
        let jerk: [String: Double] = ["synchronous": 4, "naive-async": 2, "rtc": 1, "rtc-hard": 3]
        var reports: [InferenceDelay.Key: [TrackingTask.Report]] = [:]
        for s in c.strategies.map(\.name) {
            for (i, d) in c.delays.enumerated() {
                reports[InferenceDelay.Key(strategy: s, delay: d)] = [report(success[s]![i] + 0.05, jerk[s]!), report(success[s]![i] - 0.05, jerk[s]!)]
            }
        }
        XCTAssertEqual(c.ablations, ["unimodal"])
        // The unimodal ablation: every success halved but synchronous at delay 0, rtc's switches as jerky as naive-async's.
        var straight: [InferenceDelay.Key: [TrackingTask.Report]] = [:]
        for (key, r) in reports {
            let keep = key.strategy == "synchronous" && key.delay == 0
            straight[key] = r.map { report(keep ? $0.withinTolerance : $0.withinTolerance / 2, key.strategy == "rtc" ? 2 : $0.switchJerk) }
        }
        var cells = InferenceDelay.SeedCells(reports: reports, expert: [:], finalLoss: 0.1, hash: "h")
        cells.ablations["unimodal"] = InferenceDelay.Run(reports: straight, expert: [:], finalLoss: 0.01)
        let outcome = try InferenceDelay().outcome(c, perSeed: [cells], inputHash: "h")
        func stat(_ name: String, _ select: [(String, ParameterValue)]) throws -> [[Double]] {
            try outcome.statistic(name, ParameterReader(.table(select.map { (key: $0.0, value: $0.1) }), location: "select"))
        }
        let rtc = try stat("success_retained", [("strategy", .string("rtc")), ("min_delay_share", .double(0.33))])
        XCTAssertEqual(rtc[0].count, 1, "only delay 9 (0.36 of the chunk) is judged")
        XCTAssertEqual(rtc[0][0], 0.95, accuracy: 1e-12)
        XCTAssertEqual(try stat("success_retained", [("strategy", .string("naive-async"))])[0], [1, 0.25])
        XCTAssertEqual(try stat("switch_jerk_ratio", [("strategy", .string("rtc")), ("versus", .string("naive-async")), ("min_delay_share", .double(0.1))]), [[0.5]])
        XCTAssertThrowsError(try stat("success_retained", [("strategy", .string("rtc")), ("min_delay_share", .double(0.5))])) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "min_delay_share")
        }
        // The same statistics on the ablation's reports, each against its own synchronous success at delay 0.
        let unimodal: (String, ParameterValue) = ("demonstrations", .string("unimodal"))
        XCTAssertEqual(try stat("success_retained", [("strategy", .string("rtc")), ("min_delay_share", .double(0.33)), unimodal])[0][0], 0.475, accuracy: 1e-12)
        XCTAssertEqual(try stat("success_retained", [("strategy", .string("naive-async")), unimodal])[0], [0.5, 0.125])
        XCTAssertEqual(try stat("switch_jerk_ratio", [("strategy", .string("rtc")), ("versus", .string("naive-async")), ("min_delay_share", .double(0.1)), unimodal]), [[1]])
        XCTAssertEqual(try stat("success_retained", [("strategy", .string("rtc")), ("demonstrations", .string("bimodal"))])[0], [1, 0.95])
        XCTAssertThrowsError(try stat("success_retained", [("strategy", .string("rtc")), ("demonstrations", .string("trimodal"))])) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "demonstrations")
        }
        // Its metrics carry the demonstration set; the judged metrics keep their conditions.
        let tagged = outcome.metrics.filter { $0.condition.contains { $0.name == "demonstrations" } }
        XCTAssertEqual(tagged.count, 1 + c.strategies.count * c.delays.count * 2)
        XCTAssertEqual(outcome.metrics.count - tagged.count, 1 + c.strategies.count * c.delays.count * 4)
    }

    /// An ablation the experiment does not know, or named twice, is refused before any work, naming the key.
    func testDelayAblationsValidated() throws {
        let file = try ExperimentFile(root: ScratchWorkbench.repository, path: "experiments/deployment/inference-delay.toml")
        for bad: [ParameterValue] in [[.string("trimodal")], [.string("unimodal"), .string("unimodal")]] {
            guard case .table(var entries) = file.resolved(.smoke) else { return XCTFail("expected a table") }
            entries.removeAll { $0.key == "ablations" }
            entries.append((key: "ablations", value: .array(bad)))
            let reader = try ParameterReader(.table(entries), location: "inference-delay.toml")
            XCTAssertThrowsError(try InferenceDelay().configure(reader)) { XCTAssertEqual(($0 as? ConfigError)?.key, "ablations", "\(bad)") }
        }
    }
}
