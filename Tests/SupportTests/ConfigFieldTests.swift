import XCTest
@testable import Support

/// A configuration described by a field list: read, validated and written back through the same list.
final class ConfigFieldTests: XCTestCase {
    enum Mode: String, CaseIterable { case strict, relaxed }

    struct Demo: Equatable {
        var bins = 256
        var rate = 0.5
        var scale: Float = 1.5
        var widths = [8, 8]
        var flag = true
        var mode = Mode.strict
        var seed: UInt64 = 1

        static let fields: [ConfigField<Demo>] = [
            .int("bins", \.bins, in: 2...1_024),
            .double("rate", \.rate, in: 0...1),
            .float("scale", \.scale, in: 0.5...4),
            .ints("widths", \.widths, in: 1...64),
            .bool("flag", \.flag),
            .choice("mode", \.mode),
            .seed("seed", \.seed),
        ]
    }

    func read(_ entries: [(key: String, value: ParameterValue)], required: Bool = false) throws -> Demo {
        let p = try ParameterReader(.table(entries), location: "f.toml: demo")
        var d = Demo()
        try Demo.fields.read(p, into: &d, required: required)
        try p.finish()
        return d
    }

    func testAbsentKeysKeepThePropertiesInitialValues() throws {
        XCTAssertEqual(try read([]), Demo())
        var expected = Demo()
        expected.bins = 64; expected.rate = 1; expected.scale = 2.25; expected.widths = [3]; expected.flag = false; expected.mode = .relaxed; expected.seed = 9
        XCTAssertEqual(try read([("bins", .int(64)), ("rate", .int(1)), ("scale", .double(2.25)), ("widths", .array([.int(3)])),
                                 ("flag", .bool(false)), ("mode", .string("relaxed")), ("seed", .int(9))]), expected)
    }

    func testRequiredKeysMustBePresent() throws {
        XCTAssertThrowsError(try read([("bins", .int(64))], required: true)) {
            XCTAssertEqual("\($0)", "f.toml: demo: key 'rate': missing; expected a number")
        }
    }

    func testTheTableRoundTripsInFieldOrder() throws {
        var d = Demo()
        d.bins = 100; d.mode = .relaxed; d.seed = 42
        let table = Demo.fields.parameters(of: d)
        XCTAssertEqual(table.canonicalJSON, #"{"bins":100,"rate":0.5,"scale":1.5,"widths":[8,8],"flag":true,"mode":"relaxed","seed":42}"#)
        guard case .table(let entries) = table else { return XCTFail("not a table") }
        XCTAssertEqual(try read(entries, required: true), d)
    }

    /// A value built in code is rejected in the words the reader uses for the same value in a table.
    func testValidateWordsEveryProblemAsTheReaderDoes() throws {
        let cases: [(String, ParameterValue, (inout Demo) -> Void)] = [
            ("bins", .int(1), { $0.bins = 1 }),
            ("rate", .double(1.5), { $0.rate = 1.5 }),
            ("scale", .double(8), { $0.scale = 8 }),
            ("widths", .array([.int(4), .int(0)]), { $0.widths = [4, 0] }),
        ]
        for (key, value, change) in cases {
            var d = Demo()
            change(&d)
            var fromValidate = "", fromReader = ""
            XCTAssertThrowsError(try Demo.fields.validate(d, location: "f.toml: demo")) { fromValidate = "\($0)" }
            XCTAssertThrowsError(try read([(key, value)])) { fromReader = "\($0)" }
            XCTAssertEqual(fromValidate, fromReader, key)
            XCTAssertTrue(fromValidate.hasPrefix("f.toml: demo: key '\(key)': expected"), fromValidate)
        }
        var d = Demo()
        d.rate = .nan
        XCTAssertThrowsError(try Demo.fields.validate(d, location: "x")) { XCTAssertEqual("\($0)", "x: key 'rate': expected a finite number, found nan") }
        d = Demo()
        d.seed = .max   // any seed is valid in code; a table holds only 0...Int.max
        XCTAssertNoThrow(try Demo.fields.validate(d, location: "x"))
        XCTAssertThrowsError(try read([("seed", .int(-1))])) { XCTAssertTrue("\($0)".contains("key 'seed'"), "\($0)") }
    }

    /// A field-listed configuration with a rule between two fields.
    struct Window: FieldListedConfig, Equatable {
        var low = 1, high = 4
        static let fields: [ConfigField<Window>] = [.int("low", \.low, in: 0...10), .int("high", \.high, in: 0...10)]
        func validate(location: String) throws {
            try Self.fields.validate(self, location: location)
            guard low < high else { throw ConfigError(location: location, key: "high", problem: "must exceed low") }
        }
    }

    func testAFieldListedConfigReadsATableAndASavedState() throws {
        func table(_ entries: [(key: String, value: ParameterValue)]) throws -> ParameterReader {
            try ParameterReader(.table(entries), location: "f.toml: window")
        }
        XCTAssertEqual(try Window(table([("high", .int(7))])), Window(low: 1, high: 7), "an absent key keeps its default")
        XCTAssertThrowsError(try Window(table([("hihg", .int(7))]))) {
            XCTAssertEqual("\($0)", "f.toml: window: key 'hihg': unknown key (did you mean high?); expected one of: low, high")
        }
        XCTAssertThrowsError(try Window(table([("low", .int(11))]))) {
            XCTAssertEqual("\($0)", "f.toml: window: key 'low': expected an integer in 0...10, found 11")
        }
        XCTAssertThrowsError(try Window(table([("low", .int(5))]))) {
            XCTAssertEqual("\($0)", "f.toml: window: key 'high': must exceed low", "the rule between fields is checked after reading")
        }
        // A saved state: every field present, other keys left for the caller.
        let saved = try table([("low", .int(2)), ("high", .int(3)), ("dims", .int(7))])
        XCTAssertEqual(try Window(saved: saved), Window(low: 2, high: 3))
        XCTAssertEqual(try saved.int("dims"), 7)
        XCTAssertNoThrow(try saved.finish())
        XCTAssertThrowsError(try Window(saved: table([("low", .int(2))]))) {
            XCTAssertEqual("\($0)", "f.toml: window: key 'high': missing; expected an integer")
        }
        XCTAssertThrowsError(try Window(saved: table([("low", .int(3)), ("high", .int(3))]))) {
            XCTAssertEqual("\($0)", "f.toml: window: key 'high': must exceed low")
        }
    }

    func testAKeyTheCallerSetsIsRejected() throws {
        let p = try ParameterReader(.table([("seed", .int(3))]), location: "f.toml: tokenizer")
        XCTAssertThrowsError(try p.reject("seed", because: "drawn per seed")) {
            XCTAssertEqual("\($0)", "f.toml: tokenizer: key 'seed': not set here: drawn per seed")
        }
        XCTAssertNoThrow(try p.reject("offsets", because: "set per variant"))
    }
}
