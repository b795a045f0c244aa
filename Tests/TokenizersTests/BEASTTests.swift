import ActionData
import Foundation
import Support
import XCTest
@testable import Tokenizers

/// Tests of the BEAST B-spline tokenizer: token count, quantisation bound, lengths, errors, saving.
final class BEASTTests: XCTestCase {
    func robotData(count: Int = 200, seed: UInt64 = 5) throws -> ChunkSet {
        try RobotArmGenerator(frequency: 20).chunks(count: count, seed: seed)        // 20 steps x 7 dims
    }

    func reader(_ entries: [(String, ParameterValue)]) throws -> ParameterReader {
        try ParameterReader(.table(entries.map { (key: $0.0, value: $0.1) }), location: "test")
    }

    /// A chunk is always N x D tokens, whatever its length, and ids are bins.
    func testTokensPerChunkIsControlPointsTimesDims() throws {
        let tok = try BEASTTokenizer()
        XCTAssertEqual(tok.vocabularySize, 256)
        let data = try robotData(count: 50)
        try tok.fit(data)
        XCTAssertEqual(tok.fittedSteps, 20)
        for steps in [1, 2, 5, 10, 20, 39, 100] {
            XCTAssertEqual(tok.tokensPerChunk(steps: steps, dims: 7), 70)
            let chunk = try ActionChunk(steps: steps, dims: 7, values: (0..<steps * 7).map { Double($0 % 7) * 0.01 })
            let ids = try tok.encode(chunk)
            XCTAssertEqual(ids.count, 70, "T=\(steps)")
            XCTAssertTrue(ids.allSatisfy { (0..<256).contains($0) })
            XCTAssertEqual(try tok.decode(ids, steps: steps, dims: 7).steps, steps)
        }
    }

    /// Decoded values are within sum_n B_n(u_t) w_n,d / 2 (<= max_n w_n,d / 2) of the unquantised fit.
    func testRoundTripWithinHalfABinThroughTheBasis() throws {
        let data = try robotData()
        let tok = try BEASTTokenizer()
        try tok.fit(data)
        let phi = tok.basis.designMatrix(steps: 20), n = 10
        var worstRatio = 0.0
        for chunk in data.chunks.prefix(60) {
            let spline = try tok.curve(controlPoints: tok.controlPoints(of: chunk), steps: 20, dims: 7)
            let back = try tok.roundTrip(chunk)
            for t in 0..<20 {
                for d in 0..<7 {
                    let bound = (0..<n).reduce(0.0) { $0 + phi[t * n + $1] * tok.binWidth(slot: $1, dimension: d) / 2 }
                    let maxHalfBin = (0..<n).map { tok.binWidth(slot: $0, dimension: d) / 2 }.max()!
                    XCTAssertLessThanOrEqual(bound, maxHalfBin * (1 + 1e-12))
                    let err = abs(back[t, d] - spline[t, d])
                    XCTAssertLessThanOrEqual(err, bound * (1 + 1e-9) + 1e-15, "t=\(t) d=\(d)")
                    if bound > 0 { worstRatio = max(worstRatio, err / bound) }
                }
            }
        }
        XCTAssertGreaterThan(worstRatio, 0.3, "the bound should be nearly attained somewhere")
        XCTAssertEqual(tok.stats.clipped, 0, "fitting chunks are inside the min/max bounds")
        XCTAssertEqual(tok.stats.chunks, 60)
        XCTAssertEqual(tok.stats.controlPoints, 60 * 70)
    }

    /// Data that is a spline of the same degree and knots comes back within max half-bin (lambda 0).
    func testSplineDataRoundTripsWithinHalfABin() throws {
        var g = SeededGenerator(seed: 21)
        let tok = try BEASTTokenizer(BEASTConfig(degree: 4, controlPoints: 10, lambda: 0))
        let chunks = try (0..<40).map { _ in
            try tok.curve(controlPoints: (0..<30).map { _ in g.nextGaussian() }, steps: 20, dims: 3)
        }
        try tok.fit(ChunkSet(chunks: chunks))
        for chunk in chunks {
            let back = try tok.roundTrip(chunk)
            for t in 0..<20 {
                for d in 0..<3 {
                    let halfBin = (0..<10).map { tok.binWidth(slot: $0, dimension: d) / 2 }.max()!
                    XCTAssertLessThanOrEqual(abs(back[t, d] - chunk[t, d]), halfBin + 1e-9)
                }
            }
        }
    }

    /// Tokens are slot-major (n * D + d) and equal floor((c - lower) / width) of the fitted control point.
    func testSlotMajorLayoutAndBinFormula() throws {
        let data = try robotData(count: 80)
        let tok = try BEASTTokenizer(BEASTConfig(controlPoints: 6, bins: 64))
        try tok.fit(data)
        let chunk = data.chunks[17]
        let c = try tok.controlPoints(of: chunk), ids = try tok.encode(chunk)
        XCTAssertEqual(ids.count, 42)
        for slot in 0..<6 {
            for d in 0..<7 {
                let i = slot * 7 + d, w = tok.binWidth(slot: slot, dimension: d)
                let expected = w > 0 ? min(Int(((c[i] - tok.lower[i]) / w).rounded(.down)), 63) : 0
                XCTAssertEqual(ids[i], expected, "slot \(slot) dim \(d)")
            }
        }
    }

    /// The time grid is normalised: decoding at 2T - 1 steps samples the same curve plus midpoints,
    /// and chunks of any length can be encoded (lambda > 0); with lambda = 0 too few steps throw.
    func testOtherChunkLengths() throws {
        let data = try robotData(count: 60)
        let tok = try BEASTTokenizer()
        try tok.fit(data)
        let ids = try tok.encode(data.chunks[3])
        let at20 = try tok.decode(ids, steps: 20, dims: 7), at39 = try tok.decode(ids, steps: 39, dims: 7)
        for t in 0..<20 { for d in 0..<7 { XCTAssertEqual(at39[2 * t, d], at20[t, d], accuracy: 1e-12) } }
        // A 39-step resampling of the decoded curve encodes back to (almost) the same curve.
        let again = try tok.decode(tok.encode(at39), steps: 20, dims: 7)
        let worst = zip(again.values, at20.values).map { abs($0 - $1) }.max()!
        let maxBin = (0..<10).flatMap { n in (0..<7).map { tok.binWidth(slot: n, dimension: $0) } }.max()!
        XCTAssertLessThanOrEqual(worst, maxBin)
        // One step: the start value, shrunk by 1 / (1 + lambda) and quantised.
        let one = try ActionChunk(steps: 1, dims: 7, values: Array(data.chunks[3].values.prefix(7)))
        XCTAssertEqual(try tok.roundTrip(one).steps, 1)
        let strict = try BEASTTokenizer(BEASTConfig(lambda: 0))
        try strict.fit(data)
        XCTAssertThrowsError(try strict.encode(ActionChunk(steps: 5, dims: 7, values: [Double](repeating: 0, count: 35)))) {
            guard case .shapeMismatch("beast", let s)? = $0 as? TokenizerError, s.contains("at least 10 steps") else { return XCTFail("\($0)") }
        }
    }

    /// Control points outside the fitted bounds are clamped and counted.
    func testClippingIsCounted() throws {
        let data = try robotData(count: 60)
        let tok = try BEASTTokenizer()
        try tok.fit(data)
        _ = try tok.encode(data.chunks[0])
        XCTAssertEqual(tok.stats.clipped, 0)
        let wild = try ActionChunk(steps: 20, dims: 7, values: data.chunks[0].values.map { $0 * 50 + 1 })
        let ids = try tok.encode(wild)
        XCTAssertGreaterThan(tok.stats.clipped, 0)
        XCTAssertEqual(tok.stats.chunks, 2)
        XCTAssertTrue(ids.allSatisfy { (0..<256).contains($0) })
        XCTAssertEqual(tok.stats.clipRate, Double(tok.stats.clipped) / 140, accuracy: 1e-15)
        tok.resetStats()
        XCTAssertEqual(tok.stats, BEASTStats())
    }

    func testTypedErrors() throws {
        let tok = try BEASTTokenizer(BEASTConfig(degree: 3, controlPoints: 5))
        let chunk = try ActionChunk(steps: 8, dims: 2, values: (0..<16).map { sin(Double($0)) })
        XCTAssertThrowsError(try tok.encode(chunk)) { XCTAssertEqual($0 as? TokenizerError, .notFitted("beast")) }
        XCTAssertThrowsError(try tok.fittedState()) { XCTAssertEqual($0 as? TokenizerError, .notFitted("beast")) }
        try tok.fit(ChunkSet(chunks: [chunk]))
        XCTAssertThrowsError(try tok.encode(ActionChunk(steps: 8, dims: 3, values: [Double](repeating: 0, count: 24)))) {
            guard case .shapeMismatch("beast", _)? = $0 as? TokenizerError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try tok.decode([Int](repeating: 0, count: 15), steps: 8, dims: 3)) {
            guard case .shapeMismatch("beast", _)? = $0 as? TokenizerError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try tok.decode([Int](repeating: 0, count: 9), steps: 8, dims: 2)) {
            XCTAssertEqual($0 as? TokenizerError, .wrongTokenCount("beast", expected: 10, got: 9))
        }
        XCTAssertThrowsError(try tok.decode([0, 0, 0, 256, 0, 0, 0, 0, 0, 0], steps: 8, dims: 2)) {
            XCTAssertEqual($0 as? TokenizerError, .unknownTokenId("beast", id: 256, position: 3, vocabularySize: 256))
        }
        XCTAssertThrowsError(try tok.decode([0, 0, 0, 0, 0, 0, 0, 0, 0, -1], steps: 8, dims: 2)) {
            XCTAssertEqual($0 as? TokenizerError, .unknownTokenId("beast", id: -1, position: 9, vocabularySize: 256))
        }
        XCTAssertThrowsError(try tok.decode([Int](repeating: 0, count: 10), steps: 0, dims: 2)) {
            guard case .shapeMismatch("beast", _)? = $0 as? TokenizerError else { return XCTFail("\($0)") }
        }
    }

    func testConfigErrorsNameTheField() throws {
        XCTAssertEqual(try BEASTConfig(reader([])), BEASTConfig())
        XCTAssertEqual(try BEASTConfig(reader([("degree", .int(3)), ("control_points", .int(8)), ("lambda", .double(0.01)), ("bins", .int(128))])),
                       BEASTConfig(degree: 3, controlPoints: 8, lambda: 0.01, bins: 128))
        XCTAssertThrowsError(try BEASTConfig(reader([("degree", .int(10))]))) {
            XCTAssertTrue("\($0)".hasPrefix("test: key 'degree': must be less than control_points (10)"), "\($0)")
        }
        XCTAssertThrowsError(try BEASTConfig(reader([("control_pionts", .int(8))]))) {
            XCTAssertEqual("\($0)", "test: key 'control_pionts': unknown key (did you mean control_points?); expected one of: degree, control_points, lambda, bins")
        }
        XCTAssertThrowsError(try BEASTConfig(reader([("lambda", .double(-1))]))) { XCTAssertTrue("\($0)".contains("key 'lambda'"), "\($0)") }
        XCTAssertThrowsError(try BEASTConfig(reader([("bins", .int(1))]))) { XCTAssertTrue("\($0)".contains("key 'bins'"), "\($0)") }
        XCTAssertThrowsError(try BEASTTokenizer(BEASTConfig(degree: 5, controlPoints: 5))) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "degree")
        }
    }

    /// fittedState -> JSON text -> restore encodes and decodes identically; bad states are named.
    func testSaveRestoreIdentity() throws {
        let data = try robotData(count: 80)
        let tok = try BEASTTokenizer(BEASTConfig(degree: 3, controlPoints: 8, lambda: 3e-4, bins: 200))
        try tok.fit(data)
        let json = try tok.fittedState().prettyJSON()
        let back = try BEASTTokenizer.restore(ParameterReader(ParameterValue.parseJSON(Data(json.utf8), source: "t"), location: "t"))
        XCTAssertEqual(back.config, tok.config)
        XCTAssertEqual(back.lower, tok.lower)
        XCTAssertEqual(back.upper, tok.upper)
        XCTAssertEqual(back.fittedSteps, 20)
        for chunk in data.chunks.prefix(20) {
            let ids = try tok.encode(chunk)
            XCTAssertEqual(try back.encode(chunk), ids)
            XCTAssertEqual(try back.decode(ids, steps: 20, dims: 7), try tok.decode(ids, steps: 20, dims: 7))
        }
        guard case .table(var entries) = try tok.fittedState() else { return XCTFail() }
        entries[entries.firstIndex { $0.key == "upper" }!].value = .array([.double(1)])
        XCTAssertThrowsError(try BEASTTokenizer.restore(ParameterReader(.table(entries), location: "s"))) {
            XCTAssertTrue("\($0)".contains("key 'upper': expected 56 numbers"), "\($0)")
        }
    }
}
