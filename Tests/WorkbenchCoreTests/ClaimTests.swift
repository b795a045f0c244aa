import Support
import XCTest
@testable import WorkbenchCore

final class ClaimTests: XCTestCase {
    func claim(_ compare: String, _ threshold: Double, reduce: String = "mean") throws -> ClaimSpec {
        try ClaimSpec(ParameterReader(.table([("id", .string("c")), ("statement", .string("s")), ("statistic", .string("x")),
                                              ("reduce", .string(reduce)), ("compare", .string(compare)), ("threshold", .double(threshold))]),
                                      location: "f.toml: claims[0]"))
    }

    func testVerdictFollowsTheInterval() throws {
        // mean 5, interval about [4.2, 5.8] over 5 seeds.
        let v = [4.5, 5.5, 5.0, 4.6, 5.4]
        XCTAssertEqual(Verdict(claim: try claim(">", 3), perSeed: v).outcome, .supported)
        XCTAssertEqual(Verdict(claim: try claim(">", 7), perSeed: v).outcome, .notSupported)
        XCTAssertEqual(Verdict(claim: try claim(">", 5), perSeed: v).outcome, .inconclusive)
        XCTAssertEqual(Verdict(claim: try claim("<", 7), perSeed: v).outcome, .supported)
        XCTAssertEqual(Verdict(claim: try claim("<=", 3), perSeed: v).outcome, .notSupported)
        XCTAssertEqual(Verdict(claim: try claim(">", 3), perSeed: [5]).outcome, .inconclusive, "one seed has no interval")
        XCTAssertEqual(Verdict(claim: try claim(">", 3), perSeed: [5, .nan]).outcome, .inconclusive)
    }

    func testReduceAcrossCells() {
        let cells = [[1.0, 3.0], [2.0, 8.0]]
        XCTAssertEqual(Verdict.reduce(cells, .min), [1, 2])
        XCTAssertEqual(Verdict.reduce(cells, .max), [3, 8])
        XCTAssertEqual(Verdict.reduce(cells, .mean), [2, 5])
    }

    func testClaimValidation() {
        XCTAssertThrowsError(try claim("=>", 1)) { XCTAssertTrue("\($0)".contains("key 'compare': expected one of >, >=, <, <=, found \"=>\""), "\($0)") }
        XCTAssertThrowsError(try claim(">", 1, reduce: "median")) { XCTAssertTrue("\($0)".contains("key 'reduce'"), "\($0)") }
    }
}
