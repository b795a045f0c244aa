import Foundation
import XCTest

@testable import ActionData

/// The folder of NumPy-written fixtures made by scripts/fixtures/make_npy_fixtures.py.
let npyFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

/// One array as numpy described it in Fixtures/expected.json.
struct ExpectedArray {
    var dtype: String
    var shape: [Int]
    var values: [Double]

    init(_ json: Any) throws {
        let dict = try XCTUnwrap(json as? [String: Any])
        dtype = try XCTUnwrap(dict["dtype"] as? String)
        shape = try XCTUnwrap(dict["shape"] as? [Int])
        // The exact values come from Python's float.hex(): JSON number parsing may be off by an ulp.
        values = try XCTUnwrap(dict["hex"] as? [String]).map { try XCTUnwrap(Double($0), $0) }
        let decimals = try XCTUnwrap(dict["values"] as? [Any]).map { try XCTUnwrap(($0 as? NSNumber)?.doubleValue) }
        XCTAssertEqual(decimals.count, values.count)
        for (d, v) in zip(decimals, values) { XCTAssertEqual(d, v, accuracy: abs(v) * 1e-12) }
    }

    /// Asserts that `array` has this dtype, shape and values (bit for bit, so -0.0 counts).
    func check(_ array: NPYArray, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(array.dtype.rawValue, dtype, "\(label): dtype", file: file, line: line)
        XCTAssertEqual(array.shape, shape, "\(label): shape", file: file, line: line)
        XCTAssertEqual(array.values.map(\.bitPattern), values.map(\.bitPattern), "\(label): values", file: file, line: line)
    }
}

/// Fixtures/expected.json, parsed.
func expectedFixtures() throws -> [String: Any] {
    let data = try Data(contentsOf: npyFixtures.appendingPathComponent("expected.json"))
    return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
}

/// A fresh temporary folder, removed when the test ends.
func temporaryFolder(_ test: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("npy-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}

final class NPYTests: XCTestCase {
    // MARK: Reading numpy's files

    func testEveryNPYFixtureMatchesNumPy() throws {
        let npy = try XCTUnwrap(try expectedFixtures()["npy"] as? [String: Any])
        XCTAssertGreaterThanOrEqual(npy.count, 18)
        for (name, json) in npy.sorted(by: { $0.key < $1.key }) {
            let array = try NPY.read(contentsOf: npyFixtures.appendingPathComponent(name))
            try ExpectedArray(json).check(array, name)
            XCTAssertEqual(array.count, array.shape.reduce(1, *), name)
        }
    }

    func testFortranOrderIsReorderedToCOrder() throws {
        let array = try NPY.read(contentsOf: npyFixtures.appendingPathComponent("f8_fortran_3d.npy"))
        XCTAssertEqual(array.shape, [2, 3, 4])
        XCTAssertEqual(array.values, (0..<24).map { Double($0) * 1.5 - 7 })
        let ints = try NPY.read(contentsOf: npyFixtures.appendingPathComponent("i4_fortran_big_endian.npy"))
        XCTAssertEqual(ints.dtype, .int32)
        XCTAssertEqual(ints.values, (0..<12).map { Double($0 - 5) })
    }

    func testBigEndianScalarsAndEmptyArrays() throws {
        let big = try NPY.read(contentsOf: npyFixtures.appendingPathComponent("f8_big_endian.npy"))
        XCTAssertEqual(big.values, (0..<6).map { Double($0) / 7 - 0.25 })
        let scalar = try NPY.read(contentsOf: npyFixtures.appendingPathComponent("scalar_0d.npy"))
        XCTAssertEqual(scalar, try NPYArray(shape: [], values: [3.25]))
        let empty = try NPY.read(contentsOf: npyFixtures.appendingPathComponent("empty_0x3.npy"))
        XCTAssertEqual(empty, try NPYArray(shape: [0, 3], values: [], dtype: .float32))
    }

    /// The bytes Swift writes are exactly the bytes `numpy.save` wrote for the same array.
    func testEncodeIsByteIdenticalToNumPySave() throws {
        let cOrderLittleEndian = [
            "f32_2d.npy", "f64_3d.npy", "i64.npy", "u8.npy", "bool.npy", "scalar_0d.npy", "empty_0x3.npy",
            "i8.npy", "i32.npy", "u16.npy", "u32.npy", "u64.npy", "f16.npy",
        ]
        for name in cOrderLittleEndian {
            let url = npyFixtures.appendingPathComponent(name)
            XCTAssertEqual(try NPY.encode(try NPY.read(contentsOf: url)), try Data(contentsOf: url), name)
        }
        // Big-endian and Fortran-order files are rewritten as little-endian C order.
        let big = try NPY.read(contentsOf: npyFixtures.appendingPathComponent("i4_fortran_big_endian.npy"))
        let header = String(decoding: try NPY.encode(big).prefix(128), as: UTF8.self)
        XCTAssertTrue(header.contains("{'descr': '<i4', 'fortran_order': False, 'shape': (3, 4), }"), header)
    }

    // MARK: Round trips

    func testRoundTripEveryDType() throws {
        let samples: [NPYDType: [Double]] = [
            .float16: [0, -0.0, 1, -2.5, 0.099975585937500, 65504, 0x1p-24, .infinity],
            .float32: [0, 1.5, -3.25, Double(Float(0.1)), Double(Float.greatestFiniteMagnitude), -.infinity],
            .float64: [0, .pi, -1e300, .leastNonzeroMagnitude, .infinity, -0.0],
            .int8: [-128, 0, 127, -1],
            .int16: [-32768, 32767, 12, -5],
            .int32: [-2_147_483_648, 2_147_483_647, 0, 42],
            .int64: [-9_223_372_036_854_775_808, 9_007_199_254_740_992, -1, 0],
            .uint8: [0, 255, 128, 1],
            .uint16: [0, 65535, 256, 3],
            .uint32: [0, 4_294_967_295, 65536, 7],
            .uint64: [0, 18_446_744_073_709_549_568, 0x1p53, 9],
            .bool: [0, 1, 1, 0],
        ]
        let folder = try temporaryFolder(self)
        XCTAssertEqual(Set(samples.keys), Set(NPYDType.allCases))
        for (dtype, values) in samples {
            for shape in [[values.count], [2, values.count / 2], [values.count / 2, 1, 2]] {
                let array = try NPYArray(shape: shape, values: values, dtype: dtype)
                XCTAssertEqual(try NPY.decode(try NPY.encode(array)), array, "\(dtype) \(shape)")
                let url = folder.appendingPathComponent("\(dtype)-\(shape.count).npy")
                try NPY.write(array, to: url)
                XCTAssertEqual(try NPY.read(contentsOf: url), array, "\(dtype) \(shape) via file")
            }
            let scalar = try NPYArray(shape: [], values: [values[1]], dtype: dtype)
            XCTAssertEqual(try NPY.decode(try NPY.encode(scalar)), scalar, "\(dtype) 0-d")
            for shape in [[0], [0, 3], [4, 0, 2]] {
                let empty = try NPYArray(shape: shape, values: [], dtype: dtype)
                XCTAssertEqual(try NPY.decode(try NPY.encode(empty)), empty, "\(dtype) \(shape)")
            }
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".tmp") }
        XCTAssertEqual(leftovers, [], "atomic writes leave no temporary files")
    }

    func testNaNRoundTripsInFloatDTypes() throws {
        for dtype in [NPYDType.float16, .float32, .float64] {
            let back = try NPY.decode(try NPY.encode(try NPYArray(shape: [2], values: [.nan, 1], dtype: dtype)))
            XCTAssertTrue(back.values[0].isNaN, "\(dtype)")
            XCTAssertEqual(back.values[1], 1)
        }
    }

    func testFloatsRoundToNearestInNarrowDTypes() throws {
        let array = try NPYArray(shape: [3], values: [0.1, 1e6, 70000], dtype: .float16)
        XCTAssertEqual(try NPY.decode(try NPY.encode(array)).values, [0.0999755859375, .infinity, .infinity])
        let f32 = try NPYArray(shape: [1], values: [0.1], dtype: .float32)
        XCTAssertEqual(try NPY.decode(try NPY.encode(f32)).values, [Double(Float(0.1))])
    }

    /// Every half-precision bit pattern converts to Double and back unchanged.
    func testFloat16ConversionIsExactForAllBitPatterns() {
        for bits in 0...UInt16.max {
            let d = Half.toDouble(bits)
            if d.isNaN { continue }
            XCTAssertEqual(Half.fromDouble(d), bits, "0x\(String(bits, radix: 16))")
        }
        XCTAssertEqual(Half.fromDouble(1 + 0x1p-11), 0x3C00, "tie rounds to even (down)")
        XCTAssertEqual(Half.fromDouble(1 + 3 * 0x1p-11), 0x3C02, "tie rounds to even (up)")
        XCTAssertEqual(Half.fromDouble(65520), 0x7C00, "rounds up to infinity")
        XCTAssertEqual(Half.fromDouble(65519.99), 0x7BFF)
        XCTAssertEqual(Half.fromDouble(0x1p-25), 0, "half of the smallest subnormal ties to zero")
        XCTAssertEqual(Half.fromDouble(0x1.8p-25), 1)
        XCTAssertEqual(Half.fromDouble(-0x1p-30), 0x8000)
        XCTAssertEqual(Half.fromDouble(0x1.ffcp-15), 0x0400, "largest subnormal rounds up into the normals")
    }

    /// int64 values beyond 2^53 are rounded to the nearest Double when read (documented).
    func testInt64BeyondTwoToThe53LosesPrecision() throws {
        var data = try NPY.encode(try NPYArray(shape: [1], values: [0], dtype: .int64))
        let big: Int64 = (1 << 53) + 1
        data.replaceSubrange((data.count - 8)..., with: withUnsafeBytes(of: big.littleEndian) { Data($0) })
        XCTAssertEqual(try NPY.decode(data).values, [9_007_199_254_740_992])
    }

    func testLongHeaderUsesVersion2() throws {
        let shape = [Int](repeating: 1, count: 25_000)
        let data = try NPY.encode(try NPYArray(shape: shape, values: [7], dtype: .uint8))
        XCTAssertEqual(data[6], 2)
        XCTAssertEqual(data[7], 0)
        let headerLength = Int(data[8]) | Int(data[9]) << 8 | Int(data[10]) << 16 | Int(data[11]) << 24
        XCTAssertEqual((12 + headerLength) % 64, 0)
        XCTAssertEqual(try NPY.decode(data), try NPYArray(shape: shape, values: [7], dtype: .uint8))
    }

    func testHeaderIsPaddedTo64Bytes() throws {
        for shape in [[], [3], [2, 3], [123_456_789, 0, 5]] {
            let data = try NPY.encode(try NPYArray(shape: shape, values: [Double](repeating: 1, count: shape.reduce(1, *))))
            let headerLength = Int(data[8]) | Int(data[9]) << 8
            XCTAssertEqual((10 + headerLength) % 64, 0, "\(shape)")
            XCTAssertEqual(data[10 + headerLength - 1], 0x0A, "header ends with a newline")
        }
    }

    func testReadsVersion3AndUnusualButValidHeaders() throws {
        let headers = [
            (3, "{\"descr\": \"<i2\", \"fortran_order\": False, \"shape\": (2,)}"),
            (1, "{'shape': (2L,), 'fortran_order': False, 'descr': '=i2',}"),
            (2, "  { 'descr' : '<i2' ,\n 'fortran_order':False,'shape':( 2 , ) }  "),
        ]
        for (version, text) in headers {
            let array = try NPY.decode(rawNPY(header: text, version: UInt8(version), payload: [1, 0, 0xFF, 0xFF]))
            XCTAssertEqual(array, try NPYArray(shape: [2], values: [1, -1], dtype: .int16), text)
        }
    }

    func testInitRejectsShapeCountMismatch() {
        XCTAssertThrowsError(try NPYArray(shape: [2, 3], values: [1, 2, 3])) { error in
            XCTAssertEqual(error as? NPYError, .shapeMismatch(shape: [2, 3], count: 3))
        }
        XCTAssertThrowsError(try NPYArray(shape: [-1], values: [])) { error in
            XCTAssertEqual(error as? NPYError, .shapeMismatch(shape: [-1], count: 0))
        }
        XCTAssertThrowsError(try NPYArray(shape: [], values: [])) { error in
            XCTAssertEqual(error as? NPYError, .shapeMismatch(shape: [], count: 0))
        }
        var array = try! NPYArray(shape: [2], values: [1, 2])
        array.values.append(3)
        XCTAssertThrowsError(try NPY.encode(array)) { error in
            XCTAssertEqual(error as? NPYError, .shapeMismatch(shape: [2], count: 3))
        }
    }

    func testEncodeRejectsValuesTheDTypeCannotHold() throws {
        let cases: [(NPYDType, Double)] = [
            (.int8, 128), (.uint8, -1), (.uint8, 256), (.int32, 1.5), (.int64, .nan), (.int64, 9.3e18),
            (.uint64, 1.9e19), (.int16, .infinity), (.bool, 2), (.bool, 0.5),
        ]
        for (dtype, value) in cases {
            let array = try NPYArray(shape: [2], values: [0, value], dtype: dtype)
            XCTAssertThrowsError(try NPY.encode(array), "\(dtype) \(value)") { error in
                guard case .unrepresentableValue(let d, _, let index)? = error as? NPYError else {
                    return XCTFail("\(error)")
                }
                XCTAssertEqual(d, dtype)
                XCTAssertEqual(index, 1)
                XCTAssertTrue("\(error)".contains("index 1"), "\(error)")
            }
        }
    }

    // MARK: Malformed input

    func testBadMagicNamesTheSource() {
        let url = npyFixtures.appendingPathComponent("expected.json")
        assertError(try NPY.read(contentsOf: url), .badMagic(source: url.path), mentions: "expected.json")
        assertError(try NPY.decode(Data("hello".utf8), source: "x.npy"), .badMagic(source: "x.npy"))
        assertError(try NPY.decode(Data(), source: "empty.npy"), .truncated(source: "empty.npy", expectedBytes: 10, actualBytes: 0))
    }

    func testUnsupportedVersion() {
        var data = rawNPY(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (0,), }", version: 1, payload: [])
        data[6] = 4
        assertError(try NPY.decode(data, source: "v4.npy"), .unsupportedVersion(source: "v4.npy", major: 4, minor: 0), mentions: "4.0")
        data[6] = 1
        data[7] = 1
        assertError(try NPY.decode(data, source: "v1.1.npy"), .unsupportedVersion(source: "v1.1.npy", major: 1, minor: 1))
    }

    func testTruncatedDataAndHeader() throws {
        let full = try Data(contentsOf: npyFixtures.appendingPathComponent("f64_3d.npy"))
        assertError(try NPY.decode(full.prefix(full.count - 5), source: "cut.npy"),
                    .truncated(source: "cut.npy", expectedBytes: full.count, actualBytes: full.count - 5),
                    mentions: "cut.npy")
        assertError(try NPY.decode(full.prefix(40), source: "cut.npy"),
                    .truncated(source: "cut.npy", expectedBytes: 128, actualBytes: 40))
        assertError(try NPY.decode(full.prefix(9), source: "cut.npy"),
                    .truncated(source: "cut.npy", expectedBytes: 10, actualBytes: 9))
        // A slice with a non-zero start index decodes the same as a copy.
        let padded = Data([1, 2, 3]) + full
        XCTAssertEqual(try NPY.decode(padded[3...]), try NPY.decode(full))
    }

    func testMalformedHeaderDicts() {
        let bad = [
            "not a dict",
            "['descr', 'fortran_order', 'shape']",
            "{'descr': '<f8', 'fortran_order': False}",
            "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'extra': 1}",
            "{'descr': '<f8', 'fortran_order': 0, 'shape': (2,)}",
            "{'descr': '<f8', 'fortran_order': False, 'shape': [2]}",
            "{'descr': '<f8', 'fortran_order': False, 'shape': (-2,)}",
            "{'descr': '<f8', 'fortran_order': False, 'shape': (2.0,)}",
            "{'descr': '<f8', 'fortran_order': False, 'shape': (2,)",
            "{'descr': '<f8 , 'fortran_order': False, 'shape': (2,)}",
            "{'descr': '<f8', 'fortran_order': False, 'shape': (2,)} trailing",
            "{'descr': '<f8' 'fortran_order': False, 'shape': (2,)}",
            "{'descr': '<f8', 'fortran_order': Maybe, 'shape': (2,)}",
            "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,)}",
            "{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4)}",
            "",
        ]
        for text in bad {
            let data = rawNPY(header: text, version: 1, payload: [UInt8](repeating: 0, count: 16))
            XCTAssertThrowsError(try NPY.decode(data, source: "bad.npy"), text) { error in
                guard case .malformedHeader(let source, let detail)? = error as? NPYError else {
                    return XCTFail("\(text): \(error)")
                }
                XCTAssertEqual(source, "bad.npy")
                XCTAssertFalse(detail.isEmpty)
                XCTAssertTrue("\(error)".hasPrefix("bad.npy: the .npy header is malformed"), "\(error)")
            }
        }
    }

    func testObjectStructuredAndComplexFixturesAreRejected() {
        let object = npyFixtures.appendingPathComponent("object.npy")
        assertError(try NPY.read(contentsOf: object), .objectArray(source: object.path), mentions: "object array")
        let structured = npyFixtures.appendingPathComponent("structured.npy")
        XCTAssertThrowsError(try NPY.read(contentsOf: structured)) { error in
            guard case .unsupportedDType(let source, let descr)? = error as? NPYError else { return XCTFail("\(error)") }
            XCTAssertEqual(source, structured.path)
            XCTAssertTrue(descr.contains("structured"), descr)
        }
        let complex = npyFixtures.appendingPathComponent("complex.npy")
        assertError(try NPY.read(contentsOf: complex), .unsupportedDType(source: complex.path, descr: "'<c16'"),
                    mentions: "complex.npy")
        for descr in ["<U3", "|S4", "<M8[ns]", "<f12", "f8x", ""] {
            let data = rawNPY(header: "{'descr': '\(descr)', 'fortran_order': False, 'shape': (0,)}", version: 1, payload: [])
            assertError(try NPY.decode(data, source: "d.npy"), .unsupportedDType(source: "d.npy", descr: "'\(descr)'"))
        }
    }

    func testErrorDescriptionsAreReadable() {
        XCTAssertEqual(NPYError.truncated(source: "a.npy", expectedBytes: 200, actualBytes: 100).description,
                       "a.npy: the file is truncated: it should have at least 200 bytes but has 100")
        XCTAssertTrue(NPYError.badMagic(source: "/data/x.npy").description.hasPrefix("/data/x.npy: not a NumPy .npy file"))
    }

    // MARK: Cross-check with numpy (run by hand)

    /// Writes one file per dtype and shape kind plus manifest.json into $NPY_CROSSCHECK_DIR.
    ///
    /// Then `python3 scripts/fixtures/make_npy_fixtures.py --verify DIR` loads them with numpy.
    func testWriteCrossCheckFilesWhenRequested() throws {
        guard let dir = ProcessInfo.processInfo.environment["NPY_CROSSCHECK_DIR"] else {
            throw XCTSkip("set NPY_CROSSCHECK_DIR to write files for the numpy cross-check")
        }
        let folder = URL(fileURLWithPath: dir)
        var npy: [String] = []
        var arrays: [(name: String, array: NPYArray)] = []
        for dtype in NPYDType.allCases {
            let values: [Double] = dtype == .bool ? [1, 0, 0, 1, 1, 0] : [0, 1, 2, 3, 4, 5].map { dtype.rawValue.hasPrefix("f") ? $0 * 0.75 - 1 : $0 * 7 }
            let variants = [
                ("\(dtype.rawValue)_2x3.npy", try NPYArray(shape: [2, 3], values: values, dtype: dtype)),
                ("\(dtype.rawValue)_0d.npy", try NPYArray(shape: [], values: [values[1]], dtype: dtype)),
                ("\(dtype.rawValue)_empty.npy", try NPYArray(shape: [0, 2], values: [], dtype: dtype)),
                ("\(dtype.rawValue)_3d.npy", try NPYArray(shape: [3, 1, 2], values: values, dtype: dtype)),
            ]
            for (name, array) in variants {
                try NPY.write(array, to: folder.appendingPathComponent(name))
                npy.append("\"\(name)\": \(json(array))")
            }
            arrays.append((dtype.rawValue, variants[0].1))
        }
        let special = try NPYArray(shape: [4], values: [.nan, .infinity, -.infinity, -0.0], dtype: .float64)
        try NPY.write(special, to: folder.appendingPathComponent("special_f8.npy"))
        npy.append("\"special_f8.npy\": \(json(special))")
        try NPZ.write(arrays, to: folder.appendingPathComponent("stored.npz"))
        try NPZ.write(arrays, to: folder.appendingPathComponent("compressed.npz"), compressed: true)
        let entries = arrays.map { "\"\($0.name)\": \(json($0.array))" }.joined(separator: ", ")
        let manifest = "{\"npy\": {\(npy.joined(separator: ",\n"))},\n\"npz\": {\"stored.npz\": {\(entries)}, \"compressed.npz\": {\(entries)}}}\n"
        try Data(manifest.utf8).write(to: folder.appendingPathComponent("manifest.json"))
    }

    private func json(_ array: NPYArray) -> String {
        let values = array.values.map { v -> String in
            v.isNaN ? "NaN" : v.isInfinite ? (v < 0 ? "-Infinity" : "Infinity") : "\(v)"
        }
        return "{\"dtype\": \"\(array.dtype.rawValue)\", \"shape\": \(array.shape), \"values\": [\(values.joined(separator: ", "))]}"
    }
}

/// Builds `.npy` bytes by hand: any header text, padded to 64 bytes, then `payload`.
func rawNPY(header: String, version: UInt8, payload: [UInt8]) -> Data {
    var text = Array(header.utf8)
    let prefix = version == 1 ? 10 : 12
    while (prefix + text.count + 1) % 64 != 0 { text.append(0x20) }
    text.append(0x0A)
    var data = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, version, 0])
    if version == 1 {
        data.append(contentsOf: [UInt8(text.count & 0xFF), UInt8(text.count >> 8)])
    } else {
        data.append(contentsOf: [UInt8(text.count & 0xFF), UInt8((text.count >> 8) & 0xFF), UInt8(text.count >> 16), 0])
    }
    return data + Data(text) + Data(payload)
}

/// Asserts that `expression` throws exactly `expected`, whose description mentions `mentions`.
func assertError<T>(
    _ expression: @autoclosure () throws -> T, _ expected: NPYError, mentions: String? = nil,
    file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertThrowsError(try expression(), file: file, line: line) { error in
        XCTAssertEqual(error as? NPYError, expected, file: file, line: line)
        if let mentions {
            XCTAssertTrue("\(error)".contains(mentions), "\(error) should mention \(mentions)", file: file, line: line)
        }
    }
}
