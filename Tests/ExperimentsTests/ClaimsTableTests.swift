import Metrics
import Support
import XCTest
@testable import Experiments

/// The claims table decides each claim under each setting by the claim's own rule, with the
/// setting's keys added to the claim's selection.
final class ClaimsTableTests: XCTestCase {
    func claim(_ id: String, select: [(String, ParameterValue)] = []) throws -> ClaimSpec {
        try ClaimSpec(ParameterReader(.table([("id", .string(id)), ("statement", .string("s")), ("statistic", .string("gain")),
                                              ("select", .table(select)), ("compare", .string(">")), ("threshold", .double(0)),
                                              ("scale", .string("difference"))]), location: "f.toml: claims[0]"))
    }

    /// Per-seed gains: clearly positive under `reference`, clearly negative under `earlier`.
    func outcome(readsRecipe: Bool = true) -> ExperimentOutcome {
        ExperimentOutcome(metrics: [], blocks: [], inputDataHash: "") { name, select in
            guard name == "gain" else { throw ConfigError(location: select.location, key: "statistic", problem: "unknown") }
            let recipe = readsRecipe ? try select.string("recipe", default: "reference") : "reference"
            return recipe == "reference" ? [[0.3], [0.31], [0.29]] : [[-0.3], [-0.31], [-0.29]]
        }
    }

    func testEachSettingIsDecidedByTheClaimsRule() throws {
        let settings = [ClaimSetting("reference recipe", select: [("recipe", .string("reference"))]),
                        ClaimSetting("earlier recipe (ablation)", select: [("recipe", .string("earlier"))])]
        let table = try outcome().claimsTable([try claim("a"), try claim("b")], settings: settings, location: "f.toml")
        XCTAssertEqual(table.rows.map { [$0[0], $0[1], $0[5]] }, [
            ["a", "reference recipe", Verdict.Outcome.supported.mark], ["a", "earlier recipe (ablation)", Verdict.Outcome.notSupported.mark],
            ["b", "reference recipe", Verdict.Outcome.supported.mark], ["b", "earlier recipe (ablation)", Verdict.Outcome.notSupported.mark],
        ])
        // The same numbers as a verdict computed directly.
        let direct = Verdict(claim: try claim("a"), perSeed: [-0.3, -0.31, -0.29])
        XCTAssertEqual(table.rows[1][3], Format.interval(direct.summary))
        XCTAssertEqual(table.rows[1][4], direct.seedsText)
    }

    /// A key the claim sets itself, or one the statistic never reads, is an error naming it.
    func testAClashingOrUnreadSettingKeyIsAnError() throws {
        let settings = [ClaimSetting("earlier", select: [("recipe", .string("earlier"))])]
        XCTAssertThrowsError(try outcome().claimsTable([try claim("a", select: [("recipe", .string("reference"))])], settings: settings, location: "f.toml")) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "recipe", "\($0)")
        }
        XCTAssertThrowsError(try outcome(readsRecipe: false).claimsTable([try claim("a")], settings: settings, location: "f.toml")) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "recipe", "\($0)")
        }
    }
}
