import ActionData
import Foundation
import Support
import Tokenizers

/// The FAST speed benchmark behind `workbench bench fast`: Swift against the Python pipeline.
///
/// The data are `chunks` one-second chunks of the synthetic arm data (``RobotArmGenerator`` at
/// `steps` Hz, seed 1; dimensions past the arm's 7 come from a second arm, seed 2). They are written
/// to a `.npy` file so that `benchmarks/fast_reference.py` times the same chunks. FAST is fitted
/// with gamma 10 and vocabulary 1024; encode and decode of the whole set are timed (chunks per
/// second, repeated for at least `seconds`) on one thread and on two (OpenBLAS kept at one thread;
/// the Swift side splits the chunks over threads, the Python side uses scipy's `workers` and the
/// Rust thread pool of `tokenizers`). When a Python with numpy, scipy and `tokenizers` is given,
/// the report adds its figures and the Swift / Python ratios.
public enum FASTBenchmark {
    /// Throughput figures for one thread count.
    public struct Measurement: Sendable {
        public var threads: Int
        public var encodePerSecond: Double
        public var decodePerSecond: Double
    }

    /// The benchmark chunks: arm data at `steps` Hz in one-second chunks, `dims` in 1...14.
    public static func data(chunks: Int, steps: Int, dims: Int) throws -> ChunkSet {
        guard (1...14).contains(dims) else { throw ActionDataError.invalidParameter("the benchmark data have 1 to 14 dimensions, asked for \(dims)") }
        let arm = RobotArmGenerator(frequency: Double(steps))
        let a = try arm.chunks(count: chunks, seed: 1)
        let b = dims > 7 ? try arm.chunks(count: chunks, seed: 2) : nil
        return try ChunkSet(chunks: (0..<chunks).map { i in
            var values = [Double](repeating: 0, count: steps * dims)
            for t in 0..<steps {
                for d in 0..<dims { values[t * dims + d] = d < 7 ? a.chunks[i][t, d] : b!.chunks[i][t, d - 7] }
            }
            return try ActionChunk(steps: steps, dims: dims, values: values)
        })
    }

    /// Runs the benchmark and returns the report.
    ///
    /// - Parameters:
    ///   - python: a Python interpreter with numpy, scipy and tokenizers (default: the environment
    ///     variable `FAST_REFERENCE_PYTHON`); the Python side is skipped when neither is set.
    ///   - script: `benchmarks/fast_reference.py` (default: found from the package root).
    ///   - progress: receives one line per phase.
    public static func run(chunks: Int = 10_000, steps: Int = 50, dims: Int = 7, seconds: Double = 2,
                           python: String? = nil, script: URL? = nil,
                           progress: (String) -> Void = { _ in }) throws -> String {
        progress("generating \(chunks) chunks of \(steps) x \(dims)")
        let set = try data(chunks: chunks, steps: steps, dims: dims)
        let config = FASTConfig(gamma: 10, vocabulary: 1024)
        let tok = FASTTokenizer(config)
        // OpenBLAS stays on one thread (as everywhere in the tokenizers; see `DCT`); the chunks are
        // split over threads by the tokenizer itself.

        progress("fitting FAST (gamma 10, vocabulary 1024)")
        let fitSeconds = try Stopwatch.seconds { try tok.fit(set) }
        let tokens = try tok.encode(batch: set.chunks)
        let perChunk = Double(tokens.map(\.count).reduce(0, +)) / Double(chunks)
        let decoded = try tok.decode(batch: tokens, steps: steps, dims: dims)
        let rmse = normalisedRMSE(set.chunks, decoded, tok)

        var swift: [Measurement] = []
        for threads in [1, 2] {
            progress("timing Swift on \(threads) thread(s)")
            let enc = try Stopwatch.rate(items: chunks, atLeast: seconds, warmUp: true) { _ = try tok.encode(batch: set.chunks, threads: threads) }
            let dec = try Stopwatch.rate(items: chunks, atLeast: seconds, warmUp: true) { _ = try tok.decode(batch: tokens, steps: steps, dims: dims, threads: threads) }
            swift.append(Measurement(threads: threads, encodePerSecond: enc, decodePerSecond: dec))
        }

        var lines = [
            "FAST benchmark: \(chunks) chunks of \(steps) steps x \(dims) dims (arm data at \(steps) Hz, seed 1), gamma 10, vocabulary 1024",
            String(format: "Swift: fit %.2f s; vocabulary %d (%d coefficient symbols from %d, %d merges); %.2f tokens/chunk; normalised RMSE %.4f",
                   fitSeconds, tok.vocabularySize, tok.model!.baseSize, tok.minCoefficient, tok.model!.merges.count, perChunk, rmse),
        ]
        #if DEBUG
        lines.append("note: debug build; build with -c release for meaningful numbers")
        #endif
        let py = python ?? ProcessInfo.processInfo.environment["FAST_REFERENCE_PYTHON"]
        var reference: [String: Any]? = nil
        if let py, !py.isEmpty {
            progress("running the Python reference with \(py)")
            do { reference = try runPython(py, script: script, set: set, seconds: seconds) } catch {
                lines.append("Python reference failed: \(error)")
            }
        } else {
            lines.append("Python reference skipped: pass --python PATH or set FAST_REFERENCE_PYTHON (see benchmarks/README.md)")
        }
        let results = reference?["results"] as? [String: [String: Any]]
        if let r = results?["1"] {
            lines.append(String(format: "Python %@ (numpy %@, scipy %@, tokenizers %@): fit %.2f s; vocabulary %d; %.2f tokens/chunk; normalised RMSE %.4f; %d decode failures",
                                (reference?["python"] as? String ?? "?") as NSString, (r["numpy"] as? String ?? "?") as NSString,
                                (r["scipy"] as? String ?? "?") as NSString, (r["tokenizers"] as? String ?? "?") as NSString,
                                r["fit_seconds"] as? Double ?? .nan, r["vocabulary"] as? Int ?? 0,
                                r["tokens_per_chunk"] as? Double ?? .nan, r["normalised_rmse"] as? Double ?? .nan, r["decode_failures"] as? Int ?? -1))
        }
        if let first = results?["1"]?["first_tokens"] as? [[Int]] {
            let same = zip(first, tokens).filter { $0 == $1 }.count
            lines.append("identical token ids (Swift vs Python BPE) on the first \(first.count) chunks: \(same) of \(first.count)")
        }
        lines.append("threads  Swift enc/s  Swift dec/s  Python enc/s  Python dec/s  enc ratio  dec ratio")
        var verdicts: [String] = []
        for m in swift {
            let r = results?["\(m.threads)"]
            let pe = r?["encode_per_second"] as? Double, pd = r?["decode_per_second"] as? Double
            let cell = { (v: Double?) in v.map { String(format: "%.0f", $0) } ?? "-" }
            let ratio = { (a: Double, b: Double?) in b.map { String(format: "%.2fx", a / $0) } ?? "-" }
            let cells = [String(m.threads), cell(m.encodePerSecond), cell(m.decodePerSecond), cell(pe), cell(pd),
                         ratio(m.encodePerSecond, pe), ratio(m.decodePerSecond, pd)]
            lines.append(zip(cells, [7, 12, 12, 13, 13, 10, 10]).map { String(repeating: " ", count: max(0, $1 - $0.count)) + $0 }.joined(separator: " "))
            if let pe, let pd {
                verdicts.append("\(m.threads) thread(s): encode \(m.encodePerSecond / pe >= 5 ? "meets" : "MISSES") the 5x target, decode \(m.decodePerSecond / pd >= 3 ? "meets" : "MISSES") the 3x target")
            }
        }
        if let pt = results?["1"]?["tokens_per_chunk"] as? Double {
            let diff = abs(perChunk - pt) / pt
            verdicts.append(String(format: "tokens per chunk: Swift %.2f, Python %.2f, difference %.1f %% (%@ 10 %%)",
                                   perChunk, pt, 100 * diff, (diff <= 0.10 ? "within" : "OUTSIDE") as NSString))
        }
        return (lines + verdicts).joined(separator: "\n")
    }

    /// RMSE between original and decoded values in the normalised space (clipped to [-1, 1]).
    static func normalisedRMSE(_ a: [ActionChunk], _ b: [ActionChunk], _ tok: FASTTokenizer) -> Double {
        var sum = 0.0, n = 0
        for (x, y) in zip(a, b) {
            for i in 0..<x.values.count {
                let (lo, hi) = tok.percentiles(dimension: i % x.dims)
                let f = { (v: Double) in min(1, max(-1, 2 * (v - lo) / (hi - lo + 1e-8) - 1)) }
                let e = f(x.values[i]) - f(y.values[i])
                sum += e * e; n += 1
            }
        }
        return (sum / Double(n)).squareRoot()
    }

    /// Writes the chunks to a temporary `.npy` file, runs the Python script on 1 and 2 threads and
    /// returns its JSON result.
    static func runPython(_ python: String, script: URL?, set: ChunkSet, seconds: Double) throws -> [String: Any] {
        guard let script = script ?? PackageRoot.ofBuild()?.appendingPathComponent("benchmarks/fast_reference.py")
            ?? PackageRoot.find()?.appendingPathComponent("benchmarks/fast_reference.py") else {
            throw BenchmarkError("cannot find benchmarks/fast_reference.py; pass its path")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fast-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let npy = dir.appendingPathComponent("chunks.npy")
        try NPY.write(NPYArray(shape: [set.count, set.steps, set.dims], values: set.flatValues), to: npy)
        let command = [python, script.path, "--data", npy.path, "--gamma", "10", "--vocabulary", "1024",
                       "--seconds", "\(seconds)", "--threads", "1", "2"]
        let output = try Subprocess.output(command)
        guard let last = output.split(separator: "\n").last,
              let json = try? JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any] else {
            throw BenchmarkError("`\(command.joined(separator: " "))` printed no JSON result on its last line")
        }
        return json
    }

    struct BenchmarkError: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }
}
