import ActionData
import Foundation
import Support
import XCTest
@testable import Tokenizers

/// Loads the numpy golden vectors written by scripts/fixtures/make_golden.py.
struct GoldenCase {
    let name: String
    let data: ChunkSet
    let bins: Int
    let expected: [String: (tokens: [Int], decoded: [Double])]

    static func load() throws -> [GoldenCase] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/binning_golden.json")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        return try (json["cases"] as! [[String: Any]]).map { c in
            let shape = (c["shape"] as! [NSNumber]).map(\.intValue)
            let values = (c["values"] as! [NSNumber]).map(\.doubleValue)
            let per = shape[1] * shape[2]
            let chunks = try (0..<shape[0]).map { try ActionChunk(steps: shape[1], dims: shape[2], values: Array(values[$0 * per..<($0 + 1) * per])) }
            var expected: [String: (tokens: [Int], decoded: [Double])] = [:]
            for name in ["minmax", "openvla", "equal-mass"] {
                let e = c[name] as! [String: Any]
                expected[name] = ((e["tokens"] as! [NSNumber]).map(\.intValue), (e["decoded"] as! [NSNumber]).map(\.doubleValue))
            }
            return GoldenCase(name: c["name"] as! String, data: try ChunkSet(chunks: chunks), bins: (c["bins"] as! NSNumber).intValue, expected: expected)
        }
    }
}

final class BinningTests: XCTestCase {
    func make(_ name: String, bins: Int = 256) throws -> any ActionTokenizer {
        try TokenizerRegistry.make(name, parameters: ParameterReader(.table([("bins", .int(bins))]), location: "test"))
    }

    /// Every binning tokenizer reproduces numpy's tokens and decoded values.
    func testMatchesNumpyGoldenVectors() throws {
        for g in try GoldenCase.load() {
            for name in ["minmax", "openvla", "equal-mass"] {
                let tok = try make(name, bins: g.bins)
                try tok.fit(g.data)
                let tokens = try g.data.chunks.flatMap { try tok.encode($0) }
                let exp = g.expected[name]!
                let mismatches = zip(tokens, exp.tokens).filter { $0 != $1 }.count
                XCTAssertEqual(mismatches, 0, "\(name) on \(g.name): \(mismatches) tokens differ from numpy")
                let decoded = try g.data.chunks.flatMap { try tok.roundTrip($0).values }
                for (i, (a, b)) in zip(decoded, exp.decoded).enumerated() where abs(a - b) > 1e-9 * max(1, abs(b)) {
                    XCTFail("\(name) on \(g.name): decoded[\(i)] = \(a), numpy \(b)"); break
                }
            }
        }
    }

    /// In-range values come back within half a bin width (min-max and OpenVLA on the percentile range).
    func testRoundTripWithinHalfABin() throws {
        let data = try RobotArmGenerator(frequency: 20).chunks(count: 300, seed: 5)
        let minmax = MinMaxBinning(), openvla = OpenVLABinning()
        try minmax.fit(data); try openvla.fit(data)
        for chunk in data.chunks.prefix(100) {
            let a = try minmax.roundTrip(chunk), b = try openvla.roundTrip(chunk)
            for t in 0..<chunk.steps {
                for d in 0..<chunk.dims {
                    let x = chunk[t, d]
                    XCTAssertLessThanOrEqual(abs(a[t, d] - x), minmax.binWidth(dimension: d) / 2 * (1 + 1e-9) + 1e-15)
                    let (lo, hi) = openvla.percentiles(dimension: d)
                    if x >= lo, x < hi {
                        let halfBin = (hi - lo + 1e-8) / Double(openvla.bins - 1) / 2
                        XCTAssertLessThanOrEqual(abs(b[t, d] - x), halfBin * (1 + 1e-9))
                    }
                }
            }
        }
    }

    /// Larger values never get smaller tokens, in every dimension, for every binning tokenizer.
    func testTokensAreOrdered() throws {
        let data = try RobotArmGenerator().chunks(count: 200, seed: 9)
        var g = SeededGenerator(seed: 1)
        for name in ["minmax", "openvla", "equal-mass"] {
            let tok = try make(name)
            try tok.fit(data)
            for d in 0..<7 {
                let v = data.values(dimension: d)
                let lo = v.min()!, hi = v.max()!
                let xs = (0..<300).map { _ in g.nextUniform(lo - 0.1 * (hi - lo), hi + 0.1 * (hi - lo)) }.sorted()
                let ids = try xs.map { x -> Int in
                    var row = [Double](repeating: 0, count: 7); row[d] = x
                    return try tok.encode(ActionChunk(steps: 1, dims: 7, values: row))[d]
                }
                XCTAssertEqual(ids, ids.sorted(), "\(name) dimension \(d)")
            }
        }
    }

    /// Equal-mass bins each hold close to 1/bins of the fitting data for a continuous variable.
    func testEqualMassBinsHoldEqualShares() throws {
        var g = SeededGenerator(seed: 4)
        let rows = (0..<25_600).map { _ in [g.nextGaussian() * 3, exp(g.nextGaussian())] }
        let data = try ChunkSet(chunks: (0..<256).map { c in try ActionChunk(rows: Array(rows[c * 100..<(c + 1) * 100])) })
        let tok = EqualMassBinning()
        try tok.fit(data)
        let ids = try data.chunks.flatMap { try tok.encode($0) }
        for d in 0..<2 {
            let usage = TokenUsage(tokens: stride(from: d, to: ids.count, by: 2).map { ids[$0] }, vocabularySize: 256)
            XCTAssertEqual(usage.used, 256)
            XCTAssertLessThanOrEqual(usage.counts.max()! - usage.counts.min()!, 2)
            XCTAssertEqual(usage.entropyBits, 8, accuracy: 0.001)
        }
    }

    func testTypedErrorsOnBadInput() throws {
        let tok = MinMaxBinning()
        let chunk = try ActionChunk(steps: 2, dims: 2, values: [0, 1, 2, 3])
        XCTAssertThrowsError(try tok.encode(chunk)) { XCTAssertEqual($0 as? TokenizerError, .notFitted("minmax")) }
        try tok.fit(ChunkSet(chunks: [chunk]))
        XCTAssertThrowsError(try tok.decode([0, 1, 2], steps: 2, dims: 2)) {
            XCTAssertEqual($0 as? TokenizerError, .wrongTokenCount("minmax", expected: 4, got: 3))
        }
        XCTAssertThrowsError(try tok.decode([0, 256, 2, 3], steps: 2, dims: 2)) {
            XCTAssertEqual($0 as? TokenizerError, .unknownTokenId("minmax", id: 256, position: 1, vocabularySize: 256))
        }
        XCTAssertThrowsError(try tok.decode([0, -1, 2, 3], steps: 2, dims: 2)) {
            XCTAssertEqual($0 as? TokenizerError, .unknownTokenId("minmax", id: -1, position: 1, vocabularySize: 256))
        }
        XCTAssertThrowsError(try tok.encode(ActionChunk(steps: 1, dims: 3, values: [0, 0, 0]))) {
            guard case .shapeMismatch("minmax", _)? = $0 as? TokenizerError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try ActionChunk(steps: 1, dims: 2, values: [0, .nan])) {
            XCTAssertEqual("\($0)", "action data contains a non-finite value (NaN or infinity) at step 0, dimension 1: nan")
        }
        XCTAssertThrowsError(try ActionChunk(steps: 1, dims: 2, values: [.infinity, 0])) {
            guard case .nonFinite? = $0 as? ActionDataError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try ChunkSet(chunks: [])) { guard case .empty? = $0 as? ActionDataError else { return XCTFail("\($0)") } }
        XCTAssertThrowsError(try ActionChunk(steps: 2, dims: 2, values: [1, 2, 3])) {
            guard case .shapeMismatch? = $0 as? ActionDataError else { return XCTFail("\($0)") }
        }
    }

    func testConstantDimensionRoundTripsExactly() throws {
        let chunks = try (0..<10).map { i in try ActionChunk(steps: 3, dims: 2, values: [0.5, Double(i), 0.5, Double(i) + 1, 0.5, Double(i) + 2]) }
        for name in ["minmax", "openvla", "equal-mass"] {
            let tok = try make(name)
            try tok.fit(ChunkSet(chunks: chunks))
            let back = try tok.roundTrip(chunks[3])
            XCTAssertEqual(back.column(0), [0.5, 0.5, 0.5], name)
        }
    }

    func testRegistryNamesAndConfigErrors() throws {
        XCTAssertEqual(Array(TokenizerRegistry.names.prefix(3)), ["minmax", "openvla", "equal-mass"])
        XCTAssertEqual(Set(TokenizerRegistry.names).count, TokenizerRegistry.names.count, "registry names must be unique")
        XCTAssertThrowsError(try TokenizerRegistry.make("fsat")) {
            XCTAssertEqual("\($0)", "unknown tokenizer 'fsat'; registered tokenizers: \(TokenizerRegistry.names.joined(separator: ", "))")
        }
        XCTAssertThrowsError(try TokenizerRegistry.make("minmax", parameters: ParameterReader(.table([("bnis", .int(8))]), location: "exp.toml: tokenizer"))) {
            XCTAssertEqual("\($0)", "exp.toml: tokenizer: key 'bnis': unknown key (did you mean bins?); expected one of: bins")
        }
        XCTAssertThrowsError(try TokenizerRegistry.make("openvla", parameters: ParameterReader(.table([("bins", .int(1))]), location: "x"))) {
            XCTAssertTrue("\($0)".contains("key 'bins': expected an integer in 2...65536, found 1"))
        }
        for d in TokenizerRegistry.all {
            let t = try d.make(.empty(location: d.name))
            XCTAssertEqual(t.name, d.name)
        }
        for name in ["minmax", "openvla", "equal-mass", "verlet"] {
            XCTAssertEqual(try TokenizerRegistry.make(name).tokensPerChunk(steps: 10, dims: 7), 70, name)
        }
    }

    func testTokenUsageSummaries() {
        let u = TokenUsage(tokens: [0, 0, 0, 0, 0, 0, 0, 0, 1, 2], vocabularySize: 4)
        XCTAssertEqual(u.used, 3)
        XCTAssertEqual(u.usedShare, 0.75)
        XCTAssertEqual(u.shareOfIdsHolding(0.8), 0.25)
        XCTAssertEqual(u.shareOfIdsHolding(0.9), 0.5)
        let h = -(0.8 * log2(0.8) + 2 * 0.1 * log2(0.1))
        XCTAssertEqual(u.entropyBits, h, accuracy: 1e-12)
    }
}

final class TokenizerFileTests: XCTestCase {
    /// A saved and reloaded tokenizer encodes and decodes exactly like the original.
    func testSaveAndLoadRoundTrip() throws {
        let data = try RobotArmGenerator().chunks(count: 100, seed: 2)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        defer { try? FileManager.default.removeItem(at: dir) }
        for name in TokenizerRegistry.names {
            // The learned tokenizer trains for a few steps only: the test is about the file.
            let short = try ParameterReader(.table([("train_steps", .int(20)), ("latent_dim", .int(16))]), location: "test")
            let tok = try TokenizerRegistry.make(name, parameters: name == "rvq" ? short : nil)
            try tok.fit(data)
            let url = dir.appendingPathComponent("\(name).json")
            try TokenizerFile.save(tok, to: url)
            let back = try TokenizerFile.load(from: url)
            XCTAssertEqual(back.name, name)
            for chunk in data.chunks.prefix(20) {
                let ids = try tok.encode(chunk)
                XCTAssertEqual(try back.encode(chunk), ids, name)
                XCTAssertEqual(try back.decode(ids, steps: chunk.steps, dims: chunk.dims), try tok.decode(ids, steps: chunk.steps, dims: chunk.dims), name)
            }
        }
    }

    func testCorruptFilesAreNamed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("t.json")
        try #"{"format": "vla-workbench-tokenizer/1", "tokenizer": "minmax", "state": {"bins": 4, "dims": 2, "lower": [0, 0], "width": [1]}}"#.write(to: url, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try TokenizerFile.load(from: url)) { XCTAssertTrue("\($0)".contains("key 'width': expected 2 numbers"), "\($0)") }
        try "{not json".write(to: url, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try TokenizerFile.load(from: url)) { XCTAssertTrue("\($0)".contains("not valid JSON"), "\($0)") }
        XCTAssertThrowsError(try TokenizerFile.load(from: dir.appendingPathComponent("missing.json"))) { XCTAssertTrue("\($0)".contains("missing.json: the tokenizer file cannot be read: no such file or folder"), "\($0)") }
        let unfitted = MinMaxBinning()
        XCTAssertThrowsError(try TokenizerFile.save(unfitted, to: url)) { XCTAssertEqual($0 as? TokenizerError, .notFitted("minmax")) }
    }
}

final class TokenArrayTests: XCTestCase {
    func testRaggedRowsRoundTripAndBadIdsAreNamed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("t.npy")
        let rows = [[3, 1, 4], [1], [], [5, 9, 2, 6]]
        try TokenArray.write(rows, to: url)
        XCTAssertEqual(try NPY.read(contentsOf: url).shape, [4, 4])
        XCTAssertEqual(try TokenArray.read(url), rows)
        try NPY.write(NPYArray(shape: [1, 2], values: [1, 2.5]), to: url)
        XCTAssertThrowsError(try TokenArray.read(url)) { XCTAssertTrue("\($0)".contains("row 0, position 1 holds 2.5"), "\($0)") }
        try NPY.write(NPYArray(shape: [3], values: [1, 2, 3]), to: url)
        XCTAssertThrowsError(try TokenArray.read(url)) { XCTAssertTrue("\($0)".contains("must be a 2-D array"), "\($0)") }
    }
}
