import ActionData
import Figures
import Foundation
import Lab
import Policies
import Support
import Tokenizers
import Experiments

/// Evaluation chapter: the FAST paper's didactic experiment (its Figure 3), rebuilt.
///
/// For every sampling rate, tokenizer and seed, one ``SplinePrediction`` cell: the same small
/// autoregressive transformer is trained on the tokenized splines and predicts held-out ones. The
/// claims compare per-step binning, whose error should rise with the rate until the model copies,
/// with FAST, whose error should stay low and flat with far fewer tokens.
public struct FrequencySweep: Experiment {
    public let chapter = "evaluation"
    /// The experiment file's name: `frequency-sweep`, or `collapse-regime` (the same sweep at the
    /// full profile's highest rates only, see ``Experiments/Chapter/evaluation``).
    public let name: String

    public init(name: String = "frequency-sweep") { self.name = name }

    /// The statistics its claims may name, each with the `select` keys it reads (`policy` instead
    /// of `tokenizer` for a continuous policy, whose statistics are the first three).
    public var statistics: [String: [String]] {
        ["error_growth": ["tokenizer", "policy"], "error_trend": ["tokenizer", "policy"], "relative_mse": ["tokenizer", "policy"],
         "constant_share": ["tokenizer"], "token_ratio": ["tokenizer"]]
    }

    public struct Config {
        /// Steps per sequence, ascending.
        let rates: [Int]
        /// Registry names, in table order.
        let tokenizers: [String]
        /// Continuous policies (``PolicyRegistry`` names) trained on the same splines, in table order.
        let methods: [String]
        /// The per-step binning tokenizer and FAST's name.
        let baseline: String, compressor: String
        /// Model, training, data sizes and tokenizer settings shared by every cell.
        let setup: SplinePrediction.Setup
    }

    public func configure(_ p: ParameterReader) throws -> Config {
        let tokenizers = try p.strings("tokenizers", allowed: TokenizerRegistry.names)
        let rates = try p.ints("rates_steps", in: 2...100_000)
        guard rates.count >= 2, Set(rates).count == rates.count else {
            throw ConfigError(location: p.location, key: "rates_steps", problem: "expected at least two distinct rates, found \(rates)")
        }
        let methods = try p.strings("policies", default: [], allowed: PolicyRegistry.names)
        let setup = try SplinePrediction.Setup(p, tokenizers: tokenizers, methods: methods)
        return Config(rates: rates.sorted(), tokenizers: tokenizers, methods: methods,
                      baseline: try p.string("baseline", allowed: tokenizers), compressor: try p.string("compressor", allowed: tokenizers),
                      setup: setup)
    }

    struct Key: Hashable { let tokenizer: String; let steps: Int }

    /// One seed's cells: the token models' and the continuous policies'.
    struct SeedCells {
        var tokens: [Key: SplinePrediction.Cell] = [:]
        var continuous: [Key: SplinePrediction.ContinuousCell] = [:]
    }

    public func run(_ c: Config, context: RunContext) throws -> ExperimentOutcome {
        let total = context.seeds.count * c.rates.count * (c.tokenizers.count + c.methods.count)
        let contenders = (c.tokenizers + c.methods).joined(separator: ", ")
        let weight = Double(context.seeds.count * c.rates.reduce(0, +) * (c.tokenizers.count + c.methods.count))
        context.progress.begin(total: total, weight: weight, "training \(total) models (\(contenders) at \(c.rates.map(String.init).joined(separator: ", ")) steps per sequence)")
        // Every cell of every seed as one batch per kind (token models, then continuous policies).
        let tokenJobs = context.seeds.flatMap { seed in c.rates.flatMap { steps in c.tokenizers.map { SplinePrediction.Job(seed: seed, steps: steps, name: $0) } } }
        let methodJobs = context.seeds.flatMap { seed in c.rates.flatMap { steps in c.methods.map { SplinePrediction.Job(seed: seed, steps: steps, name: $0) } } }
        let (tokenCells, methodCells) = try SplinePrediction.run(tokens: tokenJobs, methods: methodJobs, setup: c.setup, context: context)
        var perSeed: [SeedCells] = []
        var hashes: [String] = []
        for seed in context.seeds {
            var cells = SeedCells()
            for (j, cell) in zip(tokenJobs, tokenCells) where j.seed == seed { cells.tokens[Key(tokenizer: j.name, steps: j.steps)] = cell }
            for (j, cell) in zip(methodJobs, methodCells) where j.seed == seed { cells.continuous[Key(tokenizer: j.name, steps: j.steps)] = cell }
            for steps in c.rates {
                hashes.append(try SplinePrediction.data(c.setup.spec(c.tokenizers[0], steps: steps, seed: seed)).train.contentHash)
            }
            perSeed.append(cells)
        }
        return outcome(c, perSeed: perSeed, inputHash: StableHash.sha256Hex(hashes.joined()))
    }
}
