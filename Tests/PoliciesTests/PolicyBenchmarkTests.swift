import XCTest
import Foundation
import Engine
import Support
import Policies

/// Training and decoding speed of the default policy; runs only with `POLICY_BENCH=1` and asserts
/// nothing about time (speed targets never live in unit tests). Use a release build:
/// `POLICY_BENCH=1 swift test -c release -Xswiftc -enable-testing --disable-swift-testing --filter PolicyBenchmarkTests`
/// (optional: `POLICY_BENCH_THREADS` (2), `POLICY_BENCH_STEPS` (40 timed steps), `POLICY_BENCH_VOCAB` (256),
/// `POLICY_BENCH_TOKENS` (sequence lengths, default 25,50,100,200)).
final class PolicyBenchmarkTests: XCTestCase {
    func testTrainingSpeed() throws {
        guard ProcessInfo.processInfo.environment["POLICY_BENCH"] == "1" else {
            throw XCTSkip("set POLICY_BENCH=1 to measure the policy's speed")
        }
        let threads = Int(ProcessInfo.processInfo.environment["POLICY_BENCH_THREADS"] ?? "") ?? 2
        let timed = Int(ProcessInfo.processInfo.environment["POLICY_BENCH_STEPS"] ?? "") ?? 40
        let vocabulary = Int(ProcessInfo.processInfo.environment["POLICY_BENCH_VOCAB"] ?? "") ?? 256
        let warm = 3
        Parallel.setThreads(threads)
        var config = TokenPolicyConfig.defaults
        config.progressEvery = 1
        config.finalLossSequences = 1
        config.warmupSteps = 1
        config.trainingSteps = warm + timed
        print("Policy benchmark: dModel \(config.dModel), \(config.layers) layers, \(config.heads) heads, batch \(config.batchSize), vocabulary \(vocabulary) + 2, prefix 4 × 2, \(threads) thread(s), \(timed) timed steps")
        print("tokens  row (BOS+tokens)  positions  steps/s  train tokens/s  decode tokens/s (64 conditions, fixed)")
        let lengths = (ProcessInfo.processInfo.environment["POLICY_BENCH_TOKENS"] ?? "25,50,100,200").split(separator: ",").compactMap { Int($0) }
        for tokens in lengths {
            var rng = SeededGenerator(seed: UInt64(tokens))
            let n = 256
            let sequences = (0..<n).map { _ in (0..<tokens).map { _ in rng.nextInt(below: vocabulary) } }
            let conditions = (0..<n).map { _ in (0..<8).map { _ in Float(rng.nextUniform(-1, 1)) } }
            let set = try TokenSequenceSet(sequences: sequences, conditions: conditions, prefixLength: 4, conditionDim: 2, vocabulary: vocabulary)
            let policy = try TokenPolicy(config: config, for: set, seed: 1)
            var elapsed: [Double] = []
            try policy.train(set) { elapsed.append($0.elapsed) }
            let stepsPerSecond = Double(timed) / (elapsed[warm + timed - 1] - elapsed[warm - 1])
            let g0 = monotonicSeconds()
            let out = try policy.generate(conditions: Array(conditions.prefix(64)), length: .fixed(tokens))
            let decode = Double(out.count * tokens) / (monotonicSeconds() - g0)
            print(String(format: "%6d  %16d  %9d  %7.2f  %14.0f  %15.0f", tokens, tokens + 1, tokens + 5, stepsPerSecond,
                         stepsPerSecond * Double(config.batchSize * (tokens + 1)), decode))
        }
    }
}
