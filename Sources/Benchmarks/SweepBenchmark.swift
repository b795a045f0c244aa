import Engine
import Experiments
import Foundation
import Lab
import Policies
import Support
import Tokenizers

/// Cells per hour of the evaluation's frequency sweep, serial against worker processes, and the
/// peak memory of one per-step binning cell per rate: `workbench bench sweep`.
///
/// The workload is the sweep's cells for one seed at a profile (every tokenizer and continuous
/// policy at every rate), read from `experiments/evaluation/frequency-sweep.toml`; `trainSteps`
/// shortens every model's training (not the residual VQ's own autoencoder fit, which its settings
/// fix). Serial runs them in this process on every core's engine thread; parallel runs them
/// through the chapter runner's own scheduling (``Experiments/CellCache/Sharing``): this process
/// and `workers - 1` helper processes of one engine thread each, heaviest cell first. Both write
/// to fresh cell folders, and the report says whether their results are the same bits.
public enum SweepBenchmark {
    /// The experiment file the workload comes from.
    public static let experimentFile = "experiments/evaluation/frequency-sweep.toml"

    /// One seed's cells of the sweep.
    public struct Workload {
        public let tokens: [SplinePrediction.Job], methods: [SplinePrediction.Job]
        public let setup: SplinePrediction.Setup
        /// The per-step binning tokenizer (the memory probe's).
        public let baseline: String

        /// Every cell's label, token models first.
        public var labels: [String] { (tokens + methods).map(\.label) }
        /// Every cell's cost for the scheduler: its steps per sequence (as the chapter weighs it).
        public var costs: [Double] { (tokens + methods).map { Double($0.steps) } }
        public var count: Int { tokens.count + methods.count }
    }

    /// The sweep's cells for `seed` at `profile`, every model trained for `trainSteps` steps when given.
    public static func workload(root: URL, profile: Profile, seed: UInt64, trainSteps: Int? = nil) throws -> Workload {
        let file = try ExperimentFile(root: root, path: experimentFile)
        let p = try ParameterReader(file.resolved(profile), location: "\(file.path): profile \(profile.rawValue)")
        let tokenizers = try p.strings("tokenizers", allowed: TokenizerRegistry.names)
        let methods = try p.strings("policies", default: [], allowed: PolicyRegistry.names)
        let rates = try p.ints("rates_steps", in: 2...100_000).sorted()
        var setup = try SplinePrediction.Setup(p, tokenizers: tokenizers, methods: methods)
        if let trainSteps { shorten(&setup, to: trainSteps) }
        let baseline = try p.string("baseline", allowed: tokenizers)
        let jobs = { (names: [String]) in rates.flatMap { steps in names.map { SplinePrediction.Job(seed: seed, steps: steps, name: $0) } } }
        return Workload(tokens: jobs(tokenizers), methods: jobs(methods), setup: setup, baseline: baseline)
    }

    /// Every model of `setup` trained `steps` steps (its learning-rate warm-up cut to fit).
    static func shorten(_ setup: inout SplinePrediction.Setup, to steps: Int) {
        setup.policy.trainingSteps = steps
        setup.policy.warmupSteps = min(setup.policy.warmupSteps, steps)
        setup.policy.progressEvery = steps
    }

    /// Runs (or reads back) every cell of `w` through `cells`; returns the cells' results as JSON
    /// (to compare two runs bit for bit).
    public static func run(_ w: Workload, cells: CellCache, progress: @escaping (String) -> Void = { _ in }) throws -> Data {
        let context = RunContext(profile: .smoke, seeds: [w.tokens.first?.seed ?? w.methods.first?.seed ?? 1],
                                 progress: ProgressReporter(label: "bench sweep", quiet: true), cells: cells,
                                 experimentID: "bench/sweep", parameters: "")
        let (tokens, methods) = try SplinePrediction.run(tokens: w.tokens, methods: w.methods, setup: w.setup, context: context)
        progress("\(tokens.count + methods.count) cells done")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        // Timings are machine noise, not results: left out of the comparison.
        return try encoder.encode(Results(tokens: tokens.map { var c = $0; c.trainSeconds = 0; c.chunkSeconds = 0; return c },
                                             methods: methods.map { var c = $0; c.trainSeconds = 0; c.chunkSeconds = 0; return c }))
    }

    struct Results: Encodable {
        let tokens: [SplinePrediction.Cell], methods: [SplinePrediction.ContinuousCell]
    }

    /// The peak resident memory (bytes) of this process so far (`VmHWM`), or nil where unknown.
    public static func peakResidentBytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") else { return nil }
        return kb * 1024
    }

    /// One per-step binning cell of `w` at `steps` per sequence, trained `trainSteps` steps and
    /// scored on 2 held-out splines, in this process: what the memory probe runs.
    public static func memoryCell(_ w: Workload, steps: Int, trainSteps: Int) throws {
        var setup = w.setup
        shorten(&setup, to: trainSteps)
        setup.testExamples = 2
        let job = SplinePrediction.Job(seed: w.tokens.first?.seed ?? 1, steps: steps, name: w.baseline)
        _ = try SplinePrediction.run(tokens: [job], methods: [], setup: setup,
                                     context: RunContext(profile: .smoke, seeds: [job.seed], progress: ProgressReporter(label: "bench", quiet: true)))
    }

    /// What a timed run measured.
    public struct Timing {
        public let seconds: Double, cells: Int
        public init(seconds: Double, cells: Int) { self.seconds = seconds; self.cells = cells }
        public var cellsPerHour: Double { Double(cells) / seconds * 3600 }
    }

    /// The report's lines.
    public static func report(workload w: Workload, profile: Profile, trainSteps: Int?, serial: Timing?, parallel: Timing?,
                              workers: Int, threads: Int, identical: Bool?, memory: [(steps: Int, bytes: Int?, problem: String?)], memorySteps: Int) -> String {
        let rates = Array(Set((w.tokens + w.methods).map(\.steps))).sorted()
        var names: [String] = []
        for job in w.tokens + w.methods where !names.contains(job.name) { names.append(job.name) }
        var lines = ["Sweep benchmark: \(experimentFile), profile \(profile.rawValue), seed \(w.tokens.first?.seed ?? 0): \(w.count) cells (\(names.joined(separator: ", ")) at \(rates.map(String.init).joined(separator: ", ")) steps per sequence), "
                     + (trainSteps.map { "every model trained \($0) steps (a learned tokenizer's own fit is not shortened)" } ?? "the profile's training steps")]
        #if DEBUG
        lines.append("note: debug build; build with -c release for meaningful numbers")
        #endif
        func line(_ name: String, _ t: Timing) -> String { String(format: "%@: %.0f s, %.1f cells per hour", name, t.seconds, t.cellsPerHour) }
        if let serial { lines.append(line("serial (1 process, \(threads) engine thread\(threads == 1 ? "" : "s"))", serial)) }
        if let parallel {
            var l = line("parallel (\(workers) processes, 1 engine thread each)", parallel)
            if let serial { l += String(format: "; speed-up %.2fx", serial.seconds / parallel.seconds) }
            if let identical { l += identical ? "; results identical to the serial run's, bit for bit" : "; RESULTS DIFFER from the serial run's" }
            lines.append(l)
        }
        if !memory.isEmpty {
            lines.append("peak resident memory of one \(w.baseline) cell (\(memorySteps) training steps, 2 held-out splines), per steps per sequence:")
            for m in memory { lines.append("  \(m.steps): " + (m.bytes.map { String(format: "%.0f MB", Double($0) / 1_048_576) } ?? "unknown (\(m.problem ?? "no VmHWM in /proc/self/status"))")) }
        }
        lines.append("One run each; for a speed claim, time the chapter with farm-bench.")
        return lines.joined(separator: "\n")
    }
}
