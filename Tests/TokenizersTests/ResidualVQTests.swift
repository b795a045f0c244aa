import ActionData
import Engine
import Foundation
import Support
import Metrics
import XCTest
@testable import Tokenizers

/// The residual VQ autoencoder: codebook arithmetic against hand computations, k-means and dead
/// codes on constructed data, the straight-through gradient, and a fitted tokenizer's contract.
final class ResidualVQTests: XCTestCase {
    func testMovingAverageUpdateMatchesAHandComputedStep() {
        // K = 2 codes in D = 2: e0 = (0, 0), e1 = (1, 1); counts 1, sums = codes; decay 0.5.
        var q = ResidualQuantizer(codebooks: [[0, 0, 1, 1]], dim: 2)
        let x: [Float] = [0.2, 0, 0.4, 0.2, 2, 2]
        XCTAssertEqual(q.nearest(x, rows: 3, layer: 0), [0, 0, 1])
        q.update(layer: 0, residuals: x, codes: [0, 0, 1], decay: 0.5)
        // n = (2, 1); N = 0.5·1 + 0.5·n = (1.5, 1.0); S0 = 0.5·(0,0) + 0.5·(0.6, 0.2) = (0.3, 0.1);
        // S1 = 0.5·(1,1) + 0.5·(2,2) = (1.5, 1.5); e_k = S_k / N_k.
        XCTAssertEqual(q.counts[0], [1.5, 1.0])
        XCTAssertEqual(q.sums[0][0], 0.3, accuracy: 1e-7); XCTAssertEqual(q.sums[0][1], 0.1, accuracy: 1e-7)
        let expected = [0.3 / 1.5, 0.1 / 1.5, 1.5, 1.5]
        for (a, b) in zip(q.codebooks[0], expected) { XCTAssertEqual(Double(a), b, accuracy: 1e-6) }
        // An unused code keeps its place: both its count and its sum decay.
        // An unused code keeps its place, also long after its count reached the floor, and no
        // value decays into the denormal range.
        var r = ResidualQuantizer(codebooks: [[0, 0, 5, 5]], dim: 2)
        for _ in 0..<2_000 { r.update(layer: 0, residuals: [0.1, 0.1], codes: [0], decay: 0.8) }
        XCTAssertEqual(r.codebooks[0][2], 5, accuracy: 1e-4)
        XCTAssertEqual(r.codebooks[0][0], 0.1, accuracy: 1e-5)
        XCTAssertEqual(r.counts[0][1], ResidualQuantizer.countFloor)
        for v in r.sums[0] + r.counts[0] + r.codebooks[0] { XCTAssertTrue(v == 0 || v.isNormal, "\(v) is denormal") }
    }

    func testNearestAgreesWithBruteForceAndBreaksTiesLow() {
        var rng = SeededGenerator(seed: 4)
        let k = 7, d = 5, rows = 40
        let book = (0..<(k * d)).map { _ in Float(rng.nextGaussian()) }
        let x = (0..<(rows * d)).map { _ in Float(rng.nextGaussian()) }
        let got = ResidualQuantizer.nearest(x, rows: rows, codebook: book, size: k, dim: d)
        for r in 0..<rows {
            let dist = (0..<k).map { c in (0..<d).reduce(Float(0)) { $0 + pow(x[r * d + $1] - book[c * d + $1], 2) } }
            XCTAssertEqual(got[r], dist.firstIndex(of: dist.min()!)!)
        }
        XCTAssertEqual(ResidualQuantizer.nearest([0.5], rows: 1, codebook: [0, 1], size: 2, dim: 1), [0])
    }

    func testResidualLayersQuantiseWhatTheEarlierOnesLeft() {
        let q = ResidualQuantizer(codebooks: [[0, 0, 10, 10], [0, 0, 1, -1]], dim: 2)
        let (codes, partial) = q.quantize([10.9, 9.2, 0.1, -0.2], rows: 2)
        XCTAssertEqual(codes, [[1, 0], [1, 0]])
        XCTAssertEqual(partial[0], [10, 10, 0, 0])
        XCTAssertEqual(partial[1], [11, 9, 0, 0])
        XCTAssertEqual(q.latents(codes: codes), partial[1])
        XCTAssertEqual(q.latents(codes: [codes[0]]), partial[0])
    }

    func testKMeansFindsSeparatedClusters() {
        var rng = SeededGenerator(seed: 9)
        let centres: [[Float]] = [[-5, 0], [0, 5], [5, 0]]
        var x: [Float] = []
        for i in 0..<300 { let c = centres[i % 3]; x += [c[0] + Float(0.2 * rng.nextGaussian()), c[1] + Float(0.2 * rng.nextGaussian())] }
        var found: [[Float]] = []
        // Random starts can put two centres in one cluster; with 3 clusters and 3 draws a few seeds suffice.
        for seed in 0..<5 {
            var r = SeededGenerator(seed: UInt64(seed))
            let c = ResidualQuantizer.kmeans(x, rows: 300, dim: 2, k: 3, iterations: 50, rng: &r)
            found = (0..<3).map { [c[2 * $0], c[2 * $0 + 1]] }.sorted { ($0[0], $0[1]) < ($1[0], $1[1]) }
            if zip(found, centres).allSatisfy({ abs($0[0] - $1[0]) < 0.1 && abs($0[1] - $1[1]) < 0.1 }) { break }
        }
        for (f, c) in zip(found, centres) {
            XCTAssertEqual(f[0], c[0], accuracy: 0.1); XCTAssertEqual(f[1], c[1], accuracy: 0.1)
        }
    }

    func testDeadCodesAreReplacedByBatchResiduals() {
        var q = ResidualQuantizer(codebooks: [[0, 0, 100, 100]], dim: 2)
        let x: [Float] = [1, 2, 3, 4]
        var rng = SeededGenerator(seed: 1)
        for _ in 0..<5 { q.update(layer: 0, residuals: x, codes: [0, 0], decay: 0.5) }
        XCTAssertLessThan(q.counts[0][1], 0.1)
        XCTAssertEqual(q.replaceDeadCodes(layer: 0, threshold: 0, residuals: x, rows: 2, rng: &rng), 0, "threshold 0 never replaces")
        XCTAssertEqual(q.replaceDeadCodes(layer: 0, threshold: 0.5, residuals: x, rows: 2, rng: &rng), 1)
        let replaced = Array(q.codebooks[0][2...3])
        XCTAssertTrue(replaced == [1, 2] || replaced == [3, 4], "\(replaced)")
        XCTAssertEqual(q.counts[0][1], 1)
        XCTAssertEqual(q.nearest([3, 4], rows: 1, layer: 0), replaced == [3, 4] ? [1] : [0])
    }

    func testStraightThroughPassesTheDecodersGradientToTheEncoder() throws {
        // d loss / d z through z + (zq - z) must equal d loss / d (decoder input) at zq.
        let rng = SeededGeneratorBox(seed: 2)
        let decoder = MLP([3, 4, 2], activation: .relu, rng: rng)
        let zv: [Float] = [0.3, -0.2, 0.5, 1.0, 0.1, -0.4], zq: [Float] = [0.25, -0.1, 0.6, 0.9, 0.0, -0.5]
        let target = Tensor(shape: [2, 2], scalars: [0.1, 0.2, -0.3, 0.4])
        let z = Tensor(shape: [2, 3], scalars: zv, requiresGrad: true)
        let shift = Tensor(shape: [2, 3], scalars: zip(zq, zv).map { $0 - $1 })
        let out1 = decoder(z + shift)
        for (a, b) in zip(out1.scalars, Tape.noGrad { decoder(Tensor(shape: [2, 3], scalars: zq)).scalars }) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        Loss.l1(out1, target).backward()
        let viaST = z.grad!
        decoder.zeroGrad()
        let q = Tensor(shape: [2, 3], scalars: zq, requiresGrad: true)
        Loss.l1(decoder(q), target).backward()
        XCTAssertEqual(viaST, q.grad!)
    }

    /// Arm windows: a small autoencoder learns them, and the tokenizer keeps its contract.
    func testFittedTokenizerContract() throws {
        let data = try RobotArmGenerator(frequency: 10).chunks(count: 60, seed: 3)   // 10 steps x 7 dims
        let config = ResidualVQConfig(layers: 2, codebookSize: 8, window: 5, latentDim: 16, hidden: [32, 32],
                                      trainSteps: 300, batchSize: 64, learningRate: 2e-3, seed: 5)
        let tok = try ResidualVQTokenizer(config)
        XCTAssertThrowsError(try tok.encode(data.chunks[0])) { XCTAssertEqual($0 as? TokenizerError, .notFitted("rvq")) }
        try tok.fit(data)
        let losses = tok.training.losses
        XCTAssertLessThan(losses.last!.reconstruction, 0.7 * losses.first!.reconstruction, "training lowers the reconstruction loss")
        // Token layout: 2 windows x 2 layers; layer l's ids in l·8 ..< (l+1)·8.
        let ids = try tok.encode(data.chunks[0])
        XCTAssertEqual(ids.count, 4)
        XCTAssertEqual(tok.tokensPerChunk(steps: 10, dims: 7), 4)
        XCTAssertEqual(tok.tokensPerChunk(steps: 11, dims: 7), 6, "a partial window is padded into a full one")
        for (i, t) in ids.enumerated() { XCTAssertTrue((i % 2 * 8..<(i % 2 + 1) * 8).contains(t), "token \(t) at \(i)") }
        XCTAssertThrowsError(try tok.decode([ids[1], ids[0], ids[2], ids[3]], steps: 10, dims: 7)) { XCTAssertTrue("\($0)".contains("belongs to layer"), "\($0)") }
        XCTAssertThrowsError(try tok.decode([0, 8, 0, 99], steps: 10, dims: 7)) { XCTAssertTrue("\($0)".contains("outside the vocabulary"), "\($0)") }
        XCTAssertThrowsError(try tok.decode(ids, steps: 10, dims: 6)) { XCTAssertTrue("\($0)".contains("fitted on 7 dimensions"), "\($0)") }
        // The secondary code refines the primary one in the latent space it quantises (each layer's
        // codes are moving averages of the residuals assigned to them), and the decoded windows
        // beat predicting the mean. Whether the decoder, trained 300 steps, also turns a smaller
        // latent residual into a smaller action error is the architectures chapter's claim (a),
        // measured there with full training; here it varies with the BLAS kernel's rounding.
        let windows = data.chunks.flatMap { tok.windowValues($0) }
        let z = try tok.latents(tok.standardised(windows), rows: windows.count / (5 * 7))
        let (_, partial) = tok.quantizer!.quantize(z, rows: windows.count / (5 * 7))
        let residual = partial.map { p in zip(z, p).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) } }
        XCTAssertLessThan(residual[1], 0.9 * residual[0], "latent residual after both codes against after the primary code")
        var both = 0.0, primary = 0.0, spread = 0.0
        let flatMean = (0..<7).map { d in data.chunks.flatMap { $0.column(d) }.reduce(0, +) / Double(data.count * 10) }
        for chunk in data.chunks {
            let c = try tok.codes(of: chunk)
            let full = try tok.chunk(fromStandardised: tok.decodeStandardised(codes: c), steps: 10)
            let coarse = try tok.chunk(fromStandardised: tok.decodeStandardised(codes: [c[0]]), steps: 10)
            XCTAssertEqual(try tok.roundTrip(chunk), full)
            for i in 0..<chunk.values.count {
                both += pow(full.values[i] - chunk.values[i], 2); primary += pow(coarse.values[i] - chunk.values[i], 2)
                spread += pow(flatMean[i % 7] - chunk.values[i], 2)
            }
        }
        XCTAssertLessThan(both, 0.5 * spread)
        XCTAssertLessThan(primary, spread)
        let usage = try tok.usage(data)
        XCTAssertEqual(usage.counts.map { $0.reduce(0, +) }, [120, 120])
        XCTAssertEqual(usage.distinctCodes.count, 2)
        XCTAssertGreaterThan(usage.distinctCodes[0], 1)
        XCTAssertLessThanOrEqual(usage.combinations, usage.distinctCodes[0] * usage.distinctCodes[1])
        for (p, n) in zip(usage.perplexity, usage.distinctCodes) { XCTAssertTrue(p >= 1 && p <= Double(n) + 1e-9, "perplexity \(p) of \(n) codes") }
        // The same seed gives the same tokenizer.
        let again = try ResidualVQTokenizer(config)
        try again.fit(data)
        XCTAssertEqual(try data.chunks.map { try again.encode($0) }, try data.chunks.map { try tok.encode($0) })

        // Checkpoints: safetensors and the generic tokenizer file both restore it exactly.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let st = dir.appendingPathComponent("rvq.safetensors")
        try tok.save(to: st)
        let fromST = try ResidualVQTokenizer.load(from: st)
        try TokenizerFile.save(tok, to: dir.appendingPathComponent("rvq.json"))
        let fromJSON = try TokenizerFile.load(from: dir.appendingPathComponent("rvq.json"))
        for chunk in data.chunks.prefix(10) {
            let ids = try tok.encode(chunk)
            XCTAssertEqual(try fromST.encode(chunk), ids)
            XCTAssertEqual(try fromJSON.encode(chunk), ids)
            XCTAssertEqual(try fromST.decode(ids, steps: 10, dims: 7), try tok.decode(ids, steps: 10, dims: 7))
            XCTAssertEqual(try fromJSON.decode(ids, steps: 10, dims: 7), try tok.decode(ids, steps: 10, dims: 7))
        }
    }

    /// The unquantised floor trains the same autoencoder without codes: it beats a quantiser too
    /// coarse to carry the windows, leaves the fitted tokenizer as it was, and repeats exactly.
    func testUnquantisedFloorIsTheAutoencoderWithoutCodes() throws {
        let arm = RobotArmGenerator(frequency: 10)
        let fit = try arm.chunks(count: 80, seed: 3), held = try arm.chunks(count: 20, seed: 4)   // 10 steps x 7 dims
        // One layer of two codes cannot carry 35 values per window; a latent wider than the window can.
        let config = ResidualVQConfig(layers: 1, codebookSize: 2, window: 5, latentDim: 64, hidden: [64, 64],
                                      trainSteps: 400, batchSize: 64, learningRate: 2e-3, seed: 7)
        let tok = try ResidualVQTokenizer(config)
        try tok.fit(fit)
        let before = try held.chunks.map { try tok.encode($0) }
        let floor = try tok.unquantisedFloor(fitting: fit, measuring: [held, fit])
        XCTAssertEqual(floor.reconstructions.count, 2)
        XCTAssertEqual(floor.reconstructions[0].tokens, Array(repeating: [], count: held.count), "the floor has no codes")
        XCTAssertEqual(try held.chunks.map { try tok.encode($0) }, before, "the tokenizer keeps its own fit")
        let quantised = try Reconstruction.measure(tok, on: held)
        let continuous = Array(0..<6)   // the end-effector deltas; the gripper is a step signal
        let (f, q) = (floor.reconstructions[0].meanRelativeRMSE(dims: continuous), quantised.meanRelativeRMSE(dims: continuous))
        XCTAssertLessThan(f, 0.75 * q, "floor \(floor.reconstructions[0].relativeRMSE) against 1 x 2 codes \(quantised.relativeRMSE)")
        XCTAssertEqual(floor.lossCurve.first?.step, 1)
        XCTAssertEqual(floor.lossCurve.last?.step, 400)
        XCTAssertLessThan(floor.lossCurve.last!.loss, 0.5 * floor.lossCurve.first!.loss, "the floor's own training converges")
        // Same settings and seed, same floor (one process, one BLAS kernel: the same arithmetic).
        let again = try ResidualVQTokenizer(config).unquantisedFloor(fitting: fit, measuring: [held])
        XCTAssertEqual(again.reconstructions[0].rmse, floor.reconstructions[0].rmse)
        // An experiment reaches it through the capability, not the concrete type.
        let any: any ActionTokenizer = tok
        XCTAssertNotNil(any as? any MeasuresUnquantisedFloor)
        XCTAssertNil((try TokenizerRegistry.make("minmax", parameters: ParameterReader(.table([]), location: "t"))) as? any MeasuresUnquantisedFloor)
    }

    func testConfigNamesTheBadField() {
        func reader(_ pairs: [(String, ParameterValue)]) -> ParameterReader { try! ParameterReader(.table(pairs.map { (key: $0.0, value: $0.1) }), location: "exp.toml: rvq") }
        XCTAssertThrowsError(try ResidualVQConfig(reader([("codebook_size", .int(1))]))) { XCTAssertTrue("\($0)".contains("key 'codebook_size'"), "\($0)") }
        XCTAssertThrowsError(try ResidualVQConfig(reader([("ema_decay", .double(1))]))) { XCTAssertTrue("\($0)".contains("key 'ema_decay'"), "\($0)") }
        XCTAssertThrowsError(try ResidualVQConfig(reader([("layers", .int(65))]))) { XCTAssertTrue("\($0)".contains("key 'layers'"), "\($0)") }
        XCTAssertEqual(try ResidualVQConfig(reader([("layers", .int(64))])).layers, 64)
        XCTAssertThrowsError(try ResidualVQConfig(reader([("windw", .int(5))]))) { XCTAssertTrue("\($0)".contains("'windw': unknown key"), "\($0)") }
        XCTAssertEqual(try ResidualVQConfig(reader([])), ResidualVQConfig())
        XCTAssertEqual(try ResidualVQConfig(reader(ResidualVQConfig(layers: 3, codebookSize: 32).parameters.tableEntries)), ResidualVQConfig(layers: 3, codebookSize: 32))
    }
}

private extension ParameterValue {
    var tableEntries: [(String, ParameterValue)] {
        guard case .table(let e) = self else { return [] }
        return e.map { ($0.key, $0.value) }
    }
}
