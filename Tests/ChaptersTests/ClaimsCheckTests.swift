import Experiments
import Support
import XCTest
@testable import Chapters

/// Every chapter experiment declares the statistics its claims may name, so a misspelt statistic
/// or select key is found before any model trains.
final class ClaimsCheckTests: XCTestCase {
    func file(_ e: AnyExperiment) throws -> ExperimentFile {
        try ExperimentFile(root: ScratchWorkbench.repository, path: e.filePath)
    }

    /// Each experiment declares statistics, and its committed claims pass the check.
    func testEveryExperimentDeclaresItsClaimsStatistics() throws {
        for chapter in Catalog.chapters {
            for e in chapter.experiments {
                XCTAssertFalse(e.statistics.isEmpty, "\(e.id) declares no statistics")
                let f = try file(e)
                XCTAssertNoThrow(try e.checkClaims(f.claims, file: f.path), e.id)
                for claim in f.claims { XCTAssertNotNil(e.statistics[claim.statistic], "\(e.id): \(claim.id)") }
            }
        }
    }

    /// A misspelt statistic and a select key the statistic does not read are named, with the closest known name.
    func testMisspeltStatisticsAndKeysAreNamedBeforeAnyWork() throws {
        let e = try XCTUnwrap(Catalog.chapters.flatMap(\.experiments).first { $0.id == "data/outlier-sensitivity" })
        let claim = try XCTUnwrap(try file(e).claims.first)
        func spec(statistic: String, select: ParameterValue) throws -> ClaimSpec {
            try ClaimSpec(ParameterReader(.table([("id", .string("c")), ("statement", .string("s")), ("statistic", .string(statistic)),
                                                  ("select", select), ("compare", .string(">")), ("threshold", .double(1)),
                                                  ("scale", .string("log"))]), location: "t"))
        }
        XCTAssertThrowsError(try e.checkClaims([try spec(statistic: "rmse_inflaton", select: claim.select)], file: "f.toml")) {
            let c = $0 as! ConfigError
            XCTAssertEqual(c.key, "statistic")
            XCTAssertTrue(c.problem.contains("did you mean rmse_inflation?"), c.problem)
        }
        XCTAssertThrowsError(try e.checkClaims([try spec(statistic: "rmse_inflation", select: .table([("tokeniser", .string("minmax"))]))], file: "f.toml")) {
            let c = $0 as! ConfigError
            XCTAssertEqual(c.key, "tokeniser")
            XCTAssertTrue(c.problem.contains("did you mean tokenizer?"), c.problem)
        }
    }
}
