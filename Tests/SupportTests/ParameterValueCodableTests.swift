import Foundation
import Support
import XCTest

/// `ParameterValue` through `Codable`: the JSON the workbench writes reads back to the same tree.
final class ParameterValueCodableTests: XCTestCase {
    func testRoundTripThroughJSONEncoderIsExactWithSortedTables() throws {
        var g = SeededGenerator(seed: 5)
        let doubles = (0..<200).map { _ in g.nextGaussian() * pow(10, Double(g.nextInt(below: 12)) - 6) }
        let tree = ParameterValue.table([("z", .array(doubles.map { .double($0) })), ("a", .string("é\"\\\n")),
                                         ("i", .int(-42)), ("b", .bool(true)), ("t", .table([("y", .int(1)), ("x", .int(2))])), ("e", .array([]))])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let read = try JSONDecoder().decode(ParameterValue.self, from: encoder.encode(tree))
        // Tables come back with sorted keys; every double bit for bit.
        let sorted = ParameterValue.table([("a", .string("é\"\\\n")), ("b", .bool(true)), ("e", .array([])), ("i", .int(-42)),
                                           ("t", .table([("x", .int(2)), ("y", .int(1))])), ("z", .array(doubles.map { .double($0) }))])
        XCTAssertEqual(read, sorted)
    }

    func testNonFiniteDoublesAreNull() throws {
        let data = try JSONEncoder().encode(ParameterValue.array([.double(.nan), .double(.infinity), .double(1.5)]))
        XCTAssertEqual(String(decoding: data, as: UTF8.self), "[null,null,1.5]")
    }
}
