import Foundation
import XCTest

@testable import ActionData

/// Builds small level-5 MAT-files byte by byte, in either byte order, for cases scipy cannot write.
struct MATBytes {
    var bigEndian = false

    func u32(_ v: UInt32) -> [UInt8] {
        let le = [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)]
        return bigEndian ? le.reversed() : le
    }

    func u16(_ v: UInt16) -> [UInt8] {
        bigEndian ? [UInt8(v >> 8), UInt8(v & 0xFF)] : [UInt8(v & 0xFF), UInt8(v >> 8)]
    }

    func f64(_ v: Double) -> [UInt8] {
        let bits = v.bitPattern
        let le = (0..<8).map { UInt8(bits >> (8 * UInt64($0)) & 0xFF) }
        return bigEndian ? le.reversed() : le
    }

    func header(version: UInt16 = 0x0100) -> [UInt8] {
        var text = Array("MATLAB 5.0 MAT-file, written by MATErrorTests".utf8)
        text += [UInt8](repeating: 0x20, count: 116 - text.count)
        return text + [UInt8](repeating: 0, count: 8) + u16(version) + Array((bigEndian ? "MI" : "IM").utf8)
    }

    /// A data element with an 8-byte tag, padded to 8 bytes.
    func element(_ type: UInt32, _ payload: [UInt8]) -> [UInt8] {
        u32(type) + u32(UInt32(payload.count)) + payload + [UInt8](repeating: 0, count: (8 - payload.count % 8) % 8)
    }

    /// A small data element (at most 4 bytes of data in the tag's second word).
    func small(_ type: UInt32, _ payload: [UInt8]) -> [UInt8] {
        u32(UInt32(payload.count) << 16 | type) + payload + [UInt8](repeating: 0, count: 4 - payload.count)
    }

    /// An miMATRIX element of class `classCode` whose real part is `data` stored as `dataType`.
    func matrix(name: String, classCode: UInt32, dims: [Int32], dataType: UInt32, data: [UInt8]) -> [UInt8] {
        let flags = element(6, u32(classCode) + u32(0))
        let dimensions = element(5, dims.flatMap { u32(UInt32(bitPattern: $0)) })
        let nameBytes = Array(name.utf8)
        let nameElement = nameBytes.count <= 4 ? small(1, nameBytes) : element(1, nameBytes)
        return element(14, flags + dimensions + nameElement + element(dataType, data))
    }
}

final class MATErrorTests: XCTestCase {
    func fixtureBytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: matFixtures.appendingPathComponent(name)))
    }

    /// Reads `bytes` from a temporary file and returns the MATError, checking that it names the file.
    func error(reading bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) throws -> MATError {
        let url = try temporaryMATFile(bytes)
        do {
            let variables = try MATFile.read(contentsOf: url)
            XCTFail("read \(variables.count) variable(s) from a corrupt file", file: file, line: line)
        } catch let error as MATError {
            XCTAssertEqual(error.source, url.path, file: file, line: line)
            XCTAssertTrue(error.description.contains(url.path), error.description, file: file, line: line)
            return error
        }
        throw XCTSkip("unreachable")
    }

    func testBigEndianFileAndSmallElements() throws {
        let b = MATBytes(bigEndian: true)
        // [1 2 3; 4 5 6] stored column-major as doubles.
        let data = [1.0, 4, 2, 5, 3, 6].flatMap(b.f64)
        let bytes = b.header() + b.matrix(name: "m", classCode: 6, dims: [2, 3], dataType: 9, data: data)
        let read = try MATFile.decode(Data(bytes))
        XCTAssertEqual(read.map(\.name), ["m"])
        XCTAssertEqual(read[0].value, .numeric(shape: [2, 3], values: [1, 2, 3, 4, 5, 6], type: .double))
    }

    func testDoublesStoredCompactly() throws {
        // MATLAB stores a double array whose values fit as a smaller integer type.
        for bigEndian in [false, true] {
            let b = MATBytes(bigEndian: bigEndian)
            let asUInt8 = b.matrix(name: "small", classCode: 6, dims: [1, 3], dataType: 2, data: [0, 7, 255])
            let asInt16 = b.matrix(name: "int16s", classCode: 6, dims: [2, 1], dataType: 3, data: b.u16(0xFFFE) + b.u16(300))
            let read = try MATFile.decode(Data(b.header() + asUInt8 + asInt16))
            XCTAssertEqual(read[0].value, .numeric(shape: [1, 3], values: [0, 7, 255], type: .double))
            XCTAssertEqual(read[1].value, .numeric(shape: [2, 1], values: [-2, 300], type: .double))
        }
    }

    func testTruncatedFile() throws {
        let bytes = try fixtureBytes("mat_plain.mat")
        guard case .truncated = try error(reading: Array(bytes.prefix(1000))) else { return XCTFail("not .truncated") }
        guard case .truncated = try error(reading: Array(bytes.prefix(60))) else { return XCTFail("not .truncated") }
        guard case .truncated = try error(reading: Array(bytes.prefix(132))) else { return XCTFail("not .truncated") }
    }

    func testBadHeader() throws {
        var bytes = try fixtureBytes("mat_plain.mat")
        guard case .notAMATFile = try error(reading: Array("not a MAT-file at all".utf8)) else { return XCTFail() }
        var noIndicator = bytes
        noIndicator[126] = 0x41; noIndicator[127] = 0x42
        guard case .notAMATFile = try error(reading: noIndicator) else { return XCTFail("not .notAMATFile") }
        // A level-4 file starts with a 4-byte type code holding zeros.
        let level4: [UInt8] = [0, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0] + [UInt8](repeating: 0, count: 130)
        guard case .notAMATFile(_, let detail) = try error(reading: level4) else { return XCTFail("not .notAMATFile") }
        XCTAssertTrue(detail.contains("level-4"), detail)
        bytes[124] = 0x00; bytes[125] = 0x02  // version 0x0200: a v7.3 (HDF5) file
        guard case .unsupportedVersion(_, let version) = try error(reading: bytes) else { return XCTFail("not .unsupportedVersion") }
        XCTAssertTrue(version.contains("7.3"), version)
    }

    func testGarbageCompressedBlock() throws {
        let bytes = try fixtureBytes("mat_compressed.mat")
        let b = MATBytes()
        XCTAssertEqual(Array(bytes[128..<132]), b.u32(15), "the fixture starts with a compressed element")
        let size = Int(UInt32(bytes[132]) | UInt32(bytes[133]) << 8 | UInt32(bytes[134]) << 16 | UInt32(bytes[135]) << 24)

        var garbage = bytes
        for k in 146..<(136 + size - 4) { garbage[k] = UInt8(truncatingIfNeeded: k &* 73 &+ 11) }
        guard case .badCompressedData(_, let location, _) = try error(reading: garbage) else { return XCTFail("not .badCompressedData") }
        XCTAssertTrue(location.contains("byte 128"), location)

        var badHeader = bytes
        badHeader[136] = 0x12
        guard case .badCompressedData(_, _, let detail) = try error(reading: badHeader) else { return XCTFail() }
        XCTAssertTrue(detail.contains("not a zlib stream"), detail)

        var badChecksum = bytes
        badChecksum[136 + size - 1] ^= 0x5A
        guard case .badCompressedData(_, _, let sum) = try error(reading: badChecksum) else { return XCTFail() }
        XCTAssertTrue(sum.contains("Adler-32"), sum)

        // An element that announces only half of its deflate stream: the stream ends early.
        let half = size / 2
        let cut = Array(bytes[0..<132]) + b.u32(UInt32(half)) + Array(bytes[136..<(136 + half)])
        guard case .badCompressedData = try error(reading: cut) else { return XCTFail("not .badCompressedData") }
    }

    func testUnsupportedArrays() throws {
        guard case .unsupportedFeature(_, let v1, let complex) = try error(reading: try fixtureBytes("mat_complex.mat")) else {
            return XCTFail("complex not rejected")
        }
        XCTAssertEqual(v1, "z"); XCTAssertTrue(complex.contains("complex"))
        guard case .unsupportedFeature(_, let v2, let sparse) = try error(reading: try fixtureBytes("mat_sparse.mat")) else {
            return XCTFail("sparse not rejected")
        }
        XCTAssertEqual(v2, "s"); XCTAssertTrue(sparse.contains("sparse"))
        let b = MATBytes()
        let function = b.header() + b.matrix(name: "f", classCode: 16, dims: [1, 1], dataType: 2, data: [1])
        guard case .unsupportedClass(_, "f", let name) = try error(reading: function) else { return XCTFail() }
        XCTAssertTrue(name.contains("function"), name)
    }

    func testMalformedElements() throws {
        let b = MATBytes()
        let topLevelDouble = b.header() + b.element(9, b.f64(1))
        guard case .malformed = try error(reading: topLevelDouble) else { return XCTFail("not .malformed") }
        let wrongCount = b.header() + b.matrix(name: "w", classCode: 6, dims: [2, 2], dataType: 9, data: b.f64(1))
        guard case .malformed(_, _, let detail) = try error(reading: wrongCount) else { return XCTFail("not .malformed") }
        XCTAssertTrue(detail.contains("1 values"), detail)
    }

    func testDeepNestingIsRefused() throws {
        let b = MATBytes()
        var value = b.matrix(name: "", classCode: 6, dims: [1, 1], dataType: 9, data: b.f64(1))
        func cell(_ inner: [UInt8], name: String) -> [UInt8] {
            b.element(14, b.element(6, b.u32(1) + b.u32(0)) + b.element(5, b.u32(1) + b.u32(1)) + b.small(1, Array(name.utf8)) + inner)
        }
        for _ in 0..<10 { value = cell(value, name: "") }
        let shallow = try MATFile.decode(Data(b.header() + cell(value, name: "ok")))
        XCTAssertEqual(shallow.map(\.name), ["ok"])
        for _ in 0..<70 { value = cell(value, name: "") }
        guard case .malformed(_, _, let detail) = try error(reading: b.header() + cell(value, name: "deep")) else {
            return XCTFail("not .malformed")
        }
        XCTAssertTrue(detail.contains("nested"), detail)
    }

    func testAdler32() {
        XCTAssertEqual(MATInflate.adler32(Array("Wikipedia".utf8)), 0x11E6_0398)
        XCTAssertEqual(MATInflate.adler32([]), 1)
        // Long enough to need the modulo reduction (values from Python's zlib.adler32).
        XCTAssertEqual(MATInflate.adler32([UInt8](repeating: 0xFF, count: 100_000)), 0x149A_302C)
    }
}
