import ActionData
import Figures
import Foundation
import Lab
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
    public let name = "frequency-sweep"

    public init() {}

    public struct Config {
        /// Steps per sequence, ascending.
        let rates: [Int]
        /// Registry names, in table order.
        let tokenizers: [String]
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
        return Config(rates: rates.sorted(), tokenizers: tokenizers,
                      baseline: try p.string("baseline", allowed: tokenizers), compressor: try p.string("compressor", allowed: tokenizers),
                      setup: try SplinePrediction.Setup(p, tokenizers: tokenizers))
    }

    struct Key: Hashable { let tokenizer: String; let steps: Int }

    public func run(_ c: Config, context: RunContext) throws -> ExperimentOutcome {
        let total = context.seeds.count * c.rates.count * c.tokenizers.count
        context.progress.begin(total: total, "training \(total) models (\(c.tokenizers.joined(separator: ", ")) at \(c.rates.map(String.init).joined(separator: ", ")) steps per sequence)")
        var perSeed: [[Key: SplinePrediction.Cell]] = []
        var hashes: [String] = []
        for seed in context.seeds {
            var cells: [Key: SplinePrediction.Cell] = [:]
            for steps in c.rates {
                for name in c.tokenizers {
                    let spec = c.setup.spec(name, steps: steps, seed: seed)
                    let label = "\(name) · \(steps) steps · seed \(seed)"
                    let (cell, resumed) = try SplinePrediction.run(spec, cells: context.cells) { context.progress.say("  \(label) · \($0)") }
                    cells[Key(tokenizer: name, steps: steps)] = cell
                    context.progress.step(label + (resumed ? " (resumed from an interrupted run)" : String(format: " · trained in %.0f s", cell.trainSeconds)),
                                          loss: cell.finalLoss)
                }
                hashes.append(try SplinePrediction.data(c.setup.spec(c.tokenizers[0], steps: steps, seed: seed)).train.contentHash)
            }
            perSeed.append(cells)
        }
        return outcome(c, perSeed: perSeed, inputHash: StableHash.sha256Hex(hashes.joined()))
    }
}
