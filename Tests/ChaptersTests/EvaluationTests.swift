import ActionData
import Foundation
import Support
import Tokenizers
import XCTest
@testable import Chapters
@testable import Experiments
@testable import Lab
@testable import Runner

/// The evaluation chapter's measures and decision rules, on hand-made data.
final class EvaluationTests: XCTestCase {
    // MARK: Decision rules on synthetic tables

    /// The frequency sweep's configuration and claims in `profile`, from the committed file.
    func sweep(_ profile: Profile = .quick) throws -> (FrequencySweep.Config, ExperimentFile) {
        let file = try ExperimentFile(root: ScratchWorkbench.repository, path: "experiments/evaluation/frequency-sweep.toml")
        let reader = try ParameterReader(file.resolved(profile), location: "test")
        _ = try reader.ints("seeds")
        let config = try FrequencySweep().configure(reader)
        try reader.finish()
        return (config, file)
    }

    static func cell(mse: Double, tokens: Double, constant: Double = 0) -> SplinePrediction.Cell {
        SplinePrediction.Cell(mse: mse, relativeMSE: mse / 0.3, reconstructionMSE: mse / 10, copyRate: 0.5, trueCopyRate: 0.4,
                              constantShare: constant, decodeFailures: 0, tokensPerSequence: tokens, predictedTokens: tokens,
                              finalLoss: 1, trainSeconds: 0, chunkSeconds: 0, exampleTruth: [0, 1], examplePrediction: [0, 1])
    }

    /// A continuous cell with `mse` at 10 steps and, at each of `ablation`'s step counts, `mse · 10 / steps`.
    static func continuous(mse: Double, ablation: [Int] = [1, 2, 5, 10]) -> SplinePrediction.ContinuousCell {
        SplinePrediction.ContinuousCell(mse: mse, relativeMSE: mse / 0.3, finalLoss: 0.1, functionEvaluations: 10,
                                        ablation: ablation.map { .init(inferenceSteps: $0, functionEvaluations: $0, mse: mse * 10 / Double($0)) },
                                        trainSeconds: 0, chunkSeconds: 0, exampleTruth: [0, 1], examplePrediction: [0, 1])
    }

    func verdicts(_ c: FrequencySweep.Config, _ file: ExperimentFile, _ perSeed: [FrequencySweep.SeedCells]) throws -> [String: Verdict.Outcome] {
        let outcome = FrequencySweep().outcome(c, perSeed: perSeed, inputHash: "")
        var result: [String: Verdict.Outcome] = [:]
        for claim in file.claims {
            let cells = try outcome.statistic(claim.statistic, try ParameterReader(claim.select, location: claim.id))
            result[claim.id] = Verdict(claim: claim, perSeed: Verdict.reduce(cells, claim.reduce)).outcome
        }
        return result
    }

    /// Three seeds of cells at every rate of `c`: binning, FAST and flow as `minmax`, `fast` and
    /// `flow` give them for rate index `i`, `steps` and seed `s`'s jitter `1 + 0.05 s`; BEAST and
    /// the residual VQ fixed.
    func pattern(_ c: FrequencySweep.Config, minmax: (_ i: Int, _ steps: Int, _ jitter: Double) -> SplinePrediction.Cell,
                 fast: (_ i: Int, _ steps: Int, _ jitter: Double) -> SplinePrediction.Cell,
                 flow: (_ i: Int, _ jitter: Double) -> Double) -> [FrequencySweep.SeedCells] {
        (0..<3).map { s -> FrequencySweep.SeedCells in
            var cells = FrequencySweep.SeedCells()
            for (i, steps) in c.rates.enumerated() {
                let jitter = 1 + 0.05 * Double(s)
                cells.tokens[.init(tokenizer: "minmax", steps: steps)] = minmax(i, steps, jitter)
                cells.tokens[.init(tokenizer: "fast", steps: steps)] = fast(i, steps, jitter)
                cells.tokens[.init(tokenizer: "beast", steps: steps)] = Self.cell(mse: 0.004, tokens: 10)
                cells.tokens[.init(tokenizer: "rvq", steps: steps)] = Self.cell(mse: 0.005, tokens: 10)
                for name in c.methods { cells.continuous[.init(tokenizer: name, steps: steps)] = Self.continuous(mse: flow(i, jitter), ablation: c.setup.ablationSteps) }
            }
            return cells
        }
    }

    func testTheFASTPaperPatternSupportsEveryClaim() throws {
        let (c, file) = try sweep()
        let perSeed = pattern(c, minmax: { i, steps, jitter in
            Self.cell(mse: 0.002 * pow(3, Double(i)) * jitter, tokens: Double(steps), constant: i == c.rates.count - 1 ? 0.8 : 0)
        }, fast: { i, _, jitter in Self.cell(mse: 0.003 * jitter, tokens: 8 + Double(i)) }, flow: { _, jitter in 0.002 * jitter })
        let v = try verdicts(c, file, perSeed)
        XCTAssertEqual(v.count, file.claims.count)
        for (id, outcome) in v { XCTAssertEqual(outcome, .supported, id) }
    }

    func testTheOppositePatternSupportsNone() throws {
        let (c, file) = try sweep()
        // Binning gets better with the rate and never copies; FAST gets worse and long.
        let perSeed = pattern(c, minmax: { i, steps, jitter in Self.cell(mse: 0.01 / pow(2, Double(i)) * jitter, tokens: Double(steps)) },
                              fast: { i, steps, jitter in Self.cell(mse: 0.01 * pow(3, Double(i)) * jitter, tokens: Double(steps) / 2) },
                              flow: { i, jitter in 0.01 * pow(3, Double(i)) * jitter })
        let v = try verdicts(c, file, perSeed)
        for (id, outcome) in v { XCTAssertEqual(outcome, .notSupported, id) }
    }

    func testScorecardSharesTheSweepsCells() throws {
        // The scorecard reuses the sweep's trained cells only if every setting of the task matches.
        for profile in Profile.allCases {
            let (sweep, _) = try self.sweep(profile)
            let file = try ExperimentFile(root: ScratchWorkbench.repository, path: "experiments/evaluation/scorecard.toml")
            let reader = try ParameterReader(file.resolved(profile), location: "test")
            _ = try reader.ints("seeds")
            let card = try Scorecard().configure(reader)
            for name in card.predictionTokenizers where sweep.tokenizers.contains(name) {
                XCTAssertEqual(card.setup.spec(name, steps: 25, seed: 1), sweep.setup.spec(name, steps: 25, seed: 1), "\(profile) \(name)")
            }
            XCTAssertFalse(card.predictionPolicies.isEmpty, "\(profile): the scorecard scores a continuous policy")
            for name in card.predictionPolicies {
                XCTAssertTrue(sweep.methods.contains(name), "\(profile) \(name): the sweep trains it too")
                XCTAssertEqual(card.setup.spec(method: name, steps: 25, seed: 1), sweep.setup.spec(method: name, steps: 25, seed: 1), "\(profile) \(name)")
            }
        }
    }

    func testWindowedTokenizersKeepTheirWindowDurationAndGetTheCellSeed() throws {
        let (sweep, _) = try self.sweep(.quick)
        func settings(_ name: String, _ steps: Int, _ seed: UInt64) throws -> ParameterReader {
            try ParameterReader(ParameterValue.parseJSON(Data(sweep.setup.spec(name, steps: steps, seed: seed).settings.utf8), source: "test"), location: "test")
        }
        // The residual VQ is cut into 5 windows per sequence at every rate: window = steps / 5.
        // (When 5 does not divide the steps, the window rounds up and fewer windows cover the sequence.)
        for (steps, window, windows) in [(25, 5, 5), (50, 10, 5), (100, 20, 5), (200, 40, 5), (7, 2, 4)] {
            XCTAssertEqual(try settings("rvq", steps, 1).int("window"), window, "\(steps) steps")
            let tok = try XCTUnwrap(try sweep.setup.settings.make("rvq", steps: steps, seed: 1, location: "test") as? ResidualVQTokenizer)
            XCTAssertEqual(tok.config.window, window)
            XCTAssertEqual(tok.tokensPerChunk(steps: steps, dims: 1), 2 * windows, "2 layers x \(windows) windows")
        }
        // Its fit is random, so each seed draws its own tokenizer seed, the same for every rate.
        let s1 = try settings("rvq", 100, 1).int("seed"), s2 = try settings("rvq", 100, 2).int("seed")
        XCTAssertNotEqual(s1, s2)
        XCTAssertEqual(try settings("rvq", 25, 1).int("seed"), s1)
        // Deterministic tokenizers keep exactly their settings table: no window, no seed.
        XCTAssertEqual(sweep.setup.spec("minmax", steps: 100, seed: 2).settings, #"{"bins":256}"#)

        var bad = try ExperimentFile(root: ScratchWorkbench.repository, path: "experiments/evaluation/frequency-sweep.toml").resolved(.quick)
        bad = bad.merged(with: .table([("windows_per_sequence", .table([("nonesuch", .int(5))]))]))
        let reader = try ParameterReader(bad, location: "test")
        _ = try reader.ints("seeds")
        XCTAssertThrowsError(try FrequencySweep().configure(reader)) { error in
            XCTAssertEqual((error as? ConfigError)?.key, "nonesuch")
        }
    }

    func testScorecardClassesFollowTheRule() throws {
        let file = try ExperimentFile(root: ScratchWorkbench.repository, path: "experiments/evaluation/scorecard.toml")
        let reader = try ParameterReader(file.resolved(.quick), location: "test")
        _ = try reader.ints("seeds")
        let c = try Scorecard().configure(reader)
        let tokens = ["minmax": 350.0, "beast": 70, "fast": 60]
        // FAST best and compact; BEAST 2x (good); binning 20x (avoid).
        let mse = ["fast": 0.001, "beast": 0.002, "minmax": 0.02]
        XCTAssertEqual(Scorecard().measuredClass(c, "fast", mse: mse, tokens: tokens), .best)
        XCTAssertEqual(Scorecard().measuredClass(c, "beast", mse: mse, tokens: tokens), .good)
        XCTAssertEqual(Scorecard().measuredClass(c, "minmax", mse: mse, tokens: tokens), .avoid)
        // The best error with as many tokens as binning is only good: compactness is part of "best".
        XCTAssertEqual(Scorecard().measuredClass(c, "minmax", mse: ["minmax": 0.001, "fast": 0.002], tokens: tokens), .good)
        XCTAssertEqual(Scorecard().measuredClass(c, "minmax", mse: ["minmax": 0.008, "fast": 0.001], tokens: tokens), .situational)
        XCTAssertNil(Scorecard().measuredClass(c, "openvla", mse: mse, tokens: tokens))
        // A diverged model (non-finite error) is best avoided and leaves the others' classes alone.
        let diverged = ["fast": Double.nan, "beast": 0.002, "minmax": 0.02]
        XCTAssertEqual(Scorecard().measuredClass(c, "fast", mse: diverged, tokens: tokens), .avoid)
        XCTAssertEqual(Scorecard().measuredClass(c, "beast", mse: diverged, tokens: tokens), .best)
        // A perfect prediction is the best; any error beside it is beyond every finite ratio.
        let perfect = ["fast": 0.0, "minmax": 0.02]
        XCTAssertEqual(Scorecard().measuredClass(c, "fast", mse: perfect, tokens: tokens), .best)
        XCTAssertEqual(Scorecard().measuredClass(c, "minmax", mse: perfect, tokens: tokens), .avoid)
        // A continuous policy (no tokens) is classed against the best tokenizer by its error alone,
        // and never becomes the reference itself.
        let withFlow = ["fast": 0.001, "beast": 0.002, "minmax": 0.02, "flow": 0.0012]
        XCTAssertEqual(Scorecard().measuredClass(c, "flow", mse: withFlow, tokens: tokens), .best)
        XCTAssertEqual(Scorecard().measuredClass(c, "flow", mse: ["fast": 0.001, "flow": 0.005], tokens: tokens), .situational)
        XCTAssertEqual(Scorecard().measuredClass(c, "fast", mse: ["fast": 0.001, "flow": 0.0001], tokens: tokens), .best)
    }

    /// The earlier tokenizer recipe as an ablation: each variant takes its tokenizer's place, the
    /// classes are taken again against that set's best, and the claims table shows both recipes.
    func testScorecardEarlierRecipeRetakesTheClassesWithTheVariantsInPlace() throws {
        let file = try ExperimentFile(root: ScratchWorkbench.repository, path: "experiments/evaluation/scorecard.toml")
        let earlier: ParameterValue = .table([("rvq", .table([("train_steps", .int(3000))])), ("fast", .table([("clip", .bool(true))]))])
        let reader = try ParameterReader(file.resolved(.quick).merged(with: .table([("earlier_settings", earlier)])), location: "test")
        _ = try reader.ints("seeds")
        let c = try Scorecard().configure(reader)
        try reader.finish()
        XCTAssertEqual(c.earlier, c.tokenizers.filter { ["rvq", "fast"].contains($0) }, "in the scorecard's order")
        // The variant's cell spec carries the earlier settings and the same fit seed.
        let spec = c.setup.spec("rvq", steps: 100, seed: 1, recipe: .earlier), plain = c.setup.spec("rvq", steps: 100, seed: 1)
        let specTable = try ParameterValue.parseJSON(Data(spec.settings.utf8), source: "spec"), plainTable = try ParameterValue.parseJSON(Data(plain.settings.utf8), source: "plain")
        XCTAssertEqual(specTable["train_steps"], .int(3000))
        XCTAssertEqual(specTable["seed"], plainTable["seed"])

        // Reference: FAST best (0.001), BEAST 2x (good), the residual VQ 5x (situational: within 10x but not 3x), binning 20x.
        // Earlier: FAST clipped at 0.004 and the residual VQ at 3,000 steps at 0.005: BEAST (0.002) is now the best,
        // the residual VQ 2.5x (good), binning 10x.
        let mse = ["minmax": 0.02, "fast": 0.001, "beast": 0.002, "rvq": 0.005, "fast@earlier": 0.004, "rvq@earlier": 0.005]
        let tokens = ["minmax": 350.0, "fast": 60, "beast": 70, "rvq": 20, "fast@earlier": 60, "rvq@earlier": 20]
        let perSeed = (0..<3).map { _ -> Scorecard.SeedRows in
            var rows: [String: Scorecard.Row] = [:]
            for (key, m) in mse {
                let name = String(key.split(separator: "@")[0])
                rows[key] = Scorecard.Row(tokens: c.frequencies.map { _ in tokens[key]! }, relativeRMSE: 0.1, floorRelativeRMSE: name == "rvq" ? 0.01 : nil,
                                          encodeMicros: 1, decodeMicros: 1, prediction: Self.cell(mse: m, tokens: tokens[key]!))
            }
            for name in c.tokenizers where rows[name] == nil {
                rows[name] = Scorecard.Row(tokens: c.frequencies.map { _ in 10 }, relativeRMSE: 0.1, encodeMicros: 1, decodeMicros: 1, prediction: nil)
            }
            return Scorecard.SeedRows(rows: rows, continuous: Dictionary(uniqueKeysWithValues: c.predictionPolicies.map { ($0, Self.continuous(mse: 0.003)) }))
        }
        let outcome = try Scorecard().outcome(c, perSeed: perSeed, claims: file.claims, inputHash: "")
        func classIndex(_ tok: String, _ recipe: String?) throws -> Double {
            let select = try ParameterReader(.table([("tokenizer", .string(tok))] + (recipe.map { [("recipe", .string($0))] } ?? [])), location: "test")
            return try outcome.statistic("class_index", select)[0][0]
        }
        XCTAssertEqual(try classIndex("fast", nil), 0, "best in class")
        XCTAssertEqual(try classIndex("rvq", nil), 2, "situational")
        XCTAssertEqual(try classIndex("beast", "earlier"), 0, "BEAST, unchanged, is the best of the earlier set")
        XCTAssertEqual(try classIndex("fast", "earlier"), 1, "FAST clipped: 2x the best, good")
        XCTAssertEqual(try classIndex("rvq", "earlier"), 1, "the residual VQ at 3,000 steps: 2.5x, good")
        let variantClass = outcome.metrics.first { $0.metric == "class_index" && $0.condition.map(\.value) == ["rvq", "earlier", String(c.predictionSteps)] }
        XCTAssertEqual(variantClass?.perSeed, [1, 1, 1])
        let tables = outcome.blocks.compactMap { block -> MarkdownTable? in if case .table(let t, _) = block { return t } else { return nil } }
        XCTAssertEqual(tables.last?.rows.map { $0[1] }, file.claims.flatMap { _ in ["reference recipe", "earlier recipe (ablation)"] })
        XCTAssertTrue(tables.contains { $0.rows.contains { $0[0] == "fast, earlier recipe (ablation)" } }, "the scorecard has the variant's row")
    }
}

