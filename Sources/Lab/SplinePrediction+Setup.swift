import Policies
import Support
import Tokenizers

extension SplinePrediction {
    /// The settings every cell of an experiment shares: model, training, data sizes, tokenizer settings.
    public struct Setup {
        public var policy: TokenPolicyConfig
        public var trainExamples: Int, testExamples: Int
        /// Per-tokenizer settings, windows per sequence and seeds (see ``TokenizerSettings``).
        public var settings: TokenizerSettings

        /// Reads the `policy` table (``TokenPolicyConfig``'s keys), `train_examples`, `test_examples`,
        /// `settings` and `windows_per_sequence`, and validates every tokenizer's settings (for
        /// `tokenizers`) before anything runs.
        public init(_ p: ParameterReader, tokenizers: [String]) throws {
            let table = try p.table("policy", required: true)
            var c = try TokenPolicyConfig(table)
            // A progress line every fifth of training (every 50 steps at the most often), unless the table sets one.
            if !table.keys.contains("progress_every") { c.progressEvery = max(50, c.trainingSteps / 5) }
            policy = c
            trainExamples = try p.int("train_examples", in: 2...10_000_000)
            testExamples = try p.int("test_examples", in: 1...10_000_000)
            settings = try TokenizerSettings(p, tokenizers: tokenizers)
        }

        /// The cell spec of tokenizer `name` at `steps` with `seed`.
        public func spec(_ name: String, steps: Int, seed: UInt64) -> Spec {
            Spec(tokenizer: name, settings: settings.table(name, steps: steps, seed: seed).canonicalJSON, steps: steps, seed: seed,
                 trainExamples: trainExamples, testExamples: testExamples, policy: policy)
        }
    }
}
