import ActionData
import Foundation
import Support
import XCTest
@testable import Lab

/// The arm data sets: which streams they draw from and how the two-arm set is built.
final class DataSourceTests: XCTestCase {
    func testArmSplitDrawsFitAndEvalFromTheirOwnStreams() throws {
        let seed = SeededGenerator(seed: 11)
        let (fit, eval) = try DataSource.arm.split(fit: 6, eval: 4, frequency: 20, seed: seed)
        let arm = RobotArmGenerator(frequency: 20)
        XCTAssertEqual(fit, try arm.chunks(count: 6, seed: seed.derived("fit").seed))
        XCTAssertEqual(eval, try arm.chunks(count: 4, seed: seed.derived("eval").seed))
        XCTAssertEqual(fit.steps, 20, "one-second chunks")
    }

    func testBimanualArmIsTwoIndependentArmsSideBySide() throws {
        let both = try DataSource.bimanualArm.chunks(count: 3, frequency: 10, seed: 9)
        let left = try RobotArmGenerator(frequency: 10).chunks(count: 3, seed: 9)
        let right = try RobotArmGenerator(frequency: 10).chunks(count: 3, seed: 9 ^ 0x5EED)
        XCTAssertEqual(both.dims, 2 * left.dims)
        for (c, chunk) in both.chunks.enumerated() {
            for t in 0..<chunk.steps {
                XCTAssertEqual(Array(chunk.values[(t * both.dims)..<(t * both.dims + left.dims)]), Array(left.chunks[c].values[(t * left.dims)..<((t + 1) * left.dims)]))
                XCTAssertEqual(Array(chunk.values[(t * both.dims + left.dims)..<((t + 1) * both.dims)]), Array(right.chunks[c].values[(t * right.dims)..<((t + 1) * right.dims)]))
            }
        }
        XCTAssertEqual([DataSource.arm.name, DataSource.bimanualArm.name, DataSource.lasa(URL(fileURLWithPath: "/")).name], ["arm", "arm-14", "lasa"])
    }
}
