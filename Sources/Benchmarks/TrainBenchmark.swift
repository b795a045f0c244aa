import Engine
import Foundation
import Support

/// The training and generation benchmark behind `workbench bench train`.
///
/// Two models (a reference GPT: vocabulary 258, width 128, 4 heads, 2 layers, MLP 4×, context 64;
/// and a tiny one: width 64, 1 layer) train with AdamW on batches of 32 random sequences of 64
/// tokens. Reported: steps/s, tokens/s, the share of step time inside sgemm, the achieved
/// GFLOP/s (matrix-product work over wall time), peak and per-phase resident memory, and batch-1
/// generation latency per token with and without the KV cache. When a PyTorch twin script is
/// given and PyTorch is importable, it runs the same models on the same thread count and the
/// report adds the throughput ratio.
public enum TrainBenchmark {
    /// One benchmarked model.
    public struct Model: Sendable {
        /// Display name.
        public var name: String
        /// Its configuration.
        public var config: GPTConfig
        /// Creates a benchmark entry.
        public init(name: String, config: GPTConfig) { self.name = name; self.config = config }
    }

    /// Batch size of the benchmark.
    public static let batch = 32
    /// The reference and tiny models.
    public static let models = [
        Model(name: "reference", config: GPTConfig(vocabSize: 258, contextLength: 64, dModel: 128, heads: 4, layers: 2)),
        Model(name: "tiny", config: GPTConfig(vocabSize: 258, contextLength: 64, dModel: 64, heads: 4, layers: 1)),
    ]

    /// Measured figures for one model.
    public struct Result: Sendable {
        /// Model name.
        public var name: String
        /// Training steps (forward, backward, AdamW) per second.
        public var stepsPerSecond: Double
        /// Trained tokens per second (steps/s × batch × context).
        public var tokensPerSecond: Double
        /// Fraction of wall time spent inside sgemm (from the separate profiled pass).
        public var blasShare: Double
        /// Matrix-product GFLOP per second of wall time.
        public var gflops: Double
        /// Matrix-product GFLOP per second of time inside sgemm (from the profiled pass).
        public var blasGflops: Double
        /// Resident memory (MB) after 10 %, 50 % and 100 % of the timed steps.
        public var rssMB: [Double]
        /// Peak resident memory (MB) over the timed training steps.
        public var peakMB: Double
        /// Batch-1 generation latency per token with the KV cache (ms).
        public var msPerTokenCached: Double
        /// Batch-1 generation latency per token recomputing the whole sequence (ms).
        public var msPerTokenFull: Double
        /// Loss of the last step.
        public var finalLoss: Float
    }

    /// Runs the benchmark and returns the printed report.
    ///
    /// The engine and the PyTorch twin alternate for `rounds` rounds, so both see the same drift of
    /// a shared machine; each round's ratio compares neighbours in time and the report gives every
    /// round's ratio and their median. The table shows each model's median round.
    ///
    /// - Parameters:
    ///   - steps: timed training steps per model (after 5 warm-up steps).
    ///   - rounds: engine-then-PyTorch rounds (at least 1).
    ///   - threads: engine (and PyTorch) threads; `nil` uses all active processors.
    ///   - torchScript: path to `scripts/engine/bench_torch.py`; skipped when `nil` or PyTorch is missing.
    ///   - python: the interpreter that runs the twin (looked up on `PATH` when it has no slash).
    ///   - progress: receives one line per phase.
    public static func run(steps: Int = 500, rounds: Int = 1, threads: Int? = nil, torchScript: URL? = nil, python: String = "python3",
                           progress: (String) -> Void = { _ in }) -> String {
        if let threads { Parallel.setThreads(threads) }
        Parallel.setUp()
        let nThreads = Parallel.threads, rounds = max(rounds, 1)
        var lines = ["Engine training benchmark: batch \(batch), context 64, AdamW, \(steps) steps, \(rounds) round(s), \(nThreads) thread(s) (single-threaded OpenBLAS calls split by the engine; OpenBLAS kernel \(BLAS.coreName))"]
        var results: [[Result]] = Array(repeating: [], count: models.count)   // per model, per round
        var torch: [[String: String]] = []
        var torchMissing = torchScript == nil
        for round in 1...rounds {
            for (i, m) in models.enumerated() {
                progress("round \(round)/\(rounds) · training \(m.name) for \(steps) steps")
                results[i].append(measure(m, steps: steps, progress: progress))
            }
            if let torchScript, !torchMissing {
                progress("round \(round)/\(rounds) · running the PyTorch twin")
                if let t = runTorch(torchScript, python: python, steps: steps, threads: nThreads) { torch.append(t) } else { torchMissing = true }
            }
        }
        func median(_ v: [Double]) -> Double {
            let s = v.sorted()
            return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
        }
        // Each model's round with the median engine speed (the lower middle one for an even count).
        let shown = results.map { rs in rs.sorted { $0.stepsPerSecond < $1.stepsPerSecond }[(rs.count - 1) / 2] }
        func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s : s + String(repeating: " ", count: w - s.count) }
        lines.append(pad("model", 10) + "  steps/s  tokens/s  BLAS%  GFLOP/s  BLAS GF/s  peak MB  RSS MB @10/50/100%  ms/tok KV  ms/tok full")
        for r in shown {
            let rss = r.rssMB.map { String(format: "%.1f", $0) }.joined(separator: "/")
            lines.append(pad(r.name, 10) + String(format: " %8.2f %9.0f %5.1f%% %8.2f %10.2f %8.1f", r.stepsPerSecond, r.tokensPerSecond,
                                                  100 * r.blasShare, r.gflops, r.blasGflops, r.peakMB)
                + "  " + pad(rss, 18) + String(format: " %10.3f %12.3f", r.msPerTokenCached, r.msPerTokenFull))
        }
        for r in shown {
            lines.append(String(format: "%@: KV-cache speed-up %.1fx (per token, generating 63 tokens to fill context 64); final loss %.3f",
                                r.name, r.msPerTokenFull / r.msPerTokenCached, r.finalLoss))
        }
        if rounds > 1 {
            for (i, m) in models.enumerated() {
                lines.append(pad(m.name, 10) + " engine steps/s per round: " + results[i].map { String(format: "%.2f", $0.stepsPerSecond) }.joined(separator: ", "))
            }
        }
        if torchScript != nil {
            if torch.count == rounds {
                lines.append("PyTorch \(torch[0]["torch_version"] ?? "?") on \(nThreads) thread(s):")
                for (i, m) in models.enumerated() {
                    let sps = torch.compactMap { Double($0["\(m.name)_steps_per_s"] ?? "") }
                    guard sps.count == rounds else { continue }
                    let ratios = (0..<rounds).map { results[i][$0].stepsPerSecond / sps[$0] }
                    lines.append(pad(m.name, 10) + " PyTorch steps/s per round: " + sps.map { String(format: "%.2f", $0) }.joined(separator: ", ")
                        + "; engine / PyTorch per round: " + ratios.map { String(format: "%.2f", $0) }.joined(separator: ", ")
                        + String(format: "; median %.2f", median(ratios)))
                }
            } else {
                lines.append("PyTorch twin skipped (\(python) with torch not available)")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// Trains one model for `steps` timed steps and times batch-1 generation.
    public static func measure(_ m: Model, steps: Int, progress: (String) -> Void) -> Result {
        let c = m.config, t = c.contextLength
        let gpt = GPT(c, seed: 1)
        let opt = AdamW(gpt.parameters, learningRate: 1e-3)
        var rng = SeededGenerator(seed: 2)
        let pool = 8
        let data = (0..<pool).map { _ in (0..<(batch * (t + 1))).map { _ in rng.nextInt(below: c.vocabSize) } }
        func trainStep(_ i: Int) -> Float {
            let d = data[i % pool]
            var inputs = [Int](), targets = [Int]()
            inputs.reserveCapacity(batch * t); targets.reserveCapacity(batch * t)
            for b in 0..<batch {
                let start: Int = b * (t + 1)
                inputs.append(contentsOf: d[start..<(start + t)])
                targets.append(contentsOf: d[(start + 1)..<(start + t + 1)])
            }
            let loss = try! gpt.loss(tokens: inputs, targets: targets, batch: batch)
            loss.backward()
            opt.step()
            opt.zeroGrad()
            return loss.item
        }
        for i in 0..<5 { _ = trainStep(i) }
        // Reset the kernel's peak-RSS mark so the reported peak covers the timed steps only.
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
        var rss: [Double] = []
        let marks = Set([max(steps / 10, 1), max(steps / 2, 1), steps])
        var loss: Float = 0
        // Throughput is timed without the BLAS counters (their clock reads cost about 2 % of a
        // step); the BLAS share and GFLOP/s come from a separate profiled pass of `steps / 5` steps.
        let t0 = monotonicSeconds()
        for i in 1...max(steps, 1) {
            loss = trainStep(i)
            if marks.contains(i) { rss.append(memoryMB("VmRSS")) }
        }
        let elapsed = monotonicSeconds() - t0
        let trainingPeak = memoryMB("VmHWM")
        let profiledSteps = max(steps / 5, 1)
        BLAS.resetCounters()
        BLAS.profiling = true
        let p0 = monotonicSeconds()
        for i in 1...profiledSteps { _ = trainStep(steps + i) }
        let profiledElapsed = monotonicSeconds() - p0
        BLAS.profiling = false
        let blasSeconds = BLAS.seconds, flopsPerStep = BLAS.flops / Double(profiledSteps)
        progress(String(format: "%@: %.2f steps/s, loss %.3f", m.name, Double(steps) / elapsed, loss))

        // Generation at batch 1: one BOS-like prompt token, then fill the context.
        var sampler = Sampler(.greedy)
        let newTokens = t - 1
        let g0 = monotonicSeconds()
        _ = try! gpt.generate(prompts: [[0]], newTokens: newTokens, sampler: &sampler, useCache: true)
        let g1 = monotonicSeconds()
        _ = try! gpt.generate(prompts: [[0]], newTokens: newTokens, sampler: &sampler, useCache: false)
        let g2 = monotonicSeconds()
        return Result(name: m.name, stepsPerSecond: Double(steps) / elapsed,
                      tokensPerSecond: Double(steps * batch * t) / elapsed, blasShare: blasSeconds / profiledElapsed,
                      gflops: flopsPerStep * Double(steps) / elapsed / 1e9,
                      blasGflops: flopsPerStep * Double(profiledSteps) / max(blasSeconds, 1e-9) / 1e9,
                      rssMB: rss, peakMB: trainingPeak,
                      msPerTokenCached: 1000 * (g1 - g0) / Double(newTokens),
                      msPerTokenFull: 1000 * (g2 - g1) / Double(newTokens), finalLoss: loss)
    }

    /// A `/proc/self/status` memory field in MB (0 where unavailable).
    static func memoryMB(_ field: String) -> Double {
        guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in s.split(separator: "\n") where line.hasPrefix(field + ":") {
            let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
            return kb / 1024
        }
        return 0
    }

    /// Runs the PyTorch twin; returns its `key=value` lines, or nil when it cannot run.
    static func runTorch(_ script: URL, python: String, steps: Int, threads: Int) -> [String: String]? {
        guard let text = try? Subprocess.output([python, script.path, "--steps", "\(steps)", "--threads", "\(threads)"]) else { return nil }
        var kv: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { kv[String(parts[0])] = String(parts[1]) }
        }
        return kv.isEmpty ? nil : kv
    }
}
