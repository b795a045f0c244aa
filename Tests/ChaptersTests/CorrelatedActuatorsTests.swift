import ActionData
import Foundation
import Metrics
import Support
import Tokenizers
import XCTest
@testable import Chapters
@testable import Experiments
@testable import Runner

/// The bits-at-target rule, the claim statistic built on it, and the residual VQ's prefix decoding.
final class CorrelatedActuatorsTests: XCTestCase {
    func testCheapestSettingReachingTheTarget() throws {
        let sweep: [(bits: Double, error: Double)] = [(140, 0.03), (70, 0.8), (105, 0.04), (280, 0.01)]
        XCTAssertEqual(try BitsAtTarget.cheapest(sweep, target: 0.05), 105, "the fewest bits among the settings at or under the target, in any order")
        XCTAssertEqual(try BitsAtTarget.cheapest(sweep, target: 0.04), 105, "an error equal to the target reaches it")
        XCTAssertEqual(try BitsAtTarget.cheapest(sweep, target: 0.035), 140)
        XCTAssertEqual(try BitsAtTarget.cheapest(sweep, target: 0.001), .infinity, "never reaching the target costs infinitely many bits")
        XCTAssertEqual(try BitsAtTarget.cheapest([], target: 0.05), .infinity)
        // A cheaper setting that misses does not count, even if a dearer one of the same tokenizer reaches.
        XCTAssertEqual(try BitsAtTarget.cheapest([(8, 0.5), (80, 0.049), (32, 0.06)], target: 0.05), 80)
        XCTAssertThrowsError(try BitsAtTarget.cheapest([(70, .nan)], target: 0.05)) { XCTAssertTrue("\($0)".contains("error nan"), "\($0)") }
        XCTAssertThrowsError(try BitsAtTarget.cheapest([(0, 0.01)], target: 0.05))
    }

    func testRatioOfCostsThatMayBeInfinite() {
        XCTAssertEqual(BitsAtTarget.ratio(210, 80), 2.625)
        XCTAssertEqual(BitsAtTarget.ratio(245, .infinity), 0, "only binning reaches the target")
        XCTAssertEqual(BitsAtTarget.ratio(.infinity, 32), .infinity, "only the VQ reaches it")
        XCTAssertTrue(BitsAtTarget.ratio(.infinity, .infinity).isNaN, "neither: undefined")
        // How the claim machinery judges such per-seed values against "> 2".
        let claim = try! ClaimSpec(ParameterReader(.table([("id", .string("c")), ("statement", .string("s")), ("statistic", .string("x")),
                                                           ("compare", .string(">")), ("threshold", .double(2)), ("scale", .string("log"))]), location: "test"))
        XCTAssertEqual(Verdict(claim: claim, perSeed: [0, 0, 0]).outcome, .notSupported)
        XCTAssertEqual(Verdict(claim: claim, perSeed: [7, .nan, 7]).outcome, .inconclusive, "an undefined seed is not dropped")
        XCTAssertEqual(Verdict(claim: claim, perSeed: [7.5, 7.6, 7.7]).outcome, .supported)
    }

    /// Hand-made errors for two seeds: the statistic picks the cheapest setting per tokenizer and seed.
    func testClaimStatisticFromHandMadeSeeds() throws {
        let e = CorrelatedActuators()
        var vq = ResidualVQConfig(); vq.layers = 8
        let c = CorrelatedActuators.Config(frequency: 10, window: 5, target: 0.05, binning: ["minmax", "openvla"], bins: [4, 64, 128],
                                           codebookSizes: [16, 1024], layers: [1, 8], vq: vq, fitChunks: 10, evalChunks: 10)
        typealias S = CorrelatedActuators.Setting
        func seed(_ errors: [S: Double]) -> CorrelatedActuators.SeedResult {
            var r = CorrelatedActuators.SeedResult()
            for s in e.settings(c) {
                r.relativeRMSE[s] = errors[s] ?? 0.9
                r.perDimension[s] = Array(repeating: errors[s] ?? 0.9, count: 7)
                if s.family == .vq { r.codesUsed[s] = 3 }
            }
            for k in c.codebookSizes { r.fitSeconds[k] = 1; r.trainingL1[k] = .init(half: 0.5, end: 0.4) }
            r.floor = .init(relativeRMSE: 0.02, perDimension: Array(repeating: 0.02, count: 7), trainingL1: .init(half: 0.1, end: 0.05), seconds: 1)
            return r
        }
        let one = seed([.binning("minmax", bins: 64): 0.06, .binning("minmax", bins: 128): 0.03,
                        .vq(layers: 8, codebookSize: 16): 0.04, .vq(layers: 8, codebookSize: 1024): 0.03])
        let two = seed([.binning("minmax", bins: 128): 0.05, .binning("openvla", bins: 4): 0.01])
        let outcome = try e.outcome(c, [one, two], seeds: [1, 2], inputHash: "x", passRatio: 2)
        // Seed 1: min-max needs 128 bins, 5 x 7 x 7 = 245 bits; the VQ 8 x 16 codes, 32 bits. Seed 2: the VQ never gets there.
        XCTAssertEqual(try outcome.statistic("bits_ratio_at_target", .empty(location: "t")), [[245.0 / 32], [0]])
        // openvla reaches at 4 bins (70 bits) in seed 2 only; infinite / 32 bits in seed 1.
        XCTAssertEqual(try outcome.statistic("bits_ratio_at_target", ParameterReader(.table([("binning", .string("openvla"))]), location: "t")), [[.infinity], [0]])
        XCTAssertThrowsError(try outcome.statistic("bits_ratio", .empty(location: "t")))
        let atTarget = outcome.metrics.filter { $0.metric == "bits_at_target" }
        XCTAssertEqual(atTarget.map { $0.condition[0].value }, ["minmax", "openvla", "rvq"])
        XCTAssertEqual(atTarget.map(\.perSeed), [[245, 245], [.infinity, 70], [32, .infinity]])
        // The unquantised floor is reported beside the sweep but never enters the claim's statistic.
        let floor = outcome.metrics.filter { $0.metric == "relative_rmse" && $0.condition.contains { $0.name == "quantiser" } && $0.condition.count == 2 }
        XCTAssertEqual(floor.map(\.perSeed), [[0.02, 0.02]])
    }

    /// A variant of the VQ's training: its own cheapest setting per seed, the claim decided with it in
    /// the VQ's place (and only when asked), the claims table, and bad variants named before any work.
    func testVariantsStandInForTheSweepsVQ() throws {
        let e = CorrelatedActuators()
        var vq = ResidualVQConfig(); vq.layers = 8
        var c = CorrelatedActuators.Config(frequency: 10, window: 5, target: 0.05, binning: ["minmax"], bins: [4, 128],
                                           codebookSizes: [16], layers: [1, 8], vq: vq, fitChunks: 10, evalChunks: 10)
        var longer = vq; longer.trainSteps = 20000
        c.variants = [.init(name: "long", codebookSizes: [16, 256], vq: longer, floor: true, overrides: .table([("train_steps", .int(20000))]))]
        typealias S = CorrelatedActuators.Setting
        func seed(variantAt8x256: Double) -> CorrelatedActuators.SeedResult {
            var r = CorrelatedActuators.SeedResult()
            for s in e.settings(c) {
                r.relativeRMSE[s] = s == .binning("minmax", bins: 128) ? 0.04 : 0.9
                r.perDimension[s] = Array(repeating: r.relativeRMSE[s]!, count: 7)
                if s.family == .vq { r.codesUsed[s] = 3 }
            }
            r.fitSeconds[16] = 1; r.trainingL1[16] = .init(half: 0.5, end: 0.4)
            r.floor = .init(relativeRMSE: 0.2, perDimension: Array(repeating: 0.2, count: 7), trainingL1: .init(half: 0.1, end: 0.05), seconds: 1)
            var v = CorrelatedActuators.VariantResult()
            for k in [16, 256] {
                for l in c.layers {
                    let s = S.vq(layers: l, codebookSize: k)
                    v.relativeRMSE[s] = s == .vq(layers: 8, codebookSize: 256) ? variantAt8x256 : 0.5
                    v.codesUsed[s] = 4
                }
                v.fitSeconds[k] = 2; v.trainingL1[k] = .init(half: 0.2, end: 0.1)
            }
            v.floor = .init(relativeRMSE: 0.01, perDimension: Array(repeating: 0.01, count: 7), trainingL1: .init(half: 0.02, end: 0.01), seconds: 1)
            r.variants["long"] = v
            return r
        }
        let file = try ExperimentFile(root: ScratchWorkbench.repository, path: "experiments/architectures/correlated-actuators.toml")
        let outcome = try e.outcome(c, [seed(variantAt8x256: 0.03), seed(variantAt8x256: 0.3)], seeds: [1, 2], inputHash: "x", passRatio: 2, claims: file.claims)
        // min-max reaches the target at 128 bins (5 x 7 x 7 = 245 bits); the sweep's VQ never does; the variant at 8 x 256 (64 bits) in seed 1 only.
        XCTAssertEqual(try outcome.statistic("bits_ratio_at_target", .empty(location: "t")), [[0], [0]])
        XCTAssertEqual(try outcome.statistic("bits_ratio_at_target", ParameterReader(.table([("variant", .string("long"))]), location: "t")), [[245.0 / 64], [0]])
        XCTAssertThrowsError(try outcome.statistic("bits_ratio_at_target", ParameterReader(.table([("variant", .string("short"))]), location: "t"))) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "variant", "\($0)")
        }
        let atTarget = outcome.metrics.first { $0.metric == "bits_at_target" && $0.condition.contains { $0 == ("variant", "long") } }
        XCTAssertEqual(atTarget?.perSeed, [64, .infinity])
        let tables = outcome.blocks.compactMap { block -> MarkdownTable? in if case .table(let t, _) = block { return t } else { return nil } }
        XCTAssertEqual(tables.last?.rows.map { $0[1] }, ["the sweep (judged)", "variant: long (ablation)"])
        XCTAssertTrue(tables.contains { $0.rows.contains { $0[0] == "long" && $0[2] == "unquantised floor" } }, "the variant's floor has its row")

        // From the file: a variant's misspelt key, a setting the sweep sets itself, a repeated name.
        func configure(_ variants: ParameterValue) throws {
            let reader = try ParameterReader(file.resolved(.quick).merged(with: .table([("variants", variants)])), location: "test")
            _ = try reader.ints("seeds")
            _ = try e.configure(reader)
        }
        let good: ParameterValue = .table([("name", .string("a")), ("codebook_sizes", .array([.int(16)])), ("tokenizer", .table([("train_steps", .int(10))]))])
        XCTAssertNoThrow(try configure(.array([good])))
        XCTAssertThrowsError(try configure(.array([.table([("name", .string("a")), ("codebook_sizes", .array([.int(16)])), ("tokenizer", .table([("trian_steps", .int(10))]))])]))) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "trian_steps", "\($0)")
        }
        XCTAssertThrowsError(try configure(.array([.table([("name", .string("a")), ("codebook_sizes", .array([.int(16)])), ("tokenizer", .table([("layers", .int(4))]))])]))) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "layers", "\($0)")
        }
        XCTAssertThrowsError(try configure(.array([good, good]))) { XCTAssertEqual(($0 as? ConfigError)?.key, "name", "\($0)") }
    }

    /// Decoding the first `l` codes in one batch agrees with decoding chunk by chunk.
    func testPrefixReconstructionsAgreeWithPerChunkDecoding() throws {
        let data = try RobotArmGenerator(frequency: 10).chunks(count: 40, seed: 4).resampledWindows(5)
        let config = ResidualVQConfig(layers: 3, codebookSize: 8, window: 5, latentDim: 8, hidden: [16], trainSteps: 60, batchSize: 32, seed: 2)
        let tok = try ResidualVQTokenizer(config)
        try tok.fit(data)
        let codes = try tok.codes(ofAll: data.chunks)
        let single = try data.chunks.map { try tok.codes(of: $0) }
        XCTAssertEqual(codes, (0..<3).map { l in single.map { $0[l][0] } }, "one batch gives every chunk's codes, in order")
        let prefixes = try CorrelatedActuators().prefixReconstructions(tok, data, codes: codes, layers: [1, 3])
        XCTAssertEqual(prefixes.map(\.layers), [1, 3])
        let full = try Reconstruction.measure(tok, on: data)
        XCTAssertEqual(prefixes[1].reconstruction.tokens, full.tokens)
        // Float32 networks: a batch and single rows may round differently in the last bits.
        for (a, b) in zip(prefixes[1].reconstruction.rmse, full.rmse) { XCTAssertEqual(a, b, accuracy: 1e-6 * b) }
        // The primary code alone, decoded chunk by chunk, by hand.
        var sq = [Double](repeating: 0, count: 7)
        for (i, chunk) in data.chunks.enumerated() {
            let back = try tok.chunk(fromStandardised: tok.decodeStandardised(codes: [[single[i][0][0]]]), steps: 5)
            for j in chunk.values.indices { sq[j % 7] += pow(back.values[j] - chunk.values[j], 2) }
        }
        for d in 0..<7 { let hand = (sq[d] / Double(data.count * 5)).squareRoot()
            XCTAssertEqual(prefixes[0].reconstruction.rmse[d], hand, accuracy: 1e-6 * hand) }
        XCTAssertEqual(prefixes[0].reconstruction.tokens, single.map { [$0[0][0]] })
    }
}
