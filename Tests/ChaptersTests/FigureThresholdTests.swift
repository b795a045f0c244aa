import Foundation
import Support
import XCTest
@testable import Chapters
@testable import WorkbenchCore

/// Thresholds the figures draw agree with the claims in the experiment files.
final class FigureThresholdTests: XCTestCase {
    func testCorrelatedActuatorsPassMarkIsTheClaimThreshold() throws {
        let root = try XCTUnwrap(PackageRoot.ofBuild())
        let file = try ExperimentFile(root: root, path: "experiments/architectures/correlated-actuators.toml")
        let claim = try XCTUnwrap(file.claims.first { $0.id == "joint-code-needs-fewer-bits" })
        XCTAssertEqual(CorrelatedActuators.passRatio, claim.threshold)
    }
}
