import ActionData
import Experiments
import Figures
import Foundation
import Lab
import Metrics
import Policies
import Support
import Tokenizers

/// Evaluation chapter: every registered tokenizer on the same axes, beside the audit's ratings.
///
/// Per tokenizer: tokens per one-second arm chunk at a few rates, reconstruction error and encode
/// and decode time at the highest of them, the spline-prediction error at one middle rate (a
/// ``SplinePrediction`` cell, shared with the frequency sweep), and decode failures. A measured
/// class (best in class, good, situational, best avoided) follows from a rule in the experiment
/// file and is set beside the audit's colour rating for high-frequency control.
public struct Scorecard: Experiment {
    public let chapter = "evaluation"
    public let name = "scorecard"

    public init() {}

    /// The statistics its claims may name, each with the `select` keys it reads.
    public var statistics: [String: [String]] { ["class_index": ["tokenizer", "recipe"]] }

    /// The audit's four colour ratings, best first.
    enum Rating: String, CaseIterable {
        case best, good, situational, avoid

        var label: String {
            switch self {
            case .best: return "🔵 best in class"
            case .good: return "🟢 good"
            case .situational: return "🟡 situational"
            case .avoid: return "🔴 best avoided"
            }
        }
    }

    public struct Config {
        let tokenizers: [String], baseline: String
        let frequencies: [Double]
        let fitChunks: Int, evalChunks: Int, timingSeconds: Double
        let predictionSteps: Int, predictionTokenizers: [String]
        /// Continuous policies (``PolicyRegistry`` names) scored on the same spline cell as the tokenizers.
        let predictionPolicies: [String]
        let setup: SplinePrediction.Setup
        /// The audit's rating per tokenizer or continuous policy (those it does not rate are absent).
        let audit: [String: Rating]
        /// The measured-class thresholds.
        let bestMSE: Double, bestTokens: Double, goodMSE: Double, situationalMSE: Double

        /// Every tokenizer measurement: each tokenizer, then each under the book's earlier recipe
        /// (`[parameters.earlier_settings]`, an ablation) in table order.
        var measured: [(name: String, recipe: Recipe)] { setup.settings.measured(tokenizers) }
        /// The tokenizers measured under the earlier recipe.
        var earlier: [String] { measured.filter { $0.recipe == .earlier }.map(\.name) }
    }

    public func configure(_ p: ParameterReader) throws -> Config {
        let tokenizers = try p.strings("tokenizers", allowed: TokenizerRegistry.names)
        let policies = try p.strings("prediction_policies", default: [], allowed: PolicyRegistry.names)
        let auditTable = try p.table("audit")
        var audit: [String: Rating] = [:]
        for key in auditTable.keys {
            guard tokenizers.contains(key) || PolicyRegistry.names.contains(key) else {
                throw ConfigError(location: auditTable.location, key: key, problem: "a rating for a tokenizer not in the scorecard and not a continuous policy")
            }
            audit[key] = Rating(rawValue: try auditTable.string(key, allowed: Rating.allCases.map(\.rawValue)))
        }
        try auditTable.finish()
        let rating = try p.table("rating", required: true)
        let c = Config(tokenizers: tokenizers, baseline: try p.string("baseline", allowed: tokenizers),
                       frequencies: try p.doubles("frequencies_hz", in: 1...1000).sorted(),
                       fitChunks: try p.int("fit_chunks", in: 2...1_000_000), evalChunks: try p.int("eval_chunks", in: 1...1_000_000),
                       timingSeconds: try p.double("timing_seconds", in: 0...60),
                       predictionSteps: try p.int("prediction_steps", in: 2...100_000),
                       predictionTokenizers: try p.strings("prediction_tokenizers", allowed: tokenizers), predictionPolicies: policies,
                       setup: try SplinePrediction.Setup(p, tokenizers: tokenizers, methods: policies, earlier: true), audit: audit,
                       bestMSE: try rating.double("best_mse", in: 1...1e6), bestTokens: try rating.double("best_tokens", in: 0...1e6),
                       goodMSE: try rating.double("good_mse", in: 1...1e6), situationalMSE: try rating.double("situational_mse", in: 1...1e6))
        try rating.finish()
        guard c.bestMSE <= c.goodMSE, c.goodMSE <= c.situationalMSE else {
            throw ConfigError(location: rating.location, key: "good_mse", problem: "expected best_mse <= good_mse <= situational_mse")
        }
        return c
    }

    /// One tokenizer's measurements in one seed.
    struct Row: Codable {
        /// Tokens per one-second arm chunk at each rate of `frequencies`.
        var tokens: [Double]
        /// Relative reconstruction RMSE at the highest rate.
        var relativeRMSE: Double
        /// A learned tokenizer's unquantised floor there: its autoencoder's relative RMSE with no quantiser (nil: none).
        var floorRelativeRMSE: Double? = nil
        /// Microseconds to encode and to decode one chunk at the highest rate (machine-dependent).
        var encodeMicros: Double, decodeMicros: Double
        /// The spline-prediction cell, when this tokenizer has one.
        var prediction: SplinePrediction.Cell?
    }

    /// One seed's measurements: a row per tokenizer (and per earlier-recipe variant, keyed
    /// `name@earlier`), a prediction cell per continuous policy.
    struct SeedRows {
        var rows: [String: Row]
        var continuous: [String: SplinePrediction.ContinuousCell]

        /// The rows as they stand under `recipe`: under the earlier recipe each variant in place of
        /// its tokenizer, so that the classes are taken again against that set's best.
        func under(_ recipe: Recipe, _ settings: TokenizerSettings) -> SeedRows {
            guard recipe == .earlier else { return self }
            var r = self
            for name in settings.earlierNames { if let v = rows[Recipe.earlier.key(name)] { r.rows[name] = v } }
            return r
        }
    }

    public func run(_ c: Config, context: RunContext) throws -> ExperimentOutcome {
        let predicted = c.measured.filter { c.predictionTokenizers.contains($0.name) }
        let models = predicted.count + c.predictionPolicies.count
        let total = context.seeds.count * (c.measured.count + models)
        // A model weighs its steps per sequence, a tokenizer measured on the arm data one.
        let variants = c.earlier.isEmpty ? "" : " (\(c.earlier.count) more under the earlier recipe)"
        let weight = Double(context.seeds.count * (c.measured.count + models * c.predictionSteps))
        context.progress.begin(total: total, weight: weight, "measuring \(c.tokenizers.count) tokenizers\(variants) and training \(models) models per seed")
        let arms = try context.cells(context.seeds, label: { "seed \($0) · arm data" }) { seed in try measureOnArm(c, seed: seed, context: context) }
        // Every seed's prediction cells as one batch per kind (token models, then continuous policies).
        let tokenJobs = context.seeds.flatMap { seed in predicted.map { SplinePrediction.Job(seed: seed, steps: c.predictionSteps, name: $0.name, recipe: $0.recipe) } }
        let methodJobs = context.seeds.flatMap { seed in c.predictionPolicies.map { SplinePrediction.Job(seed: seed, steps: c.predictionSteps, name: $0) } }
        let (tokenCells, methodCells) = try SplinePrediction.run(tokens: tokenJobs, methods: methodJobs, setup: c.setup, context: context)
        var perSeed: [SeedRows] = []
        var hashes: [String] = []
        for (seed, arm) in zip(context.seeds, arms) {
            hashes += arm.hashes
            var rows = arm.rows
            for (j, cell) in zip(tokenJobs, tokenCells) where j.seed == seed { rows[j.recipe.key(j.name)]!.prediction = cell }
            var continuous: [String: SplinePrediction.ContinuousCell] = [:]
            for (j, cell) in zip(methodJobs, methodCells) where j.seed == seed { continuous[j.name] = cell }
            perSeed.append(SeedRows(rows: rows, continuous: continuous))
        }
        return try outcome(c, perSeed: perSeed, claims: context.claims, inputHash: StableHash.sha256Hex(hashes.joined()))
    }

    /// One seed's measurements on the arm data (every row but its prediction), and the data's hashes.
    struct ArmCells: Codable { var rows: [String: Row]; var hashes: [String] }

    /// Tokens per chunk at every arm rate, and reconstruction and timing at the highest, for every
    /// tokenizer and earlier-recipe variant (fitted from the same seed as its tokenizer).
    func measureOnArm(_ c: Config, seed: UInt64, context: RunContext) throws -> ArmCells {
        let rng = context.generator(seed: seed)
        var rows: [String: Row] = [:], hashes: [String] = []
        var sets: [(fit: ChunkSet, eval: ChunkSet)] = []
        for hz in c.frequencies {
            let pair = try DataSource.arm.split(fit: c.fitChunks, eval: c.evalChunks, frequency: hz, seed: rng.derived("arm-\(hz)"))
            hashes.append(pair.fit.contentHash + pair.eval.contentHash)
            sets.append(pair)
        }
        for (name, recipe) in c.measured {
            var row = Row(tokens: [], relativeRMSE: .nan, encodeMicros: .nan, decodeMicros: .nan, prediction: nil)
            for (i, pair) in sets.enumerated() {
                let tok = try c.setup.settings.make(name, steps: pair.fit.steps, seed: seed, recipe: recipe, location: "tokenizer \(name)")
                // Below the highest rate only the token count is used; a fixed count needs no fit.
                if i < sets.count - 1, let fixed = tok.tokensPerChunk(steps: pair.eval.steps, dims: pair.eval.dims) {
                    row.tokens.append(Double(fixed))
                    continue
                }
                (tok as? any ReportsProgress)?.progress = { context.progress.say("  seed \(seed) · \(recipe.label(name)) on the arm data · \($0)") }
                try tok.fit(pair.fit)
                let r = try Reconstruction.measure(tok, on: pair.eval)
                row.tokens.append(r.tokensPerChunk)
                if i == sets.count - 1 {
                    row.relativeRMSE = r.meanRelativeRMSE()
                    if let floored = tok as? any MeasuresUnquantisedFloor {
                        row.floorRelativeRMSE = try floored.unquantisedFloor(fitting: pair.fit, measuring: [pair.eval]).reconstructions[0].meanRelativeRMSE()
                    }
                    (row.encodeMicros, row.decodeMicros) = try Self.time(tok, on: pair.eval, tokens: r.tokens, seconds: c.timingSeconds)
                }
            }
            rows[recipe.key(name)] = row
            context.progress.step("seed \(seed) · \(recipe.label(name)) on the arm data")
        }
        return ArmCells(rows: rows, hashes: hashes)
    }

    /// Mean microseconds per chunk to encode `data` and to decode `tokens`, each repeated for at least `seconds`.
    static func time(_ tok: any ActionTokenizer, on data: ChunkSet, tokens: [[Int]], seconds: Double) throws -> (Double, Double) {
        func measure(_ body: () throws -> Void) rethrows -> Double {
            try 1e6 / Stopwatch.rate(items: data.count, atLeast: seconds, body)
        }
        let enc = try measure { for chunk in data.chunks { _ = try tok.encode(chunk) } }
        let dec = try measure { for t in tokens { _ = try tok.decode(t, steps: data.steps, dims: data.dims) } }
        return (enc, dec)
    }
}
