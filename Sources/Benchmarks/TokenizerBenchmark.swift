import ActionData
import Foundation
import Support
import Tokenizers

/// Encode and decode throughput of every registered tokenizer, behind `workbench bench tokenizers`.
///
/// Each tokenizer of ``TokenizerRegistry/all`` with its default settings is fitted on `chunks`
/// chunks of the arm data (``RobotArmGenerator`` at `frequency` Hz, seed 1), then encodes every
/// chunk and decodes every token list, one chunk at a time, repeatedly for at least `seconds`.
public enum TokenizerBenchmark {
    /// Runs the benchmark; `line` receives the report line by line as it is measured.
    public static func run(chunks: Int = 2000, frequency: Double = 10, seconds: Double = 1, line: (String) -> Void) throws {
        let data = try RobotArmGenerator(frequency: frequency).chunks(count: chunks, seed: 1)
        line("Arm data: \(data.count) chunks of \(data.steps) steps x \(data.dims) dims (\(Int(frequency)) Hz)")
        line("tokenizer      fit (s)  tokens/chunk  encode (chunks/s)  decode (chunks/s)")
        for d in TokenizerRegistry.all {
            let tok = try d.make(.empty(location: d.name))
            let fitTime = try Stopwatch.seconds { try tok.fit(data) }
            let tokens = try data.chunks.map { try tok.encode($0) }
            let enc = try Stopwatch.rate(items: chunks, atLeast: seconds) { for c in data.chunks { _ = try tok.encode(c) } }
            let dec = try Stopwatch.rate(items: chunks, atLeast: seconds) { for t in tokens { _ = try tok.decode(t, steps: data.steps, dims: data.dims) } }
            let perChunk = Double(tokens.map(\.count).reduce(0, +)) / Double(tokens.count)
            line(String(format: "%-12@ %9.3f %13.1f %18.0f %18.0f", d.name as NSString, fitTime, perChunk, enc, dec))
        }
    }
}
