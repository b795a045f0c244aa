import ActionData
import Lab
import Support
import XCTest
@testable import Chapters
@testable import Experiments
@testable import Runner

/// The token-stasis experiment's error measure, statistic and configuration checks.
final class TokenStasisTests: XCTestCase {
    func config(_ profile: Profile = .quick, overrides: ParameterValue = .table([]), withoutEarlier: Bool = false) throws -> (TokenStasis.Config, ExperimentFile) {
        let file = try ExperimentFile(root: ScratchWorkbench.repository, path: "experiments/training/token-stasis.toml")
        var resolved = try file.resolved(profile)
        if withoutEarlier, case .table(let entries) = resolved { resolved = .table(entries.filter { $0.key != "earlier_settings" }) }
        let reader = try ParameterReader(resolved.merged(with: overrides), location: "test")
        _ = try reader.ints("seeds")
        let c = try TokenStasis().configure(reader)
        try reader.finish()
        return (c, file)
    }

    func testErrorScalesAndMedianByHand() throws {
        let chunk = try ActionChunk(steps: 1, dims: 2, values: [0, 0])
        let m = TokenStasis.Measure(rmse: [1, 2], std: [0, 1], tokensPerChunk: 2, clipped: nil, example: chunk)
        XCTAssertEqual(TokenStasis.error(m, fitStd: [2, 4], scale: .fit), (0.5 + 0.5) / 2)
        // The evaluated scale leaves out the dimension that does not vary in the evaluated set.
        XCTAssertEqual(TokenStasis.error(m, fitStd: [2, 4], scale: .evaluated), 2)
        XCTAssertEqual(TokenStasis.median([3, 1, 2]), 2)
        XCTAssertEqual(TokenStasis.median([0.954, 0.55, 0.73, 1.47]), (0.73 + 0.954) / 2, accuracy: 1e-12)
    }

    /// Synthetic seeds where every error is chosen: the statistic is the learned ratio over the
    /// median training-free ratio, and the verdict follows the pre-registered rule.
    func testDegradationRatioAndVerdictOnChosenErrors() throws {
        let (c, file) = try config()
        XCTAssertEqual(c.learned, ["rvq"]); XCTAssertEqual(c.trainingFree, ["minmax", "openvla", "fast", "beast"])
        let chunk = try ActionChunk(steps: 10, dims: 7, values: [Double](repeating: 0, count: 70))
        func seeds(rvq: Double, free: [Double]) -> [TokenStasis.SeedResult] {
            (0..<3).map { s in
                var r = TokenStasis.SeedResult(fitStd: [Double](repeating: 1, count: 7), heldOutExample: chunk, unseenExample: chunk)
                r.outsideRange = [Double](repeating: 0, count: 7); r.outsidePercentiles = r.outsideRange
                let jitter = 1 + 0.01 * Double(s)
                for (tok, ratio) in zip(c.tokenizers, [rvq] + free) {
                    let base = 0.1 * jitter
                    r.inFamily[tok] = TokenStasis.Measure(rmse: [Double](repeating: base, count: 7), std: [Double](repeating: 1, count: 7), tokensPerChunk: 4, clipped: nil, example: chunk)
                    r.unseen[tok] = TokenStasis.Measure(rmse: [Double](repeating: base * ratio * jitter, count: 7), std: [Double](repeating: 1, count: 7), tokensPerChunk: 4, clipped: nil, example: chunk)
                    r.settings[tok] = ""
                }
                // The earlier recipe's variants measure as their tokenizers do.
                for tok in c.earlier {
                    let key = Recipe.earlier.key(tok)
                    r.inFamily[key] = r.inFamily[tok]; r.unseen[key] = r.unseen[tok]; r.settings[key] = ""
                }
                return r
            }
        }
        func verdict(_ results: [TokenStasis.SeedResult]) throws -> (Double, Verdict.Outcome) {
            let outcome = try TokenStasis().outcome(c, results, claims: file.claims, inputHash: "")
            let claim = file.claims[0]
            let cells = try outcome.statistic(claim.statistic, try ParameterReader(claim.select, location: claim.id))
            return (cells[0][0], Verdict(claim: claim, perSeed: Verdict.reduce(cells, claim.reduce)).outcome)
        }
        // Training-free ratios 1, 2, 1.5, 0.5: median 1.25; the learned one 10: 8 in every seed (the jitter scales all alike).
        let (strong, v1) = try verdict(seeds(rvq: 10, free: [1, 2, 1.5, 0.5]))
        XCTAssertEqual(strong, 10 / 1.25, accuracy: 1e-9)
        XCTAssertEqual(v1, .supported)
        let (weak, v2) = try verdict(seeds(rvq: 1.5, free: [1, 2, 1.5, 0.5]))
        XCTAssertEqual(weak, 1.5 / 1.25, accuracy: 1e-9)
        XCTAssertEqual(v2, .notSupported)
    }

    /// The earlier tokenizer recipe as an ablation: each variant stands in for its tokenizer in the
    /// statistic (by hand), the claims table decides the claim under both recipes, and a claim or a
    /// table asking for what was not measured is an error naming the key.
    func testEarlierRecipeVariantsStandInForTheirTokenizers() throws {
        let earlier: ParameterValue = .table([("rvq", .table([("train_steps", .int(3000))])), ("fast", .table([("clip", .bool(true))]))])
        let (c, file) = try config(overrides: .table([("earlier_settings", earlier)]))
        XCTAssertEqual(c.earlier, ["rvq", "fast"], "in table order, learned first")
        XCTAssertEqual(c.measured.map(\.name), c.tokenizers + ["rvq", "fast"])
        XCTAssertEqual(Recipe.earlier.key("rvq"), "rvq@earlier")
        XCTAssertEqual(c.settings.key("minmax", under: .earlier), "minmax", "a tokenizer without an earlier recipe stands for itself")
        // The variant is the tokenizer with the earlier keys laid over its table, fitted from the same seed.
        let variant = c.settings.table("rvq", steps: 10, fitSeed: 7, recipe: .earlier), reference = c.settings.table("rvq", steps: 10, fitSeed: 7)
        XCTAssertEqual(variant["train_steps"], .int(3000))
        XCTAssertEqual(variant["seed"], reference["seed"])
        XCTAssertEqual(c.settings.table("fast", fitSeed: nil, recipe: .earlier)["clip"], .bool(true))

        let chunk = try ActionChunk(steps: 10, dims: 7, values: [Double](repeating: 0, count: 70))
        // Unseen / in-family ratios: rvq 4, its earlier variant 6; training-free 1, 2, 1.5, 0.5, FAST's earlier variant 3.
        let ratios: [String: Double] = ["rvq": 4, "minmax": 1, "openvla": 2, "fast": 1.5, "beast": 0.5, "rvq@earlier": 6, "fast@earlier": 3]
        let results = (0..<3).map { _ -> TokenStasis.SeedResult in
            var r = TokenStasis.SeedResult(fitStd: [Double](repeating: 1, count: 7), heldOutExample: chunk, unseenExample: chunk)
            r.outsideRange = [Double](repeating: 0, count: 7); r.outsidePercentiles = r.outsideRange
            for (tok, ratio) in ratios {
                let one = [Double](repeating: 1, count: 7)
                r.inFamily[tok] = TokenStasis.Measure(rmse: one.map { $0 * 0.1 }, std: one, tokensPerChunk: 4, clipped: nil, example: chunk)
                r.unseen[tok] = TokenStasis.Measure(rmse: one.map { $0 * 0.1 * ratio }, std: one, tokensPerChunk: 4, clipped: nil, example: chunk)
                r.settings[tok] = ""
            }
            return r
        }
        let outcome = try TokenStasis().outcome(c, results, claims: file.claims, inputHash: "")
        let claim = file.claims[0]
        func statistic(_ recipe: String?) throws -> Double {
            let select = try ParameterReader(claim.select.merged(with: .table(recipe.map { [("recipe", .string($0))] } ?? [])), location: "test")
            return try outcome.statistic(claim.statistic, select)[0][0]
        }
        // Reference: 4 over the median of (1, 2, 1.5, 0.5) = 1.25. Earlier: 6 over the median of (1, 2, 3, 0.5) = 1.5.
        XCTAssertEqual(try statistic(nil), 4 / 1.25, accuracy: 1e-9)
        XCTAssertEqual(try statistic("earlier"), 6 / 1.5, accuracy: 1e-9)
        let ratio = outcome.metrics.first { $0.metric == "degradation_ratio_fit_scale" && $0.condition.map(\.value) == ["rvq", "earlier"] }
        XCTAssertEqual(ratio?.perSeed[0] ?? 0, 4, accuracy: 1e-9)
        // The claims table has one row per recipe, the earlier one labelled as the ablation.
        let tables = outcome.blocks.compactMap { block -> MarkdownTable? in if case .table(let t, _) = block { return t } else { return nil } }
        let claimsTable = try XCTUnwrap(tables.last)
        XCTAssertEqual(claimsTable.rows.map { $0[1] }, ["reference recipe", "earlier recipe (ablation)"])
        XCTAssertTrue(tables.contains { $0.rows.contains { $0[0] == "rvq, earlier recipe (ablation)" } }, "the error table has the variant's row")

        // Without [parameters.earlier_settings], asking for the earlier recipe is an error naming the key and the table.
        let (plain, plainFile) = try config(withoutEarlier: true)
        XCTAssertTrue(plain.earlier.isEmpty)
        let plainOutcome = try TokenStasis().outcome(plain, results, claims: plainFile.claims, inputHash: "")
        XCTAssertThrowsError(try plainOutcome.statistic(claim.statistic, try ParameterReader(.table([("recipe", .string("earlier"))]), location: "test"))) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "recipe", "\($0)")
            XCTAssertTrue("\($0)".contains("[parameters.earlier_settings]"), "\($0)")
        }
        // An earlier recipe for a tokenizer the experiment does not measure, or a bad key in one, is named.
        XCTAssertThrowsError(try config(overrides: .table([("earlier_settings", .table([("verlet", .table([]))]))]))) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "verlet", "\($0)")
        }
        XCTAssertThrowsError(try config(overrides: .table([("earlier_settings", .table([("rvq", .table([("train_stpes", .int(3))]))]))]))) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "train_stpes", "\($0)")
        }
    }

    func testBadConfigurationsAreNamed() throws {
        XCTAssertThrowsError(try config(overrides: .table([("unseen_family", .string("pick-and-place"))]))) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "unseen_family", "\($0)")
        }
        // 12 steps per chunk are not whole 5-step windows of the residual VQ.
        XCTAssertThrowsError(try config(overrides: .table([("frequency_hz", .int(12))]))) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "window", "\($0)")
        }
        XCTAssertThrowsError(try config(overrides: .table([("training_free", .array([.string("rvq")]))]))) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "training_free", "\($0)")
        }
        XCTAssertThrowsError(try config(overrides: .table([("settings", .table([("verlet", .table([]))]))]))) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "verlet", "\($0)")
        }
        XCTAssertThrowsError(try config(overrides: .table([("settings", .table([("fast", .table([("gama", .int(3))]))]))]))) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "gama", "\($0)")
        }
    }
}
