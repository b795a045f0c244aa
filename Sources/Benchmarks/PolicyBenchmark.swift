import Engine
import Foundation
import Policies
import Support

/// The token policy's training and decoding speed behind `workbench bench policy`.
///
/// For each sequence length, the default ``TokenPolicyConfig`` (progress after every step, one
/// sequence for the final loss, one warm-up step of the rate schedule) trains on 256 random
/// sequences of that many ids with 4 × 2 random conditions, seeded by the length, for 3 untimed
/// and `steps` timed steps; then 64 of the conditions are decoded greedily to exactly that many
/// tokens. Reported per length: training steps and tokens per second, decoded tokens per second.
public enum PolicyBenchmark {
    /// Untimed training steps before the timed ones.
    public static let warmUpSteps = 3
    /// Sequences the policy trains on, per length.
    public static let sequenceCount = 256
    /// Conditions decoded per length.
    public static let decodedConditions = 64

    /// Runs the benchmark and returns the printed report.
    ///
    /// - Parameters:
    ///   - threads: engine threads.
    ///   - steps: timed training steps per length.
    ///   - vocabulary: token ids in the random sequences (the policy adds its two special ids).
    ///   - lengths: sequence lengths, in tokens.
    ///   - progress: receives one line per length.
    public static func run(threads: Int = 2, steps timed: Int = 40, vocabulary: Int = 256, lengths: [Int] = [25, 50, 100, 200],
                           progress: (String) -> Void = { _ in }) throws -> String {
        let warm = warmUpSteps
        Parallel.setThreads(threads)
        var config = TokenPolicyConfig.defaults
        config.progressEvery = 1
        config.finalLossSequences = 1
        config.warmupSteps = 1
        config.trainingSteps = warm + timed
        var lines = [
            "Policy benchmark: dModel \(config.dModel), \(config.layers) layers, \(config.heads) heads, batch \(config.batchSize), vocabulary \(vocabulary) + 2, prefix 4 × 2, \(threads) thread(s), \(timed) timed steps",
            "tokens  row (BOS+tokens)  positions  steps/s  train tokens/s  decode tokens/s (\(decodedConditions) conditions, fixed)",
        ]
        #if DEBUG
        lines.append("note: debug build; build with -c release for meaningful numbers")
        #endif
        for tokens in lengths {
            progress("training on \(sequenceCount) sequences of \(tokens) tokens for \(warm + timed) steps")
            var rng = SeededGenerator(seed: UInt64(tokens))
            let n = sequenceCount
            let sequences = (0..<n).map { _ in (0..<tokens).map { _ in rng.nextInt(below: vocabulary) } }
            let conditions = (0..<n).map { _ in (0..<8).map { _ in Float(rng.nextUniform(-1, 1)) } }
            let set = try TokenSequenceSet(sequences: sequences, conditions: conditions, prefixLength: 4, conditionDim: 2, vocabulary: vocabulary)
            let policy = try TokenPolicy(config: config, for: set, seed: 1)
            var elapsed: [Double] = []
            try policy.train(set) { elapsed.append($0.elapsed) }
            let stepsPerSecond = Double(timed) / (elapsed[warm + timed - 1] - elapsed[warm - 1])
            var out: [[Int]] = []
            let decodeSeconds = try Stopwatch.seconds {
                out = try policy.generate(conditions: Array(conditions.prefix(decodedConditions)), length: .fixed(tokens))
            }
            let decode = Double(out.count * tokens) / decodeSeconds
            lines.append(String(format: "%6d  %16d  %9d  %7.2f  %14.0f  %15.0f", tokens, tokens + 1, tokens + 5, stepsPerSecond,
                                stepsPerSecond * Double(config.batchSize * (tokens + 1)), decode))
        }
        return lines.joined(separator: "\n")
    }
}
