import Foundation
import Support
import XCTest
@testable import Chapters
@testable import WorkbenchCore

/// Figures draw their thresholds from the experiment file's claims, which the runner hands to
/// the experiment, so a figure and the verdict it illustrates cannot disagree.
final class FigureThresholdTests: XCTestCase {
    func testTheCorrelatedActuatorsClaimExistsAndAnUnknownClaimIsNamed() throws {
        let root = try XCTUnwrap(PackageRoot.ofBuild())
        let file = try ExperimentFile(root: root, path: "experiments/architectures/correlated-actuators.toml")
        let context = RunContext(profile: .smoke, seeds: [1], progress: ProgressReporter(label: "t", quiet: true), claims: file.claims)
        XCTAssertEqual(try context.claim(CorrelatedActuators.claimID).threshold, 2)
        XCTAssertThrowsError(try context.claim("no-such-claim")) {
            XCTAssertTrue("\($0)".contains("no-such-claim") && "\($0)".contains(CorrelatedActuators.claimID), "\($0)")
        }
    }
}
