import ActionData
import ArgumentParser
import Engine
import Foundation
import Support
import Tokenizers

extension Workbench {
    /// Benchmarks: speed and memory, never asserted in unit tests.
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Speed benchmarks (run with -c release).",
            subcommands: [Tokenizers.self, Fast.self, Train.self])
    }
}

extension Workbench.Bench {
    /// Encode and decode throughput of every registered tokenizer on the default arm data.
    struct Tokenizers: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Encode and decode throughput (chunks per second) of every registered tokenizer.")

        @Option(help: "Chunks to fit on and to time.") var chunks = 2000
        @Option(help: "Control frequency of the arm data, Hz.") var frequency = 10.0
        @Option(help: "Minimum seconds to time each operation.") var seconds = 1.0

        func run() throws {
            #if DEBUG
            print("note: this is a debug build; run `swift run -c release workbench bench tokenizers` for meaningful numbers")
            #endif
            let data = try RobotArmGenerator(frequency: frequency).chunks(count: chunks, seed: 1)
            print("Arm data: \(data.count) chunks of \(data.steps) steps x \(data.dims) dims (\(Int(frequency)) Hz)")
            print("tokenizer      fit (s)  tokens/chunk  encode (chunks/s)  decode (chunks/s)")
            for d in TokenizerRegistry.all {
                let tok = try d.make(.empty(location: d.name))
                let t0 = Date()
                try tok.fit(data)
                let fitTime = Date().timeIntervalSince(t0)
                let tokens = try data.chunks.map { try tok.encode($0) }
                let enc = try rate { for c in data.chunks { _ = try tok.encode(c) } }
                let dec = try rate { for t in tokens { _ = try tok.decode(t, steps: data.steps, dims: data.dims) } }
                let perChunk = Double(tokens.map(\.count).reduce(0, +)) / Double(tokens.count)
                print(String(format: "%-12@ %9.3f %13.1f %18.0f %18.0f", d.name as NSString, fitTime, perChunk, enc, dec))
            }
        }

        /// Chunks per second of `body` (which processes the whole set), repeated for `seconds`.
        func rate(_ body: () throws -> Void) throws -> Double {
            var runs = 0
            let start = Date()
            repeat { try body(); runs += 1 } while Date().timeIntervalSince(start) < seconds
            return Double(runs * chunks) / Date().timeIntervalSince(start)
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
            #if DEBUG
            print("note: this is a debug build; run `swift run -c release workbench bench fast` for meaningful numbers")
            #endif
            let paths = try root.paths()
            let interpreter = python ?? ProcessInfo.processInfo.environment["FAST_REFERENCE_PYTHON"]
            let report = try FASTBenchmark.run(chunks: chunks, steps: steps, dims: dims, seconds: seconds,
                                               python: interpreter,
                                               script: paths.root.appendingPathComponent("benchmarks/fast_reference.py"),
                                               progress: { print("... \($0)") })
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
            #if DEBUG
            print("note: this is a debug build; run `swift run -c release workbench bench train` for meaningful numbers")
            #endif
            let paths = try root.paths()
            let report = TrainBenchmark.run(steps: steps, rounds: rounds, threads: threads,
                                            torchScript: paths.root.appendingPathComponent("scripts/engine/bench_torch.py"),
                                            python: python, progress: { print("... \($0)") })
            print(report)
        }
    }
}
