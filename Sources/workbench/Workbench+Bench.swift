import ArgumentParser
import Benchmarks
import Foundation

extension Workbench {
    /// Benchmarks: speed and memory, never asserted in unit tests.
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Speed benchmarks (run with -c release).",
            subcommands: [Tokenizers.self, Fast.self, Train.self, Policy.self])
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
