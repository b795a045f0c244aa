import Support
import Tokenizers
import XCTest
@testable import Lab

/// The per-tokenizer settings reader: tables, windows and seeds as the experiments' cell specs
/// spell them, and every bad table rejected before any work.
final class TokenizerSettingsTests: XCTestCase {
    /// An experiment's parameters with `settings` and `windows_per_sequence` tables.
    func reader(settings: [(key: String, value: ParameterValue)], windows: [(key: String, value: ParameterValue)] = []) throws -> ParameterReader {
        try ParameterReader(.table([("settings", .table(settings)), ("windows_per_sequence", .table(windows))]), location: "exp.toml: profile quick")
    }

    func testTablesKeepTheirKeysAndGetTheWindowThenTheSeed() throws {
        let s = try TokenizerSettings(reader(settings: [("minmax", .table([("bins", .int(64))])),
                                                        ("rvq", .table([("latent_dim", .int(4)), ("hidden", .array([.int(8)]))]))],
                                             windows: [("rvq", .int(5))]), tokenizers: ["minmax", "rvq"])
        // A deterministic tokenizer's table is exactly as written, with or without a seed and a length.
        XCTAssertEqual(s.table("minmax", steps: 100, seed: 3).canonicalJSON, #"{"bins":64}"#)
        XCTAssertEqual(s.table("fast", steps: 100, seed: 3).canonicalJSON, "{}", "no table: the defaults")
        // The windowed one: window = ceil(steps / 5), appended after the written keys.
        XCTAssertEqual(s.table("rvq", steps: 23).canonicalJSON, #"{"latent_dim":4,"hidden":[8],"window":5}"#)
        XCTAssertEqual(s.table("rvq", steps: 100).canonicalJSON, #"{"latent_dim":4,"hidden":[8],"window":20}"#)
        XCTAssertEqual(s.table("rvq").canonicalJSON, #"{"latent_dim":4,"hidden":[8]}"#, "no length: no window")
        // Its fit is random: the seed comes last, drawn from the experiment seed's stream "tokenizer-rvq".
        let drawn = SeededGenerator(seed: 7).derived("tokenizer-rvq").seed & UInt64(Int.max)
        XCTAssertEqual(s.table("rvq", steps: 100, seed: 7).canonicalJSON, #"{"latent_dim":4,"hidden":[8],"window":20,"seed":\#(drawn)}"#)
        XCTAssertNotEqual(s.table("rvq", steps: 100, seed: 8), s.table("rvq", steps: 100, seed: 7))
        // An experiment that draws its own seed passes it as it is.
        XCTAssertEqual(s.table("rvq", fitSeed: 12).canonicalJSON, #"{"latent_dim":4,"hidden":[8],"seed":12}"#)
    }

    func testATableThatSetsItsSeedKeepsIt() throws {
        let s = try TokenizerSettings(reader(settings: [("rvq", .table([("seed", .int(4)), ("train_steps", .int(3))]))]), tokenizers: ["rvq"])
        XCTAssertEqual(s.table("rvq", steps: 10, seed: 99).canonicalJSON, #"{"seed":4,"train_steps":3}"#)
    }

    func testMakeBuildsTheTokenizerTheTableDescribes() throws {
        let s = try TokenizerSettings(reader(settings: [("minmax", .table([("bins", .int(64))])), ("rvq", .table([("layers", .int(3))]))],
                                             windows: [("rvq", .int(4))]), tokenizers: ["minmax", "rvq"])
        XCTAssertEqual(try s.make("minmax", location: "t").vocabularySize, 64)
        XCTAssertEqual(try s.make("openvla", location: "t").vocabularySize, 256, "no table: the default 256 bins")
        // 40 steps in 4 windows of 10 steps, 3 codes each.
        XCTAssertEqual(try s.make("rvq", steps: 40, seed: 1, location: "t").tokensPerChunk(steps: 40, dims: 2), 12)
    }

    func testUnknownAndUnmeasuredTokenizersAreNamed() throws {
        XCTAssertThrowsError(try TokenizerSettings(reader(settings: [("fats", .table([]))]), tokenizers: ["fast"])) {
            let e = $0 as? ConfigError
            XCTAssertEqual(e?.key, "fats")
            XCTAssertEqual(e?.location, "exp.toml: profile quick.settings")
            XCTAssertTrue(e?.problem.contains("registered: minmax, openvla, equal-mass, verlet, beast, fast, rvq") == true, "\($0)")
        }
        XCTAssertThrowsError(try TokenizerSettings(reader(settings: [], windows: [("rqv", .int(5))]), tokenizers: ["rvq"])) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "rqv")
        }
        // Registered, but not measured by an experiment that names what it measures.
        XCTAssertNoThrow(try TokenizerSettings(reader(settings: [("beast", .table([]))]), tokenizers: ["fast"]))
        XCTAssertThrowsError(try TokenizerSettings(reader(settings: [("beast", .table([]))]), tokenizers: ["fast"], measured: ["fast"])) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "beast")
            XCTAssertTrue("\($0)".contains("measured: fast"), "\($0)")
        }
    }

    func testEveryTableIsValidatedBeforeAnyWork() throws {
        // FAST is not run by this profile; its misspelt key is still an error now.
        XCTAssertThrowsError(try TokenizerSettings(reader(settings: [("fast", .table([("gama", .int(3))]))]), tokenizers: ["minmax"])) {
            let e = $0 as? ConfigError
            XCTAssertEqual(e?.key, "gama")
            XCTAssertEqual(e?.location, "exp.toml: profile quick.settings.fast")
        }
        XCTAssertThrowsError(try TokenizerSettings(reader(settings: [("minmax", .table([("bins", .int(1))]))]), tokenizers: ["minmax"])) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "bins")
        }
        // A window for a tokenizer that has no window setting.
        XCTAssertThrowsError(try TokenizerSettings(reader(settings: [], windows: [("minmax", .int(5))]), tokenizers: ["minmax"])) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "window")
        }
        XCTAssertThrowsError(try TokenizerSettings(reader(settings: [], windows: [("rvq", .int(0))]), tokenizers: ["rvq"])) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "rvq")
        }
        XCTAssertThrowsError(try TokenizerSettings(reader(settings: [("fast", .int(3))]), tokenizers: ["fast"])) {
            XCTAssertTrue("\($0)".contains("expected a table"), "\($0)")
        }
    }

    func testNoTablesMeansEveryDefault() throws {
        let s = try TokenizerSettings(ParameterReader(.table([]), location: "t"), tokenizers: TokenizerRegistry.names)
        XCTAssertEqual(s.tables, .table([]))
        XCTAssertTrue(s.windowsPerSequence.isEmpty)
        XCTAssertEqual(s.table("beast", steps: 20, seed: 1), .table([]))
    }
}
