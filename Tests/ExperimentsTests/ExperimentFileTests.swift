import Foundation
import Support
import XCTest
@testable import Experiments

final class ExperimentFileTests: XCTestCase {
    let valid = """
    [experiment]
    chapter = "data"
    name = "demo"
    title = "Demo"
    [parameters]
    bins = 256
    [profiles.smoke]
    seeds = [1, 2]
    [profiles.quick]
    seeds = [1, 2, 3]
    bins = 128
    [profiles.full]
    seeds = [1, 2, 3, 4, 5]
    [[claims]]
    id = "first"
    statement = "A first claim."
    statistic = "x"
    compare = ">"
    threshold = 1.5
    scale = "log"
    """

    func testParsesAndResolvesProfiles() throws {
        let f = try ExperimentFile(text: valid, path: "experiments/data/demo.toml")
        XCTAssertEqual(f.id, "data/demo")
        XCTAssertEqual(f.claims.map(\.id), ["first"])
        XCTAssertEqual(f.resolved(.quick)["bins"], .int(128))
        XCTAssertEqual(f.resolved(.smoke)["bins"], .int(256))
        XCTAssertEqual(f.resolved(.full)["seeds"], .array([1, 2, 3, 4, 5].map { .int($0) }))
    }

    func assertError(_ text: String, contains expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try ExperimentFile(text: text, path: "experiments/data/demo.toml"), file: file, line: line) {
            XCTAssertTrue("\($0)".contains(expected), "\"\($0)\" does not contain \"\(expected)\"", file: file, line: line)
            XCTAssertTrue("\($0)".hasPrefix("experiments/data/demo.toml"), "error does not name the file: \($0)", file: file, line: line)
        }
    }

    func testErrorsNameFileKeyAndExpectation() {
        assertError(valid.replacingOccurrences(of: "title = \"Demo\"", with: "title = 3"), contains: "key 'title': expected a string, found integer 3")
        assertError(valid.replacingOccurrences(of: "[profiles.full]", with: "[profiles.ful]"), contains: "key 'ful': unknown profile; expected one of: smoke, quick, full")
        assertError(valid.replacingOccurrences(of: "compare = \">\"", with: "compare = \"more\""), contains: "claims[0]: key 'compare': expected one of >, >=, <, <=")
        assertError(valid.replacingOccurrences(of: "threshold = 1.5", with: "treshold = 1.5"), contains: "claims[0]: key 'treshold': unknown key (did you mean threshold? threshold is required")
        assertError(valid + "\n[extra]\nx = 1\n", contains: "key 'extra': unknown key")
        assertError(valid.replacingOccurrences(of: "name = \"demo\"", with: "name = \"Demo Name\""), contains: "expected a lower-case slug")
        assertError("[experiment\nchapter = 1", contains: "not valid TOML at line 1")
        assertError(valid.replacingOccurrences(of: "[[claims]]", with: "[[claimz]]"), contains: "key 'claims': missing")
    }

    func testMissingFileIsNamed() {
        XCTAssertThrowsError(try ExperimentFile(root: URL(fileURLWithPath: "/nonexistent"), path: "experiments/x/y.toml")) {
            XCTAssertTrue("\($0)".contains("experiments/x/y.toml: experiment file not found"), "\($0)")
        }
    }
}
