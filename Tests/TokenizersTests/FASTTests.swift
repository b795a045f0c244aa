import ActionData
import Foundation
import Support
import XCTest
import _OpenBLAS
@testable import Tokenizers

final class FASTTests: XCTestCase {
    static let data = try! RobotArmGenerator(frequency: 20).chunks(count: 400, seed: 7)

    func fitted(_ config: FASTConfig = FASTConfig()) throws -> FASTTokenizer {
        let t = FASTTokenizer(config)
        try t.fit(Self.data)
        return t
    }

    /// Normalise, DCT, scale, round and flatten agree with numpy on fixed statistics (no BPE involved).
    func testPreBPECoefficientsMatchNumpy() throws {
        let cases = try FASTGolden.load()["fast"] as! [[String: Any]]
        XCTAssertEqual(cases.count, 3)
        for c in cases {
            let shape = FASTGolden.ints(c["shape"]), values = FASTGolden.doubles(c["values"])
            let per = shape[1] * shape[2]
            let chunks = try (0..<shape[0]).map { try ActionChunk(steps: shape[1], dims: shape[2], values: Array(values[$0 * per..<($0 + 1) * per])) }
            for (clip, key) in [(true, "coefficients"), (false, "coefficients_unclipped")] {
                let norm = FASTNormaliser(q01: FASTGolden.doubles(c["q01"]), q99: FASTGolden.doubles(c["q99"]),
                                          constant: FASTGolden.ints(c["constant"]).map { $0 != 0 }, clip: clip)
                let got = FASTTokenizer.integerCoefficients(chunks, normaliser: norm, gamma: (c["gamma"] as! NSNumber).doubleValue)
                let expected = (c[key] as! [[NSNumber]]).flatMap { $0.map(\.intValue) }
                XCTAssertEqual(got.map { Int($0) }, expected, "shape \(shape), clip \(clip)")
            }
        }
    }

    /// The round trip stays within the bound set by gamma, in the normalised space.
    ///
    /// Each scaled coefficient is off by at most 0.5 after rounding, so for the fitting chunks
    /// (never clipped at encoding) the RMSE of each dimension over a chunk is at most 0.5 / gamma
    /// and each value's error at most 0.5 sqrt(T) / gamma, both measured on the normalised values
    /// (here with clipping: values clipped to the fitted percentiles, mapped to [-1, 1]).
    func testRoundTripWithinGammaBound() throws {
        for gamma in [10.0, 4.0] {
            let tok = try fitted(FASTConfig(gamma: gamma, clip: true))
            let chunks = Array(Self.data.chunks.prefix(100))
            let decoded = try tok.decode(batch: try tok.encode(batch: chunks), steps: 20, dims: 7)
            XCTAssertEqual(tok.stats.encodeClipped, 0)
            XCTAssertEqual(tok.stats.decodedChunks, 100)
            var worstRMSE = 0.0, worstValue = 0.0
            for (x, y) in zip(chunks, decoded) {
                for d in 0..<7 {
                    let (lo, hi) = tok.percentiles(dimension: d)
                    let w = hi - lo + 1e-8
                    let n = { (v: Double) in min(1, max(-1, 2 * (v - lo) / w - 1)) }
                    let errs = (0..<20).map { n(x[$0, d]) - (2 * (y[$0, d] - lo) / w - 1) }
                    worstRMSE = max(worstRMSE, (errs.map { $0 * $0 }.reduce(0, +) / 20).squareRoot())
                    worstValue = max(worstValue, errs.map(abs).max()!)
                }
            }
            XCTAssertLessThanOrEqual(worstRMSE, 0.5 / gamma + 1e-9, "gamma \(gamma)")
            XCTAssertLessThanOrEqual(worstValue, 0.5 * 20.0.squareRoot() / gamma + 1e-9, "gamma \(gamma)")
            XCTAssertGreaterThan(worstRMSE, 0.02 / gamma, "the bound should be nearly reached")
        }
    }


    /// Without clipping (the default, openpi's normalisation) values beyond the fitted percentiles
    /// round-trip within the same bound: the DCT is orthonormal and every fitting chunk's
    /// coefficients lie in the fitted range, so nothing is clipped anywhere, while the clipping
    /// tokenizer loses those values' excess over the percentiles.
    func testUnclippedRoundTripKeepsValuesBeyondThePercentiles() throws {
        let gamma = 10.0, T = 20
        let tok = try fitted(FASTConfig(gamma: gamma))
        let clipping = try fitted(FASTConfig(gamma: gamma, clip: true))
        XCTAssertFalse(FASTConfig.defaults.clip, "openpi's normalisation is the default")
        let chunks = Array(Self.data.chunks.prefix(200))
        let decoded = try tok.decode(batch: try tok.encode(batch: chunks), steps: T, dims: 7)
        let clipped = try clipping.decode(batch: try clipping.encode(batch: chunks), steps: T, dims: 7)
        XCTAssertEqual(tok.stats.encodeClipped, 0)
        XCTAssertEqual(tok.stats.outOfRange, 0)
        var beyond = 0, worstBeyond = 0.0, worstClipped = 0.0, worstRMSE = 0.0
        for ((x, y), z) in zip(zip(chunks, decoded), clipped) {
            for d in 0..<7 {
                let (lo, hi) = tok.percentiles(dimension: d)
                let w = hi - lo + 1e-8
                let n = { (v: Double) in 2 * (v - lo) / w - 1 }
                let errs = (0..<T).map { n(x[$0, d]) - n(y[$0, d]) }
                worstRMSE = max(worstRMSE, (errs.map { $0 * $0 }.reduce(0, +) / Double(T)).squareRoot())
                for t in 0..<T where abs(n(x[t, d])) > 1 {
                    beyond += 1
                    worstBeyond = max(worstBeyond, abs(errs[t]))
                    worstClipped = max(worstClipped, abs(n(x[t, d]) - n(z[t, d])))
                }
            }
        }
        XCTAssertGreaterThan(beyond, 100, "about 2 % of the values lie beyond the percentiles")
        XCTAssertLessThanOrEqual(worstRMSE, 0.5 / gamma + 1e-9)
        XCTAssertLessThanOrEqual(worstBeyond, 0.5 * Double(T).squareRoot() / gamma + 1e-9)
        XCTAssertGreaterThan(worstClipped, 0.5 * Double(T).squareRoot() / gamma, "clipping loses more than the rounding bound there")
    }
    /// FAST compresses smooth arm data, every id is in the vocabulary, and batches (any thread count)
    /// give the same tokens as one chunk at a time.
    func testCompressionVocabularyAndBatches() throws {
        let tok = try fitted(FASTConfig(vocabulary: 512))
        XCTAssertLessThanOrEqual(tok.vocabularySize, 512)
        XCTAssertNil(tok.tokensPerChunk(steps: 20, dims: 7))
        let chunks = Self.data.chunks
        let single = try chunks.map { try tok.encode($0) }
        XCTAssertEqual(try tok.encode(batch: chunks, threads: 2), single)
        XCTAssertEqual(try tok.encode(batch: chunks), single)
        XCTAssertTrue(single.allSatisfy { $0.allSatisfy { (0..<tok.vocabularySize).contains($0) } })
        let mean = Double(single.map(\.count).reduce(0, +)) / Double(single.count)
        XCTAssertLessThan(mean, 140 / 2, "20 x 7 values should need far fewer than 70 tokens")
        let a = try tok.decode(batch: single, steps: 20, dims: 7, threads: 2)
        XCTAssertEqual(a, try single.map { try tok.decode($0, steps: 20, dims: 7) })
    }

    /// A threaded OpenBLAS (set by anything else in the process) does not change FAST's results:
    /// a batch decoded on two threads equals the chunks decoded one at a time.
    func testResultsDoNotDependOnOpenBLASThreads() throws {
        let tok = try fitted(FASTConfig(vocabulary: 512))
        let tokens = try Self.data.chunks.map { try tok.encode($0) }
        let oneByOne = try tokens.map { try tok.decode($0, steps: 20, dims: 7) }
        openblas_set_num_threads(2)
        XCTAssertEqual(try tok.decode(batch: tokens, steps: 20, dims: 7, threads: 2), oneByOne)
        XCTAssertEqual(openblas_get_num_threads(), 1, "the DCT puts OpenBLAS back on one thread")
    }

    /// Several threads may share one fitted tokenizer; counters add up.
    func testConcurrentUseFromSeveralThreads() throws {
        let tok = try fitted()
        let chunks = Array(Self.data.chunks.prefix(80))
        let expected = try chunks.map { try tok.encode($0) }
        tok.resetStatistics()
        var got = [[Int]](repeating: [], count: chunks.count)
        got.withUnsafeMutableBufferPointer { got in
            DispatchQueue.concurrentPerform(iterations: 4) { p in
                for i in stride(from: p, to: chunks.count, by: 4) {
                    got[i] = try! tok.encode(chunks[i])
                    _ = try! tok.decode(got[i], steps: 20, dims: 7)
                }
            }
        }
        XCTAssertEqual(got, expected)
        XCTAssertEqual(tok.stats.encodedChunks, 80)
        XCTAssertEqual(tok.stats.decodedChunks, 80)
    }

    /// Strict decoding throws typed errors naming the kind, and counts each failure.
    func testStrictDecodeErrors() throws {
        let tok = try fitted(FASTConfig(clip: true))
        let ids = try tok.encode(Self.data.chunks[0])
        XCTAssertThrowsError(try tok.decode(ids + [tok.vocabularySize, -3], steps: 20, dims: 7)) {
            XCTAssertEqual($0 as? FASTDecodingError, .unknownIds(count: 2, id: tok.vocabularySize, position: ids.count, vocabularySize: tok.vocabularySize))
            XCTAssertTrue("\($0)".contains("unknown id: 2 id(s)"), "\($0)")
        }
        XCTAssertThrowsError(try tok.decode(ids + [0], steps: 20, dims: 7)) {
            XCTAssertEqual($0 as? FASTDecodingError, .wrongCoefficientCount(expected: 140, got: 141))
        }
        XCTAssertThrowsError(try tok.decode(ids, steps: 10, dims: 7)) {
            XCTAssertEqual($0 as? FASTDecodingError, .wrongCoefficientCount(expected: 70, got: 140))
        }
        // Every coefficient at the fitted maximum: decodes far outside the normalised range.
        let top = tok.maxCoefficient - tok.minCoefficient
        XCTAssertThrowsError(try tok.decode([Int](repeating: top, count: 140), steps: 20, dims: 7)) {
            guard case .outOfRange(let n, _, let limit)? = $0 as? FASTDecodingError else { return XCTFail("\($0)") }
            XCTAssertGreaterThan(n, 0)
            XCTAssertEqual(limit, 1 + 0.5 * 20.0.squareRoot() / 10, accuracy: 1e-6)
        }
        XCTAssertEqual(tok.stats.unknownId, 2)
        XCTAssertEqual(tok.stats.wrongCoefficientCount, 2)
        XCTAssertGreaterThan(tok.stats.outOfRange, 0)
        XCTAssertEqual(tok.stats.decodedChunks, 4)
        XCTAssertEqual(tok.stats.truncatedChunks + tok.stats.paddedChunks, 0)
        // Without clipping an encoded chunk may hold any value, so no decoded value is out of range (as in openpi).
        let open = try fitted()
        XCTAssertNoThrow(try open.decode([Int](repeating: open.maxCoefficient - open.minCoefficient, count: 140), steps: 20, dims: 7))
        XCTAssertEqual(open.stats.outOfRange, 0)
    }

    /// Relaxed decoding drops unknown ids, truncates or zero-pads, clamps, and reports each repair.
    func testRelaxedDecodeRepairsAndCounts() throws {
        let tok = try fitted(FASTConfig(decodeMode: .relaxed, clip: true))
        let ids = try tok.encode(Self.data.chunks[0])
        let clean = try tok.decode(ids, steps: 20, dims: 7, mode: .relaxed)
        XCTAssertTrue(clean.report.isClean)

        let long = try tok.decode(ids + [ids.last!, 99_999], steps: 20, dims: 7, mode: .relaxed)
        XCTAssertEqual(long.report.unknownIds, 1)
        XCTAssertGreaterThan(long.report.truncated, 0)
        XCTAssertEqual(long.chunk, clean.chunk, "the extra coefficients are cut off")

        let short = try tok.decode(Array(ids.dropLast(3)), steps: 20, dims: 7)
        XCTAssertEqual(tok.stats.paddedChunks, 1)
        XCTAssertEqual(short.steps, 20)

        let top = tok.maxCoefficient - tok.minCoefficient
        let wild = try tok.decode([Int](repeating: top, count: 140), steps: 20, dims: 7, mode: .relaxed)
        XCTAssertGreaterThan(wild.report.outOfRange, 0)
        XCTAssertEqual(tok.stats.truncatedChunks, 1)
        XCTAssertEqual(tok.stats.unknownId, 1)
        XCTAssertEqual(tok.stats.wrongCoefficientCount, 2)
        XCTAssertEqual(tok.stats.outOfRange, wild.report.outOfRange)
        XCTAssertEqual(tok.stats.decodedChunks, 4)
    }

    /// Coefficients beyond the fitted range are clipped at encoding, and counted.
    func testEncodeClippingIsCounted() throws {
        let tok = try fitted(FASTConfig(clip: true))
        XCTAssertEqual(tok.stats.encodeClipped, 0)
        // Clipped normalised values are in [-1, 1], so a coefficient is at most sqrt(steps) in size: a chunk
        // four times longer than the fitting ones, held at the 99th (1st) percentile, has a DC
        // coefficient twice as large as any seen in fitting.
        let high = (0..<80).flatMap { _ in (0..<7).map { tok.percentiles(dimension: $0).q99 } }
        let low = (0..<80).flatMap { _ in (0..<7).map { tok.percentiles(dimension: $0).q01 } }
        _ = try tok.encode(batch: [ActionChunk(steps: 80, dims: 7, values: high)])
        XCTAssertEqual(tok.stats.encodeClippedAbove, 7)
        _ = try tok.encode(ActionChunk(steps: 80, dims: 7, values: low))
        XCTAssertEqual(tok.stats.encodeClippedBelow, 7)
        XCTAssertEqual(tok.stats.encodedChunks, 2)
        tok.resetStatistics()
        XCTAssertEqual(tok.stats, FASTStatistics())
    }

    /// Wrong dimensions and use before fitting are typed errors.
    func testShapeAndFittingErrors() throws {
        let tok = FASTTokenizer()
        XCTAssertThrowsError(try tok.encode(Self.data.chunks[0])) { XCTAssertEqual($0 as? TokenizerError, .notFitted("fast")) }
        try tok.fit(Self.data)
        XCTAssertThrowsError(try tok.encode(ActionChunk(steps: 20, dims: 3, values: [Double](repeating: 0, count: 60)))) {
            guard case .shapeMismatch("fast", _)? = $0 as? TokenizerError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try tok.decode([1, 2], steps: 20, dims: 6)) {
            guard case .shapeMismatch("fast", _)? = $0 as? TokenizerError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try tok.decode([1, 2], steps: 0, dims: 7)) {
            guard case .shapeMismatch("fast", _)? = $0 as? TokenizerError else { return XCTFail("\($0)") }
        }
        let mixed = [Self.data.chunks[0], try ActionChunk(steps: 10, dims: 7, values: [Double](repeating: 0, count: 70))]
        XCTAssertThrowsError(try tok.encode(batch: mixed)) { guard case .shapeMismatch? = $0 as? TokenizerError else { return XCTFail("\($0)") } }
        // Chunks of another length than the fitting ones still encode and decode.
        let short = try ActionChunk(steps: 10, dims: 7, values: Array(Self.data.chunks[0].values.prefix(70)))
        XCTAssertEqual(try tok.roundTrip(short).steps, 10)
    }

    /// The configuration rejects unknown keys and bad values, naming the field.
    func testConfigErrors() throws {
        XCTAssertThrowsError(try FASTConfig(ParameterReader(.table([("gama", .double(5))]), location: "exp.toml: tokenizer"))) {
            XCTAssertEqual("\($0)", "exp.toml: tokenizer: key 'gama': unknown key (did you mean gamma?); expected one of: gamma, vocabulary, decode_mode, clip")
        }
        XCTAssertThrowsError(try FASTConfig(ParameterReader(.table([("vocabulary", .int(1))]), location: "x"))) {
            XCTAssertTrue("\($0)".contains("key 'vocabulary'"), "\($0)")
        }
        XCTAssertThrowsError(try FASTConfig(ParameterReader(.table([("decode_mode", .string("lenient"))]), location: "x"))) {
            XCTAssertTrue("\($0)".contains("key 'decode_mode': expected one of strict, relaxed"), "\($0)")
        }
        XCTAssertThrowsError(try FASTConfig(gamma: -1).validate()) { XCTAssertEqual(($0 as? ConfigError)?.key, "gamma") }
        let c = try FASTConfig(ParameterReader(.table([("gamma", .int(20)), ("vocabulary", .int(300)), ("decode_mode", .string("relaxed"))]), location: "x"))
        XCTAssertEqual(c, FASTConfig(gamma: 20, vocabulary: 300, decodeMode: .relaxed))
        // A vocabulary smaller than the coefficient alphabet cannot be fitted.
        XCTAssertThrowsError(try FASTTokenizer(FASTConfig(gamma: 200, vocabulary: 16)).fit(Self.data)) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "vocabulary", "\($0)")
        }
    }

    /// Saving the fitted state as JSON and restoring it gives identical tokens and decodings.
    func testSaveAndRestoreIdentity() throws {
        let tok = try fitted(FASTConfig(gamma: 8, vocabulary: 600, decodeMode: .relaxed))
        let json = try tok.fittedState().prettyJSON()
        XCTAssertTrue(json.contains("\"merges\": [\n"))
        let back = try FASTTokenizer.restore(ParameterReader(ParameterValue.parseJSON(Data(json.utf8), source: "t.json"), location: "t.json"))
        XCTAssertEqual(back.config, tok.config)
        XCTAssertEqual(back.vocabularySize, tok.vocabularySize)
        XCTAssertEqual(back.model!.merges, tok.model!.merges)
        let ids = try tok.encode(batch: Self.data.chunks)
        XCTAssertEqual(try back.encode(batch: Self.data.chunks), ids)
        XCTAssertEqual(try back.decode(batch: ids, steps: 20, dims: 7), try tok.decode(batch: ids, steps: 20, dims: 7))
        XCTAssertEqual(try back.fittedState(), try tok.fittedState())

        // A merge that refers to an id not yet defined is an error naming the key.
        guard case .table(var entries) = try tok.fittedState() else { return XCTFail() }
        let i = entries.firstIndex { $0.key == "merges" }!
        entries[i].value = .array([.array([.int(0), .int(tok.model!.baseSize)])])
        XCTAssertThrowsError(try FASTTokenizer.restore(ParameterReader(.table(entries), location: "t.json"))) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "merges", "\($0)")
        }
        entries[i].value = .array([.array([.int(0)])])
        XCTAssertThrowsError(try FASTTokenizer.restore(ParameterReader(.table(entries), location: "t.json"))) {
            XCTAssertTrue("\($0)".contains("item 0: expected a pair of integers"), "\($0)")
        }
    }
}
