import Foundation
import XCTest

@testable import ActionData

/// The folder of the MAT, LASA and spline fixtures (written by scripts/fixtures/make_mat_fixtures.py).
let matFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

/// Writes `bytes` to a fresh temporary file named `name` and returns its URL.
func temporaryMATFile(_ bytes: [UInt8], name: String = "corrupt.mat") throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mat-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let url = folder.appendingPathComponent(name)
    try Data(bytes).write(to: url)
    return url
}

final class MATReaderTests: XCTestCase {
    /// Compares `value` with scipy's description of the same variable in mat_expected.json.
    func check(_ value: MATValue, _ expected: [String: Any], _ label: String) throws {
        let shape = try XCTUnwrap(expected["shape"] as? [Int], label)
        XCTAssertEqual(value.shape, shape, label)
        switch try XCTUnwrap(expected["kind"] as? String) {
        case "numeric":
            guard case .numeric(_, let values, let type) = value else { return XCTFail("\(label): \(value.summary)") }
            let hex = try XCTUnwrap(expected["hex"] as? [String])
            XCTAssertEqual(values, try hex.map { try XCTUnwrap(Double($0)) }, label)
            let dtypes: [String: MATClass] = [
                "float64": .double, "float32": .single, "int8": .int8, "uint8": .uint8, "int16": .int16,
                "uint16": .uint16, "int32": .int32, "uint32": .uint32, "int64": .int64, "uint64": .uint64,
            ]
            // loadmat returns logical arrays as uint8; the reader keeps the logical class.
            let expectedType = label == "logical" ? .logical : dtypes[expected["dtype"] as? String ?? ""]
            XCTAssertEqual(type, expectedType, label)
        case "char":
            XCTAssertEqual(value.string, expected["text"] as? String, label)
        case "cell":
            let elements = try XCTUnwrap(value.cellElements, label)
            let expectedElements = try XCTUnwrap(expected["elements"] as? [[String: Any]])
            XCTAssertEqual(elements.count, expectedElements.count, label)
            for (i, (e, x)) in zip(elements, expectedElements).enumerated() { try check(e, x, "\(label){\(i)}") }
        case "struct":
            guard case .structArray(_, let fields, let elements) = value else { return XCTFail("\(label): \(value.summary)") }
            XCTAssertEqual(fields, expected["fields"] as? [String], label)
            let expectedElements = try XCTUnwrap(expected["elements"] as? [[String: [String: Any]]])
            XCTAssertEqual(elements.count, expectedElements.count, label)
            for (i, (element, x)) in zip(elements, expectedElements).enumerated() {
                for (f, name) in fields.enumerated() {
                    try check(element[f], try XCTUnwrap(x[name]), "\(label)(\(i)).\(name)")
                }
            }
        default:
            XCTFail("unknown kind in mat_expected.json")
        }
    }

    func testFixturesMatchSciPy() throws {
        let data = try Data(contentsOf: matFixtures.appendingPathComponent("mat_expected.json"))
        let expected = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let order = try XCTUnwrap(expected["order"] as? [String])
        let variables = try XCTUnwrap(expected["variables"] as? [String: [String: Any]])
        for file in ["mat_plain.mat", "mat_compressed.mat"] {
            let read = try MATFile.read(contentsOf: matFixtures.appendingPathComponent(file))
            XCTAssertEqual(read.map(\.name), order, file)
            for (name, value) in read { try check(value, try XCTUnwrap(variables[name]), name) }
        }
    }

    func testCompressedAndPlainAgree() throws {
        let plain = try MATFile.read(contentsOf: matFixtures.appendingPathComponent("mat_plain.mat"))
        let compressed = try MATFile.read(contentsOf: matFixtures.appendingPathComponent("mat_compressed.mat"))
        XCTAssertEqual(plain.map(\.name), compressed.map(\.name))
        XCTAssertEqual(plain.map(\.value), compressed.map(\.value))
    }

    func testRowMajorOrderAndAccessors() throws {
        let url = matFixtures.appendingPathComponent("mat_compressed.mat")
        // cube = arange(24).reshape(2, 3, 4) * 0.5 - 3 in C order.
        let cube = try XCTUnwrap(try MATFile.variable(named: "cube", contentsOf: url))
        XCTAssertEqual(cube.shape, [2, 3, 4])
        XCTAssertEqual(cube.numbers, (0..<24).map { Double($0) * 0.5 - 3 })
        let i16 = try XCTUnwrap(try MATFile.variable(named: "i16", contentsOf: url))
        XCTAssertEqual(i16.rows, [[-32768], [300], [32767]])
        XCTAssertEqual(try MATFile.variable(named: "scalar", contentsOf: url)?.scalar, 2.75)
        XCTAssertEqual(try MATFile.variable(named: "text", contentsOf: url)?.string, "Hello, MAT")
        let records = try XCTUnwrap(try MATFile.variable(named: "records", contentsOf: url))
        XCTAssertEqual(records.fieldNames, ["name", "value"])
        XCTAssertEqual(records[field: "name"]?.string, "first")
        XCTAssertEqual(records.field("value", at: 1)?.rows, [[0, 1, 2], [3, 4, 5]])
        XCTAssertEqual(records.summary, "1x2 struct")
        let cells = try XCTUnwrap(try MATFile.variable(named: "cells", contentsOf: url)?.cellElements)
        XCTAssertEqual(cells[3][field: "y"]?.rows, [[8], [9]])
        XCTAssertNil(try MATFile.variable(named: "missing", contentsOf: url))
    }

    func testColumnToRowMajor() {
        // MATLAB's column-major [1 2 3; 4 5 6] is stored 1 4 2 5 3 6.
        XCTAssertEqual(MATFile.rowMajor([1, 4, 2, 5, 3, 6], shape: [2, 3]), [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(MATFile.rowMajor([0, 1, 2, 3, 4, 5, 6, 7], shape: [2, 2, 2]), [0, 4, 2, 6, 1, 5, 3, 7])
        XCTAssertEqual(MATFile.rowMajor([7.0], shape: [1, 1]), [7])
    }
}
