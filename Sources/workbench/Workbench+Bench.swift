import ArgumentParser
import Benchmarks
import Engine
import Experiments
import Foundation
import Support

extension Workbench {
    /// Benchmarks: speed and memory, never asserted in unit tests.
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Speed benchmarks (run with -c release).",
            subcommands: [Tokenizers.self, Fast.self, Train.self, Policy.self, Sweep.self])
    }
}

extension Workbench.Bench {
    /// In a debug build, says that the numbers mean little and how to run `subcommand` in release.
    static func noteDebugBuild(_ subcommand: String) {
        #if DEBUG
        print("note: this is a debug build; run `swift run -c release workbench bench \(subcommand)` for meaningful numbers")
        #endif
    }

    /// Prints a benchmark's progress line.
    static func printProgress(_ line: String) { print("... \(line)") }
}

extension Workbench.Bench {
    /// Encode and decode throughput of every registered tokenizer on the default arm data.
    struct Tokenizers: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Encode and decode throughput (chunks per second) of every registered tokenizer.")

        @Option(help: "Chunks to fit on and to time.") var chunks = 2000
        @Option(help: "Control frequency of the arm data, Hz.") var frequency = 10.0
        @Option(help: "Minimum seconds to time each operation.") var seconds = 1.0

        func run() throws {
            Workbench.Bench.noteDebugBuild("tokenizers")
            try TokenizerBenchmark.run(chunks: chunks, frequency: frequency, seconds: seconds) { print($0) }
        }
    }
}

extension Workbench.Bench {
    /// FAST encode/decode throughput against the Python reference (numpy/scipy + HF tokenizers).
    struct Fast: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "FAST encode and decode throughput, Swift against the Python reference when available.",
            discussion: "Set FAST_REFERENCE_PYTHON to an interpreter with numpy, scipy and tokenizers (or pass --python) to time benchmarks/fast_reference.py on the same data in the same run.")

        @Option(help: "Chunks to fit on and to time.") var chunks = 10_000
        @Option(help: "Time steps per chunk.") var steps = 50
        @Option(help: "Action dimensions per step.") var dims = 7
        @Option(help: "Minimum seconds to time each operation.") var seconds = 2.0
        @Option(help: "Python interpreter for the reference (default: $FAST_REFERENCE_PYTHON).") var python: String?
        @OptionGroup var root: RootOption

        func run() throws {
            Workbench.Bench.noteDebugBuild("fast")
            let paths = try root.paths()
            let interpreter = python ?? ProcessInfo.processInfo.environment["FAST_REFERENCE_PYTHON"]
            let report = try FASTBenchmark.run(chunks: chunks, steps: steps, dims: dims, seconds: seconds,
                                               python: interpreter,
                                               script: paths.root.appendingPathComponent("benchmarks/fast_reference.py"),
                                               progress: Workbench.Bench.printProgress)
            print(report)
        }
    }

    /// Engine training and generation speed and memory, against PyTorch when it is installed.
    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Engine training throughput, BLAS share, memory and KV-cache speed-up, against PyTorch when installed.")

        @Option(help: "Timed training steps per model.") var steps = 500
        @Option(help: "Rounds of engine then PyTorch; the report gives each round's ratio and the median.") var rounds = 5
        @Option(help: "Threads for the engine and PyTorch (default: all cores).") var threads: Int?
        @Option(help: "Python interpreter with torch for the PyTorch twin.") var python = "python3"
        @OptionGroup var root: RootOption

        func run() throws {
            Workbench.Bench.noteDebugBuild("train")
            let paths = try root.paths()
            let report = TrainBenchmark.run(steps: steps, rounds: rounds, threads: threads,
                                            torchScript: paths.root.appendingPathComponent("scripts/engine/bench_torch.py"),
                                            python: python, progress: Workbench.Bench.printProgress)
            print(report)
        }
    }

    /// The token policy's training and greedy-decoding speed at several sequence lengths.
    struct Policy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Token policy training steps/s and tokens/s, and greedy decoding tokens/s, per sequence length.")

        @Option(help: "Engine threads.") var threads = 2
        @Option(help: "Timed training steps per sequence length.") var steps = 40
        @Option(help: "Token ids in the random sequences (the policy adds two special ids).") var vocabulary = 256
        @Option(help: "Sequence lengths in tokens, comma-separated.") var tokens = "25,50,100,200"

        func validate() throws {
            for (name, value) in [("threads", threads), ("steps", steps), ("vocabulary", vocabulary)] where value < 1 {
                throw ValidationError("--\(name): expected a positive integer, found \(value)")
            }
        }

        func run() throws {
            Workbench.Bench.noteDebugBuild("policy")
            let lengths = tokens.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !lengths.isEmpty, lengths.allSatisfy({ $0 > 0 }) else {
                throw ValidationError("--tokens: expected positive integers separated by commas, found '\(tokens)'")
            }
            print(try PolicyBenchmark.run(threads: threads, steps: steps, vocabulary: vocabulary, lengths: lengths,
                                          progress: Workbench.Bench.printProgress))
        }
    }
}

extension Workbench.Bench {
    /// Cells per hour of the evaluation's frequency sweep, serial against worker processes, and
    /// the peak memory of a per-step binning cell per rate.
    struct Sweep: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The frequency sweep's cells per hour, serial (one process, every core's thread) against worker processes of one thread each, and a per-step binning cell's peak memory per rate.",
            discussion: "The workload is experiments/evaluation/frequency-sweep.toml's cells for one seed at --profile. Parallel runs go through the chapter runner's own scheduling (heaviest cell first, cells locked in a shared folder); the report says whether both runs' results are the same bits. Each memory probe runs in a process of its own.")

        @Option(help: "Profile whose sweep is timed.") var profile = "quick"
        @Option(help: "The seed of the cells.") var seed: UInt64 = 1
        @Option(help: "Train every model this many steps instead of the profile's (a learned tokenizer's own fit is not shortened).") var trainSteps: Int?
        @Option(help: "Worker processes of the parallel run (default: one per core).") var workers = ProcessInfo.processInfo.activeProcessorCount
        @Option(help: "Steps per sequence of the memory probes, comma-separated (empty: none).") var memoryRates = "25,100,200,400,800"
        @Option(help: "Training steps of each memory probe.") var memorySteps = 3
        @Flag(help: "Skip the serial run.") var noSerial = false
        @Flag(help: "Skip the parallel run.") var noParallel = false
        @Option(help: .hidden) var helperFolder: String?
        @Option(help: .hidden) var memoryRate: Int?
        @OptionGroup var root: RootOption

        func validate() throws {
            for (name, value) in [("workers", workers), ("memory-steps", memorySteps), ("train-steps", trainSteps ?? 1)] where value < 1 {
                throw ValidationError("--\(name): expected a positive integer, found \(value)")
            }
            guard Profile(rawValue: profile) != nil else {
                throw ValidationError("--profile: unknown profile '\(profile)'; expected one of: \(Profile.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            _ = try rates()
        }

        func rates() throws -> [Int] {
            let items = memoryRates.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let values = items.compactMap(Int.init)
            guard values.count == items.count, values.allSatisfy({ $0 >= 2 }) else {
                throw ValidationError("--memory-rates: expected whole numbers of at least 2 separated by commas, found '\(memoryRates)'")
            }
            return values
        }

        func run() throws {
            let paths = try root.paths()
            let p = Profile(rawValue: profile)!
            let w = try SweepBenchmark.workload(root: paths.root, profile: p, seed: seed, trainSteps: trainSteps)
            if let helperFolder {  // a worker of the parallel run
                Parallel.setThreads(1)
                let cells = CellCache(directory: URL(fileURLWithPath: helperFolder), runKey: "bench", sharing: .init(isCoordinator: false))
                do { _ = try SweepBenchmark.run(w, cells: cells) } catch is CellCache.Deferred {}
                return
            }
            if let memoryRate {  // one memory probe
                try SweepBenchmark.memoryCell(w, steps: memoryRate, trainSteps: memorySteps)
                print("peak-bytes \(SweepBenchmark.peakResidentBytes() ?? -1)")
                return
            }
            Workbench.Bench.noteDebugBuild("sweep")
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("bench-sweep-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: scratch) }
            let threads = ProcessInfo.processInfo.activeProcessorCount
            let shared = ["--root", paths.root.path, "--profile", profile, "--seed", String(seed)] + (trainSteps.map { ["--train-steps", String($0)] } ?? [])
            var serial: SweepBenchmark.Timing? = nil, parallel: SweepBenchmark.Timing? = nil
            var serialResults: Data? = nil, identical: Bool? = nil
            if !noSerial {
                Workbench.Bench.printProgress("serial: \(w.count) cells in this process, \(threads) engine threads")
                Parallel.setThreads(threads)
                let clock = Stopwatch()
                serialResults = try SweepBenchmark.run(w, cells: CellCache(directory: scratch.appendingPathComponent("serial"), runKey: "bench"))
                serial = .init(seconds: clock.elapsed, cells: w.count)
            }
            if !noParallel {
                Workbench.Bench.printProgress("parallel: \(w.count) cells in \(workers) processes, one engine thread each")
                let folder = scratch.appendingPathComponent("parallel")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                Parallel.setThreads(1)
                let clock = Stopwatch()
                let helpers = try (1..<max(workers, 1)).map { _ -> Process in
                    let h = Process()
                    h.executableURL = Self.executable
                    h.arguments = ["bench", "sweep", "--helper-folder", folder.path] + shared
                    h.standardOutput = FileHandle.nullDevice
                    try h.run()
                    return h
                }
                let results = try SweepBenchmark.run(w, cells: CellCache(directory: folder, runKey: "bench", sharing: .init(isCoordinator: true)))
                for h in helpers { h.waitUntilExit() }
                parallel = .init(seconds: clock.elapsed, cells: w.count)
                if let serialResults { identical = serialResults == results }
                if helpers.contains(where: { $0.terminationStatus != 0 }) { print("note: a worker failed; its cells were computed by the others") }
            }
            var memory: [(steps: Int, bytes: Int?, problem: String?)] = []
            for rate in try rates() {
                Workbench.Bench.printProgress("memory: one \(w.baseline) cell at \(rate) steps per sequence, in a process of its own")
                let r = try Subprocess.run([Self.executable.path, "bench", "sweep", "--memory-rate", String(rate), "--memory-steps", String(memorySteps)] + shared)
                let bytes = r.status == 0 ? r.standardOutput.split(separator: "\n").last(where: { $0.hasPrefix("peak-bytes ") }).flatMap { Int($0.dropFirst(11)) } : nil
                let problem = r.status == 0 ? nil : "the probe failed: " + (r.standardError.split(separator: "\n").last.map(String.init) ?? "status \(r.status)")
                memory.append((rate, bytes.flatMap { $0 >= 0 ? $0 : nil }, problem))
            }
            print(SweepBenchmark.report(workload: w, profile: p, trainSteps: trainSteps, serial: serial, parallel: parallel,
                                        workers: workers, threads: threads, identical: identical, memory: memory, memorySteps: memorySteps))
        }

        /// This executable, to start workers and probes from.
        static var executable: URL {
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return URL(fileURLWithPath: target) }
            return Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        }
    }
}
