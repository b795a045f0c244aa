import Foundation
import Experiments
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
        /// Each continuous method's full settings (its defaults with `policy_settings`' table over them), by registry name.
        public var methodSettings: [String: String] = [:]
        /// Numbers of inference steps every trained continuous model is also scored at (`nfe_ablation`).
        public var ablationSteps: [Int] = []

        /// Reads the `policy` table (``TokenPolicyConfig``'s keys), `train_examples`, `test_examples`,
        /// `settings`, `windows_per_sequence`, `policy_settings` (a table per continuous method of
        /// ``PolicyRegistry``) and `nfe_ablation`, and validates every tokenizer's settings (for `tokenizers`) and every
        /// continuous method's (for `methods`) before anything runs; with `earlier`, also
        /// `earlier_settings` (see ``TokenizerSettings``).
        public init(_ p: ParameterReader, tokenizers: [String], methods: [String] = [], earlier: Bool = false) throws {
            let table = try p.table("policy", required: true)
            var c = try TokenPolicyConfig(table)
            // A progress line every fifth of training (every 50 steps at the most often), unless the table sets one.
            if !table.keys.contains("progress_every") { c.progressEvery = max(50, c.trainingSteps / 5) }
            policy = c
            trainExamples = try p.int("train_examples", in: 2...10_000_000)
            testExamples = try p.int("test_examples", in: 1...10_000_000)
            settings = try TokenizerSettings(p, tokenizers: tokenizers, earlier: earlier)
            let tables = try p.table("policy_settings")
            for key in tables.keys where !PolicyRegistry.names.contains(key) {
                throw ConfigError(location: tables.location, key: key, problem: "settings for an unknown policy; registered: \(PolicyRegistry.names.joined(separator: ", "))")
            }
            for name in Set(methods + tables.keys).sorted() {
                let table = try tables.table(name)
                methodSettings[name] = try PolicyRegistry.make(name, parameters: table).settings.canonicalJSON
            }
            try tables.finish()
            ablationSteps = try p.ints("nfe_ablation", default: [], in: 1...100_000)
            // Every method must accept every ablation setting before any work.
            for name in methods {
                for n in ablationSteps { _ = try SplinePrediction.objective(name, settings: methodSettings[name]!, inferenceSteps: n) }
            }
        }

        /// The cell spec of continuous method `name` at `steps` with `seed` (also scored at ``ablationSteps``).
        public func spec(method name: String, steps: Int, seed: UInt64) -> ContinuousSpec {
            ContinuousSpec(method: name, settings: methodSettings[name]!, steps: steps, seed: seed, trainExamples: trainExamples,
                           testExamples: testExamples, policy: policy, ablationSteps: ablationSteps)
        }

        /// The cell spec of tokenizer `name` at `steps` with `seed`, under `recipe`.
        public func spec(_ name: String, steps: Int, seed: UInt64, recipe: Recipe = .reference) -> Spec {
            Spec(tokenizer: name, settings: settings.table(name, steps: steps, seed: seed, recipe: recipe).canonicalJSON, steps: steps, seed: seed,
                 trainExamples: trainExamples, testExamples: testExamples, policy: policy)
        }
    }
}

extension SplinePrediction {
    /// One model of a sweep: a tokenizer or continuous method `name` at `steps` steps per sequence
    /// in seed `seed`; a tokenizer under `recipe` (its earlier recipe is an ablation).
    public struct Job {
        public let seed: UInt64, steps: Int, name: String, recipe: Recipe

        public init(seed: UInt64, steps: Int, name: String, recipe: Recipe = .reference) {
            self.seed = seed; self.steps = steps; self.name = name; self.recipe = recipe
        }

        /// How the terminal names it, e.g. `fast · 50 steps · seed 2`.
        public var label: String { "\(recipe.label(name)) · \(steps) steps · seed \(seed)" }
    }

    /// Trains (or reads back) the token models `tokens` and the continuous policies `methods` of
    /// `setup` as one batch of cells (spread over the run's processes or shards, most steps per
    /// sequence first), with their progress on `context`; the cells come back in the jobs' order.
    ///
    /// A cell's description is its kind and its spec's sorted-key JSON: everything its result
    /// depends on, so the frequency sweep and the scorecard share the cells they have in common.
    public static func run(tokens: [Job], methods: [Job], setup: Setup, context: RunContext) throws -> (tokens: [Cell], methods: [ContinuousCell]) {
        // Progress weighs a model by its steps per sequence (its cost grows with the sequence),
        // and a model read back costs nothing here.
        func arrived(_ job: Job, reused: Bool, seconds: Double, loss: Double) {
            context.progress.step(job.label + (reused ? " (\(RunContext.reusedNote))" : String(format: " · trained in %.0f s", seconds)), loss: loss,
                                  weight: Double(job.steps), free: reused)
        }
        let tokenSpecs = tokens.map { setup.spec($0.name, steps: $0.steps, seed: $0.seed, recipe: $0.recipe) }
        let methodSpecs = methods.map { setup.spec(method: $0.name, steps: $0.steps, seed: $0.seed) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let descriptions = try tokenSpecs.map { "spline-prediction " + String(decoding: try encoder.encode($0), as: UTF8.self) }
            + methodSpecs.map { "spline-prediction-continuous " + String(decoding: try encoder.encode($0), as: UTF8.self) }
        let jobs = tokens + methods
        let cells: [AnyCell] = try context.cells.cells(descriptions, costs: jobs.map { Double($0.steps) }, compute: { i in
            let progress = { (report: TrainingProgress) in context.progress.say("  \(jobs[i].label) · \(report)") }
            return i < tokens.count ? .token(try compute(tokenSpecs[i], progress: progress))
                                    : .continuous(try compute(methodSpecs[i - tokens.count], progress: progress))
        }, finished: { i, cell, reused in
            switch cell {
            case .token(let c): arrived(jobs[i], reused: reused, seconds: c.trainSeconds, loss: c.finalLoss)
            case .continuous(let c): arrived(jobs[i], reused: reused, seconds: c.trainSeconds, loss: c.finalLoss)
            }
        })
        var tokenCells: [Cell] = [], methodCells: [ContinuousCell] = []
        for (i, cell) in cells.enumerated() {
            switch cell {
            case .token(let c) where i < tokens.count: tokenCells.append(c)
            case .continuous(let c) where i >= tokens.count: methodCells.append(c)
            default: preconditionFailure("cell \(i) is of the other kind; a stored cell's kind follows from its description")
            }
        }
        return (tokenCells, methodCells)
    }

    /// One cell of either kind, so that token models and continuous policies share one batch.
    enum AnyCell: Codable {
        case token(Cell)
        case continuous(ContinuousCell)
    }
}
