import Policies
import Support
import Tokenizers

extension SplinePrediction {
    /// The settings every cell of an experiment shares: model, training, data sizes, tokenizer settings.
    public struct Setup {
        public var policy: TokenPolicyConfig
        public var trainExamples: Int, testExamples: Int
        /// Per-tokenizer settings tables (a tokenizer without one uses its defaults).
        public var settings: ParameterValue
        /// Windows per sequence for tokenizers that cut a sequence into windows of a `window`
        /// setting (the residual VQ): their window is `ceil(steps / n)` in every cell (n windows when
        /// n divides the steps, fewer otherwise), so a window lasts the same time at every rate and
        /// their token count does not grow with it.
        public var windowsPerSequence: [String: Int]

        /// Reads `d_model`, `heads`, `layers`, `train_steps`, `batch_size`, `learning_rate`,
        /// `warmup_steps`, `train_examples`, `test_examples`, `settings` and `windows_per_sequence`,
        /// and validates every tokenizer's settings (for `tokenizers`) before anything runs.
        public init(_ p: ParameterReader, tokenizers: [String]) throws {
            var c = TokenPolicyConfig.defaults
            c.dModel = try p.int("d_model", in: 1...4096)
            c.heads = try p.int("heads", in: 1...64)
            c.layers = try p.int("layers", in: 1...64)
            c.trainingSteps = try p.int("train_steps", in: 1...10_000_000)
            c.batchSize = try p.int("batch_size", in: 1...65_536)
            c.learningRate = Float(try p.double("learning_rate", in: 1e-8...10))
            c.warmupSteps = try p.int("warmup_steps", in: 0...10_000_000)
            c.progressEvery = max(50, c.trainingSteps / 5)
            try c.validate(location: p.location)
            policy = c
            trainExamples = try p.int("train_examples", in: 2...10_000_000)
            testExamples = try p.int("test_examples", in: 1...10_000_000)
            let table = try p.table("settings")
            for key in table.keys where !TokenizerRegistry.names.contains(key) {
                throw ConfigError(location: table.location, key: key, problem: "settings for an unknown tokenizer; registered: \(TokenizerRegistry.names.joined(separator: ", "))")
            }
            for key in table.keys { _ = table.value(key) }
            settings = p.value("settings") ?? .table([])
            let windows = try p.table("windows_per_sequence")
            var perSequence: [String: Int] = [:]
            for key in windows.keys {
                guard TokenizerRegistry.names.contains(key) else {
                    throw ConfigError(location: windows.location, key: key, problem: "windows for an unknown tokenizer; registered: \(TokenizerRegistry.names.joined(separator: ", "))")
                }
                perSequence[key] = try windows.int(key, in: 1...100_000)
            }
            windowsPerSequence = perSequence
            // Every settings table is validated, also those of tokenizers this profile does not run.
            for t in Set(tokenizers + table.keys).sorted() { _ = try make(t, location: "\(p.location): settings.\(t)") }
        }

        /// The settings table of tokenizer `name` (empty when it has none) for sequences of `steps`
        /// steps in seed `seed`: with its window set when it is cut into a fixed number of windows,
        /// and, for a tokenizer whose fit is random, a seed drawn from `seed` unless the table sets one.
        public func table(_ name: String, steps: Int? = nil, seed: UInt64? = nil) -> ParameterValue {
            var t = settings[name] ?? .table([])
            if let n = windowsPerSequence[name], let steps {
                t = t.merged(with: .table([("window", .int((steps + n - 1) / n))]))
            }
            if let seed, let d = try? TokenizerRegistry.descriptor(name) {
                t = d.settings(t, seed: SeededGenerator(seed: seed).derived("tokenizer-\(name)").seed)
            }
            return t
        }

        /// A new unfitted tokenizer `name` with its settings, for sequences of `steps` steps in seed `seed`.
        public func make(_ name: String, steps: Int? = nil, seed: UInt64? = nil, location: String) throws -> any ActionTokenizer {
            try TokenizerRegistry.make(name, parameters: ParameterReader(table(name, steps: steps, seed: seed), location: location))
        }

        /// The cell spec of tokenizer `name` at `steps` with `seed`.
        public func spec(_ name: String, steps: Int, seed: UInt64) -> Spec {
            Spec(tokenizer: name, settings: table(name, steps: steps, seed: seed).canonicalJSON, steps: steps, seed: seed,
                 trainExamples: trainExamples, testExamples: testExamples, policy: policy)
        }
    }
}
