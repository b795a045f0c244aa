import Foundation
import XCTest
@testable import Support

final class ParameterReaderTests: XCTestCase {
    let table = ParameterValue.table([("bins", .int(128)), ("rate", .double(0.5)), ("name", .string("x")),
                                      ("list", .array([.int(1), .double(2.5)])), ("flag", .bool(true))])

    func testTypedReadsAndDefaults() throws {
        let p = try ParameterReader(table, location: "f.toml: t")
        XCTAssertEqual(try p.int("bins"), 128)
        XCTAssertEqual(try p.double("rate"), 0.5)
        XCTAssertEqual(try p.string("name"), "x")
        XCTAssertEqual(try p.doubles("list"), [1, 2.5])
        XCTAssertEqual(try p.bool("flag"), true)
        XCTAssertEqual(try p.int("missing", default: 3), 3)
        XCTAssertNoThrow(try p.finish())
    }

    func testErrorsNameLocationKeyAndExpectation() throws {
        let p = try ParameterReader(table, location: "f.toml: t")
        XCTAssertThrowsError(try p.int("name")) {
            XCTAssertEqual("\($0)", "f.toml: t: key 'name': expected an integer, found string \"x\"")
        }
        XCTAssertThrowsError(try p.int("bins", in: 2...64)) {
            XCTAssertEqual("\($0)", "f.toml: t: key 'bins': expected an integer in 2...64, found 128")
        }
        XCTAssertThrowsError(try p.string("name", allowed: ["a", "b"])) {
            XCTAssertTrue("\($0)".contains("expected one of a, b, found \"x\""))
        }
        XCTAssertThrowsError(try p.int("absent")) { XCTAssertTrue("\($0)".contains("key 'absent': missing")) }
    }

    /// Every accessor's words for a missing key, a value of the wrong type, an empty array and a bad
    /// item; a default stands in only for a missing key.
    func testEveryAccessorWordsItsProblems() throws {
        let p = try ParameterReader(.table([("s", .string("x")), ("empty", .array([])), ("mixed", .array([.int(1), .bool(true)])),
                                            ("i", .int(7)), ("nan", .double(.nan))]), location: "f.toml: t")
        func problem(_ read: () throws -> Any) -> String {
            do { _ = try read(); return "no error" } catch let e as ConfigError { return e.problem } catch { return "\(error)" }
        }
        // Per accessor, the keys it reads and the problem it names for each.
        let cases: [(String, (String) throws -> Any, [(key: String, problem: String)])] = [
            ("int", { try p.int($0) }, [("absent", "missing; expected an integer")]),
            ("double", { try p.double($0) }, [("absent", "missing; expected a number"), ("s", "expected a number, found string \"x\""),
                                              ("nan", "expected a finite number, found nan")]),
            ("double in 0...1", { try p.double($0, in: 0...1) }, [("i", "expected a number in [0.0, 1.0], found 7.0")]),
            ("string", { try p.string($0) }, [("absent", "missing; expected a string"), ("i", "expected a string, found integer 7")]),
            ("bool", { try p.bool($0) }, [("absent", "missing; expected true or false"), ("s", "expected true or false, found string \"x\"")]),
            ("doubles", { try p.doubles($0) }, [("absent", "missing; expected an array of numbers"),
                                                ("empty", "expected a non-empty array of numbers, found array of 0"), ("mixed", "expected a number, found boolean true")]),
            ("doubles in 2...3", { try p.doubles($0, in: 2...3) }, [("mixed", "expected numbers in [2.0, 3.0], found 1.0")]),
            ("ints", { try p.ints($0) }, [("absent", "missing; expected an array of integers"),
                                          ("s", "expected a non-empty array of integers, found string \"x\""), ("mixed", "expected integers, found boolean true")]),
            ("ints in 2...3", { try p.ints($0, in: 2...3) }, [("mixed", "expected integers in 2...3, found 1")]),
            ("strings", { try p.strings($0) }, [("absent", "missing; expected an array of strings"),
                                                ("empty", "expected a non-empty array of strings, found array of 0"), ("mixed", "expected strings, found integer 1")]),
        ]
        for (accessor, read, problems) in cases {
            for (key, expected) in problems { XCTAssertEqual(problem { try read(key) }, expected, "\(accessor) \(key)") }
        }
        // A default stands in for a missing key, never for a bad value.
        let defaults: [Any] = [try p.doubles("absent", default: [1]), try p.ints("absent", default: [2]), try p.strings("absent", default: ["a"]),
                               try p.string("absent", default: "d"), try p.bool("absent", default: false), try p.double("absent", default: 0.25)]
        XCTAssertEqual("\(defaults)", #"[[1.0], [2], ["a"], "d", false, 0.25]"#)
        XCTAssertThrowsError(try p.ints("empty", default: [2]))
    }

    func testUnknownKeyIsRejectedWithAllowedKeys() throws {
        let p = try ParameterReader(.table([("bnis", .int(3))]), location: "f.toml")
        _ = try p.int("bins", default: 256)
        XCTAssertThrowsError(try p.finish()) {
            XCTAssertEqual("\($0)", "f.toml: key 'bnis': unknown key (did you mean bins?); expected one of: bins")
        }
    }

    func testMergeOverridesAndKeepsOrder() {
        let base = ParameterValue.table([("a", .int(1)), ("t", .table([("x", .int(1)), ("y", .int(2))]))])
        let over = ParameterValue.table([("t", .table([("y", .int(5))])), ("b", .int(2))])
        XCTAssertEqual(base.merged(with: over), .table([("a", .int(1)), ("t", .table([("x", .int(1)), ("y", .int(5))])), ("b", .int(2))]))
    }

    func testJSONIsDeterministicAndEscapes() {
        let v = ParameterValue.table([("s", .string("a\"b\n")), ("n", .double(.nan)), ("x", .double(0.1)), ("i", .double(3))])
        XCTAssertEqual(v.canonicalJSON, #"{"s":"a\"b\n","n":null,"x":0.1,"i":3.0}"#)
        XCTAssertEqual(v.prettyJSON(), v.prettyJSON())
        let parsed = try? JSONSerialization.jsonObject(with: Data(v.prettyJSON().utf8)) as? [String: Any]
        XCTAssertEqual(parsed?["s"] as? String, "a\"b\n")
    }

    /// Every control character, quote and backslash is escaped as JSON requires, so Foundation's
    /// parser reads the literal back to the same string.
    func testJSONStringLiteralsEscapeEveryControlCharacter() throws {
        XCTAssertEqual(JSONNumber.quote("a\\b\"\r\t\u{1}\u{7f}é"), #""a\\b\"\r\t\u0001\#u{7f}é""#)
        let text = String(String.UnicodeScalarView((0..<0x80).compactMap { Unicode.Scalar(UInt32($0)) })) + "é→"
        let parsed = try JSONSerialization.jsonObject(with: Data(("[" + JSONNumber.quote(text) + "]").utf8)) as? [String]
        XCTAssertEqual(parsed, [text])
    }
}

final class JSONParseTests: XCTestCase {
    /// Pretty JSON written by the workbench reads back to the same tree, doubles bit for bit.
    func testRoundTripIsExact() throws {
        var g = SeededGenerator(seed: 2)
        let doubles = (0..<2000).map { _ in g.nextGaussian() * pow(10, Double(g.nextInt(below: 20)) - 10) }
        let tree = ParameterValue.table([("z", .array(doubles.map { .double($0) })), ("a", .string("é\"\\\n\u{1}")),
                                         ("i", .int(-42)), ("b", .bool(false)), ("t", .table([])), ("e", .array([]))])
        XCTAssertEqual(try ParameterValue.parseJSON(Data(tree.prettyJSON().utf8), source: "x"), tree)
    }

    func testErrorsNameSourceAndLine() {
        XCTAssertThrowsError(try ParameterValue.parseJSON(Data("{\n\"a\": [1, 2,]\n}".utf8), source: "f.json")) {
            XCTAssertTrue("\($0)".hasPrefix("f.json: not valid JSON at line 2"), "\($0)")
        }
        XCTAssertThrowsError(try ParameterValue.parseJSON(Data("{} x".utf8), source: "f.json"))
        XCTAssertThrowsError(try ParameterValue.parseJSON(Data("\"abc".utf8), source: "f.json"))
    }
}
