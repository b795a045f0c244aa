import Support
import XCTest
@testable import ActionData

final class RobotArmWipeTests: XCTestCase {
    let wipe = RobotArmGenerator(family: .wipe)

    func testWipeIsDeterministicForASeedAndDistinctFromPickAndPlace() throws {
        let a = try wipe.chunks(count: 60, seed: 5)
        XCTAssertEqual(a, try wipe.chunks(count: 60, seed: 5))
        XCTAssertNotEqual(a.flatValues, try wipe.chunks(count: 60, seed: 6).flatValues)
        XCTAssertNotEqual(a.flatValues, try RobotArmGenerator().chunks(count: 60, seed: 5).flatValues)
        // The default family is still pick-and-place, drawn as before.
        XCTAssertEqual(try RobotArmGenerator().chunks(count: 20, seed: 5), try RobotArmGenerator(family: .pickAndPlace).chunks(count: 20, seed: 5))
    }

    /// Same shape, names and units as pick-and-place; the gripper stays closed; no translation
    /// exceeds the stated speed limit in either family; the pad stays on the surface.
    func testShapeUnitsAndSpeedLimit() throws {
        for hz in [10.0, 50] {
            let w = try RobotArmGenerator(frequency: hz, family: .wipe).chunks(count: 300, seed: 2)
            let p = try RobotArmGenerator(frequency: hz).chunks(count: 300, seed: 2)
            XCTAssertEqual(w.steps, Int(hz)); XCTAssertEqual(w.dims, 7)
            XCTAssertEqual(w.dimensionNames, RobotArmGenerator.dimensionNames)
            XCTAssertEqual(w.frequency, hz)
            XCTAssertTrue(w.values(dimension: RobotArmGenerator.gripperDimension).allSatisfy { $0 == 0 })
            let limit = wipe.speedLimit
            XCTAssertEqual(limit, 0.5)
            for set in [w, p] {
                let dx = set.values(dimension: 0), dy = set.values(dimension: 1), dz = set.values(dimension: 2)
                let speeds = (0..<dx.count).map { i -> Double in
                    let squared: Double = dx[i] * dx[i] + dy[i] * dy[i] + dz[i] * dz[i]
                    return squared.squareRoot() * hz
                }
                let fastest = speeds.max()!
                XCTAssertLessThanOrEqual(fastest, limit, "\(hz) Hz")
                XCTAssertGreaterThan(fastest, 0.4 * limit, "\(hz) Hz: the strokes and segments do move")
            }
            XCTAssertLessThan(w.values(dimension: 2).map { abs($0) * hz }.max()!, 0.1, "vertical speed of the pad (noise only)")
            // Rotation deltas are small: under 0.5 rad/s about every axis.
            for d in 3..<6 { XCTAssertLessThan(w.values(dimension: d).map { abs($0) * hz }.max()!, 0.5) }
        }
    }

    /// Wiping reverses direction several times a second; pick-and-place hardly ever within a chunk.
    ///
    /// Per chunk, the horizontal velocity is projected on its principal direction (the leading
    /// eigenvector of the 2 x 2 second-moment matrix of (dx, dy)); steps slower than 5 cm/s along it
    /// are dropped, so noise around a standstill is not counted, and sign changes of the rest are
    /// counted per second.
    func testWipeReversesFarMoreOftenThanPickAndPlace() throws {
        func reversalsPerSecond(_ set: ChunkSet) -> Double {
            let hz = set.frequency!
            var changes = 0
            for c in set.chunks {
                let x = c.column(0).map { $0 * hz }, y = c.column(1).map { $0 * hz }
                let sxx = x.map { $0 * $0 }.reduce(0, +), syy = y.map { $0 * $0 }.reduce(0, +)
                let sxy = zip(x, y).map { $0 * $1 }.reduce(0, +)
                let theta = 0.5 * atan2(2 * sxy, sxx - syy)                // leading eigenvector's angle
                let along = zip(x, y).map { $0 * cos(theta) + $1 * sin(theta) }.filter { abs($0) > 0.05 }
                changes += zip(along, along.dropFirst()).filter { ($0 > 0) != ($1 > 0) }.count
            }
            return Double(changes) / (Double(set.count * set.steps) / hz)
        }
        let w = reversalsPerSecond(try wipe.chunks(count: 400, seed: 9))
        let p = reversalsPerSecond(try RobotArmGenerator().chunks(count: 400, seed: 9))
        XCTAssertGreaterThan(w, 0.5, "wipe: \(w) reversals/s")
        XCTAssertLessThan(p, 0.1 * w, "wipe \(w) against pick-and-place \(p) reversals/s")
    }
}
