import ActionData
import Foundation
import Support
import XCTest
@testable import Tokenizers

/// Tests of MotionLM-style Verlet delta tokens: layout, error bounds, clipping, drift, errors, saving.
final class VerletTests: XCTestCase {
    /// Smooth chunks: per dimension a random sinusoid over at most 1.5 radians, gentle enough that
    /// the change of the delta index rarely exceeds 6 levels per step.
    func smoothData(count: Int, steps: Int = 20, dims: Int = 3, seed: UInt64 = 7) throws -> ChunkSet {
        var g = SeededGenerator(seed: seed)
        return try ChunkSet(chunks: (0..<count).map { _ in
            let params = (0..<dims).map { _ in (g.nextUniform(0.5, 2), g.nextUniform(0, 6.3), g.nextUniform(0.5, 1.5), g.nextUniform(-1, 1)) }
            return try ActionChunk(rows: (0..<steps).map { t in
                params.map { a, phase, freq, offset in offset + a * sin(phase + freq * Double(t) / Double(steps)) }
            })
        })
    }

    func reader(_ entries: [(String, ParameterValue)]) throws -> ParameterReader {
        try ParameterReader(.table(entries.map { (key: $0.0, value: $0.1) }), location: "test")
    }

    func testVocabularyLayout() throws {
        let tok = try VerletTokenizer(VerletConfig(firstDelta: .base))
        XCTAssertEqual(tok.vocabularySize, 256 + 128 + 13)
        XCTAssertEqual(tok.baseOffset, 256)
        XCTAssertEqual(tok.changeOffset, 384)
        XCTAssertEqual(tok.tokensPerChunk(steps: 20, dims: 7), 140)
        let rest = try VerletTokenizer()
        XCTAssertEqual(rest.config.firstDelta, .rest)
        XCTAssertEqual(rest.vocabularySize, 256 + 13)
        XCTAssertEqual(rest.changeOffset, 256)
        try tok.fit(smoothData(count: 20)); try rest.fit(smoothData(count: 20))
        let chunk = try smoothData(count: 1, seed: 99).chunks[0]
        for (t, base) in [(tok, true), (rest, false)] {
            let ids = try t.encode(chunk)
            XCTAssertEqual(ids.count, 60)
            for (i, id) in ids.enumerated() {
                let step = i / 3
                if step == 0 { XCTAssertLessThan(id, 256) }
                else if step == 1, base { XCTAssertTrue((256..<384).contains(id)) }
                else { XCTAssertTrue((t.changeOffset..<t.changeOffset + 13).contains(id)) }
            }
        }
        // A constant velocity repeats the previous delta: every later token is "change 0".
        let ramp = try ActionChunk(rows: (0..<10).map { [Double($0) * 0.125] })
        let one = try VerletTokenizer()
        try one.fit(ChunkSet(chunks: [ramp]))
        XCTAssertEqual(Array(try one.encode(ramp)[2...]), [Int](repeating: one.changeOffset + 6, count: 8))
        XCTAssertEqual(try one.roundTrip(ramp).values, ramp.values, "a ramp of binary fractions is exactly representable")
    }

    /// Closed loop: without clipping, step 0 is within half an anchor spacing and every later step
    /// within half a delta spacing s / 2 of the input (errors do not accumulate).
    func testClosedLoopRoundTripWithinHalfALevel() throws {
        let data = try smoothData(count: 200)
        let tok = try VerletTokenizer(VerletConfig(firstDelta: .base))      // the sinusoids start moving
        try tok.fit(data)
        var clean = 0
        for chunk in data.chunks.prefix(80) {
            let before = tok.stats
            let back = try tok.roundTrip(chunk)
            guard tok.stats.clippedChanges == before.clippedChanges, tok.stats.clippedDeltas == before.clippedDeltas else { continue }
            clean += 1
            for d in 0..<3 {
                XCTAssertLessThanOrEqual(abs(back[0, d] - chunk[0, d]), tok.anchorSpacing(dimension: d) / 2 * (1 + 1e-9))
                for t in 1..<20 {
                    XCTAssertLessThanOrEqual(abs(back[t, d] - chunk[t, d]), tok.deltaSpacing(dimension: d) / 2 * (1 + 1e-6), "t=\(t) d=\(d)")
                }
            }
        }
        XCTAssertGreaterThanOrEqual(clean, 70, "smooth data should rarely clip")
    }

    /// Open loop: the bound is a / 2 + t s / 2 and quantisation errors do add up beyond s / 2.
    func testOpenLoopErrorsAccumulate() throws {
        let data = try smoothData(count: 200)
        let open = try VerletTokenizer(VerletConfig(firstDelta: .base, closedLoop: false)), closed = try VerletTokenizer(VerletConfig(firstDelta: .base))
        try open.fit(data); try closed.fit(data)
        var worstOpen = 0.0, worstClosed = 0.0
        for chunk in data.chunks.prefix(80) {
            let before = open.stats, closedBefore = closed.stats
            let a = try open.roundTrip(chunk), b = try closed.roundTrip(chunk)
            let clean = open.stats.clippedChanges == before.clippedChanges && open.stats.clippedDeltas == before.clippedDeltas
            let closedClean = closed.stats.clippedChanges == closedBefore.clippedChanges && closed.stats.clippedDeltas == closedBefore.clippedDeltas
            for d in 0..<3 {
                let s = open.deltaSpacing(dimension: d), anchor = open.anchorSpacing(dimension: d)
                for t in 1..<20 {
                    if clean { XCTAssertLessThanOrEqual(abs(a[t, d] - chunk[t, d]), (anchor / 2 + Double(t) * s / 2) * (1 + 1e-9)) }
                    if clean { worstOpen = max(worstOpen, abs(a[t, d] - chunk[t, d]) / s) }
                    if closedClean { worstClosed = max(worstClosed, abs(b[t, d] - chunk[t, d]) / s) }
                }
            }
        }
        XCTAssertGreaterThan(worstOpen, 1, "open-loop errors grow past one delta spacing")
        XCTAssertLessThanOrEqual(worstClosed, 0.5 + 1e-6)
    }

    /// A jump larger than the change limit is clipped and counted; open loop never recovers the
    /// lost displacement (drift to the end of the chunk), closed loop steers back.
    func testClippingIsCountedAndDriftPersistsOpenLoop() throws {
        let data = try smoothData(count: 100, dims: 1)
        let open = try VerletTokenizer(VerletConfig(firstDelta: .base, closedLoop: false)), closed = try VerletTokenizer(VerletConfig(firstDelta: .base))
        try open.fit(data); try closed.fit(data)
        let jump = 0.9 * open.deltaUpper[0], start = data.chunks[0][0, 0]
        let jumpy = try ActionChunk(rows: (0..<40).map { [$0 < 5 ? start : start + jump] })
        let a = try open.roundTrip(jumpy), b = try closed.roundTrip(jumpy)
        XCTAssertGreaterThan(open.stats.clippedChanges, 0)
        XCTAssertGreaterThan(closed.stats.clippedChanges, 0)
        XCTAssertEqual(open.stats.changeTokens, 38)
        XCTAssertEqual(open.stats.changeClipRate, Double(open.stats.clippedChanges) / 38, accuracy: 1e-15)
        let s = open.deltaSpacing(dimension: 0)
        // Open loop: an offset of many delta spacings from the clipped jump lasts to the last step.
        for t in 5..<40 { XCTAssertGreaterThan(abs(a[t, 0] - jumpy[t, 0]), 10 * s, "open loop t=\(t)") }
        // Closed loop: braking keeps the overshoot small, then back within half a spacing.
        for t in 5..<40 { XCTAssertLessThanOrEqual(b[t, 0] - jumpy[t, 0], 3 * s, "closed loop overshoot t=\(t)") }
        for t in 20..<40 { XCTAssertLessThanOrEqual(abs(b[t, 0] - jumpy[t, 0]), s / 2 * (1 + 1e-6), "closed loop t=\(t)") }
        // A delta beyond the fitted range is counted too.
        let far = try ActionChunk(rows: [[start], [start + 5 * open.deltaUpper[0] + 1]])
        _ = try closed.encode(far)
        XCTAssertGreaterThan(closed.stats.clippedDeltas, 0)
        closed.resetStats()
        XCTAssertEqual(closed.stats, VerletStats())
    }

    func testSingleStepAndStartAtRest() throws {
        let data = try smoothData(count: 30)
        let tok = try VerletTokenizer(VerletConfig(firstDelta: .rest))
        try tok.fit(data)
        let one = try ActionChunk(steps: 1, dims: 3, values: [0.1, -0.2, 0.3])
        let ids = try tok.encode(one)
        XCTAssertEqual(ids.count, 3)
        let back = try tok.decode(ids, steps: 1, dims: 3)
        for d in 0..<3 { XCTAssertLessThanOrEqual(abs(back[0, d] - one[0, d]), tok.anchorSpacing(dimension: d) / 2 * (1 + 1e-9)) }
        // Starting at rest: a chunk that is already moving fast clips at step 1.
        let moving = try ActionChunk(rows: (0..<4).map { t in (0..<3).map { tok.deltaUpper[$0] * Double(t) } })
        _ = try tok.encode(moving)
        XCTAssertGreaterThan(tok.stats.clippedChanges, 0)
        // Fitting on one-step chunks: no deltas, a [0, 0] delta range.
        let flat = try VerletTokenizer()
        try flat.fit(ChunkSet(chunks: [one]))
        XCTAssertEqual(flat.deltaLower, [0, 0, 0])
        XCTAssertEqual(flat.deltaUpper, [0, 0, 0])
    }

    func testTypedErrorsOnMalformedSequences() throws {
        let tok = try VerletTokenizer(VerletConfig(firstDelta: .base))
        let chunk = try smoothData(count: 1, steps: 5, dims: 2).chunks[0]
        XCTAssertThrowsError(try tok.encode(chunk)) { XCTAssertEqual($0 as? TokenizerError, .notFitted("verlet")) }
        try tok.fit(smoothData(count: 20, steps: 5, dims: 2))
        let ids = try tok.encode(chunk)
        XCTAssertThrowsError(try tok.encode(ActionChunk(steps: 5, dims: 3, values: [Double](repeating: 0, count: 15)))) {
            guard case .shapeMismatch("verlet", _)? = $0 as? TokenizerError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try tok.decode(ids, steps: 5, dims: 1)) {
            guard case .shapeMismatch("verlet", _)? = $0 as? TokenizerError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try tok.decode(Array(ids.dropLast()), steps: 5, dims: 2)) {
            XCTAssertEqual($0 as? TokenizerError, .wrongTokenCount("verlet", expected: 10, got: 9))
        }
        var bad = ids; bad[7] = 397
        XCTAssertThrowsError(try tok.decode(bad, steps: 5, dims: 2)) {
            XCTAssertEqual($0 as? TokenizerError, .unknownTokenId("verlet", id: 397, position: 7, vocabularySize: 397))
        }
        bad = ids; bad[1] = 390                     // a change token where an anchor belongs
        XCTAssertThrowsError(try tok.decode(bad, steps: 5, dims: 2)) {
            guard case .shapeMismatch("verlet", let s)? = $0 as? TokenizerError, s.contains("should be an anchor") else { return XCTFail("\($0)") }
        }
        bad = ids; bad[2] = 5                       // an anchor where the first delta belongs
        XCTAssertThrowsError(try tok.decode(bad, steps: 5, dims: 2)) {
            guard case .shapeMismatch("verlet", let s)? = $0 as? TokenizerError, s.contains("should be a base delta token") else { return XCTFail("\($0)") }
        }
        bad = ids; bad[4] = 300                     // a base token where a change belongs
        XCTAssertThrowsError(try tok.decode(bad, steps: 5, dims: 2)) {
            guard case .shapeMismatch("verlet", let s)? = $0 as? TokenizerError, s.contains("should be a change token") else { return XCTFail("\($0)") }
        }
        // Changes that walk the delta index off the end of its range.
        bad = ids; bad[2] = tok.baseOffset + 125; bad[4] = tok.changeOffset + 12; bad[6] = tok.changeOffset + 12
        XCTAssertThrowsError(try tok.decode(bad, steps: 5, dims: 2)) {
            guard case .shapeMismatch("verlet", let s)? = $0 as? TokenizerError, s.contains("outside 0..<128") else { return XCTFail("\($0)") }
        }
    }

    func testConfigErrorsNameTheField() throws {
        XCTAssertEqual(try VerletConfig(reader([])), VerletConfig())
        XCTAssertEqual(try VerletConfig(reader([("first_delta", .string("rest")), ("closed_loop", .bool(false)), ("max_change", .int(3))])),
                       VerletConfig(maxChange: 3, firstDelta: .rest, closedLoop: false))
        XCTAssertThrowsError(try VerletConfig(reader([("max_change", .int(128))]))) {
            XCTAssertTrue("\($0)".hasPrefix("test: key 'max_change': must be in 0...127"), "\($0)")
        }
        XCTAssertThrowsError(try VerletConfig(reader([("first_delta", .string("zero"))]))) { XCTAssertTrue("\($0)".contains("key 'first_delta'"), "\($0)") }
        XCTAssertThrowsError(try VerletConfig(reader([("base_bin", .int(64))]))) {
            XCTAssertTrue("\($0)".contains("key 'base_bin': unknown key (did you mean base_bins?); expected one of: anchor_bins, base_bins, max_change, first_delta, closed_loop"), "\($0)")
        }
        XCTAssertThrowsError(try VerletTokenizer(VerletConfig(baseBins: 1))) { XCTAssertEqual(($0 as? ConfigError)?.key, "base_bins") }
    }

    /// fittedState -> JSON text -> restore encodes and decodes identically.
    func testSaveRestoreIdentity() throws {
        let data = try RobotArmGenerator(frequency: 20).chunks(count: 60, seed: 3)
        for config in [VerletConfig(), VerletConfig(anchorBins: 100, baseBins: 64, maxChange: 4, firstDelta: .base, closedLoop: false)] {
            let tok = try VerletTokenizer(config)
            try tok.fit(data)
            let json = try tok.fittedState().prettyJSON()
            let back = try VerletTokenizer.restore(ParameterReader(ParameterValue.parseJSON(Data(json.utf8), source: "t"), location: "t"))
            XCTAssertEqual(back.config, config)
            XCTAssertEqual(back.deltaLower, tok.deltaLower)
            XCTAssertEqual(back.valueUpper, tok.valueUpper)
            for chunk in data.chunks.prefix(20) {
                let ids = try tok.encode(chunk)
                XCTAssertEqual(try back.encode(chunk), ids)
                XCTAssertEqual(try back.decode(ids, steps: 20, dims: 7), try tok.decode(ids, steps: 20, dims: 7))
            }
            XCTAssertEqual(back.stats, tok.stats, "the same clipping on the same chunks")
        }
    }
}
