import Foundation
import Support
import XCTest
@testable import Chapters

/// The LASA measures of the applications chapter against an independent reference: numpy and
/// shapely (fixture from scripts/fixtures/make_trajectory_golden.py), and properties by hand.
final class TrajectoryDistanceTests: XCTestCase {
    struct Golden: Decodable {
        struct Case: Decodable { let name: String; let a: [[Double]]; let b: [[Double]]; let dtw: Double; let sea: Double? }
        let cases: [Case]
    }

    func golden() throws -> [Golden.Case] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/trajectory_distance_golden.json")
        return try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url)).cases
    }

    /// Both measures match the reference within a few roundings of the sums involved.
    func testMatchesNumpyAndShapely() throws {
        let cases = try golden()
        XCTAssertEqual(cases.count, 10)
        for c in cases {
            XCTAssertEqual(try TrajectoryDistance.dtw(c.a, c.b), c.dtw, accuracy: 1e-9 * max(1, c.dtw), c.name)
            if let sea = c.sea {
                XCTAssertEqual(try TrajectoryDistance.sweptErrorArea(c.a, c.b), sea, accuracy: 1e-9 * max(1, sea), c.name)
            }
        }
        XCTAssertTrue(cases.contains { $0.sea == nil }, "a case beyond the plane checks DTW in three dimensions")
    }

    /// DTW is symmetric, zero against itself and blind to repeated points; a path shifted by a
    /// constant has a DTW of at most the shift times its number of points.
    func testDTWProperties() throws {
        var rng = SeededGenerator(seed: 7)
        func walk() -> [[Double]] { (0..<(1 + Int(rng.nextUniform(0, 15)))).map { _ in [rng.nextUniform(-1, 1), rng.nextUniform(-1, 1)] } }
        for _ in 0..<20 {
            let a = walk(), b = walk()
            XCTAssertEqual(try TrajectoryDistance.dtw(a, b), try TrajectoryDistance.dtw(b, a), accuracy: 1e-12)
            XCTAssertEqual(try TrajectoryDistance.dtw(a, a), 0)
            XCTAssertEqual(try TrajectoryDistance.dtw(a.flatMap { [$0, $0] }, a), 0)
            let shifted = a.map { [$0[0] + 0.3, $0[1] - 0.4] }
            XCTAssertLessThanOrEqual(try TrajectoryDistance.dtw(shifted, a), 0.5 * Double(a.count) + 1e-12)
        }
    }

    /// The swept area of two parallel segments is their gap times their length, whatever the
    /// rollout's number of points; and it does not depend on which path is the rollout when both
    /// have the same length.
    func testSweptAreaByHand() throws {
        let demo = (0...20).map { [Double($0) / 20 * 3, 0] }
        for n in [2, 7, 21, 40] {
            let rollout = (0..<n).map { [Double($0) / Double(n - 1) * 3, 0.25] }
            XCTAssertEqual(try TrajectoryDistance.sweptErrorArea(rollout, demo), 0.75, accuracy: 1e-12, "\(n) points")
        }
        let wave = (0...20).map { [Double($0) / 10, sin(Double($0) / 3)] }
        XCTAssertEqual(try TrajectoryDistance.sweptErrorArea(wave, demo), try TrajectoryDistance.sweptErrorArea(demo, wave), accuracy: 1e-12)
    }

    /// Trajectories that cannot be compared are refused, saying what was expected.
    func testRefusesWhatItCannotCompare() {
        XCTAssertThrowsError(try TrajectoryDistance.dtw([], [[0, 0]])) { XCTAssertEqual($0 as? TrajectoryDistanceError, .empty) }
        XCTAssertThrowsError(try TrajectoryDistance.dtw([[0, 0]], [[0, 0, 0]])) { XCTAssertEqual($0 as? TrajectoryDistanceError, .mixedDimensions) }
        XCTAssertThrowsError(try TrajectoryDistance.sweptErrorArea([[0, 0, 0]], [[0, 0, 0]])) {
            XCTAssertEqual($0 as? TrajectoryDistanceError, .notPlanar(dimensions: 3))
            XCTAssertTrue("\($0)".contains("expected 2 coordinates"))
        }
    }
}
