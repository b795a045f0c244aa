import Support
import XCTest
@testable import ActionData

final class RobotArmGeneratorTests: XCTestCase {
    func testShapeFrequencyAndDeterminism() throws {
        for hz in [5.0, 15, 50] {
            let a = try RobotArmGenerator(frequency: hz).chunks(count: 40, seed: 3)
            XCTAssertEqual(a.steps, Int(hz))
            XCTAssertEqual(a.dims, 7)
            XCTAssertEqual(a.dimensionNames, RobotArmGenerator.dimensionNames)
            XCTAssertEqual(a, try RobotArmGenerator(frequency: hz).chunks(count: 40, seed: 3))
            XCTAssertNotEqual(a.flatValues, try RobotArmGenerator(frequency: hz).chunks(count: 40, seed: 4).flatValues)
        }
    }

    /// The same motion sampled faster has proportionally smaller per-step deltas and the same gripper range.
    func testPhysicalScaleIsIndependentOfFrequency() throws {
        func speed(_ hz: Double) throws -> Double {
            let d = try RobotArmGenerator(frequency: hz).chunks(count: 400, seed: 1)
            let dx = d.values(dimension: 0), dy = d.values(dimension: 1), dz = d.values(dimension: 2)
            let perStep = zip(zip(dx, dy), dz).map { (($0.0 * $0.0 + $0.1 * $0.1 + $1 * $1)).squareRoot() }
            return perStep.reduce(0, +) / Double(perStep.count) * hz    // metres per second
        }
        let s10 = try speed(10), s50 = try speed(50)
        XCTAssertEqual(s10, s50, accuracy: 0.15 * s10)
        XCTAssertGreaterThan(s10, 0.02); XCTAssertLessThan(s10, 1.0)
        let grip = try RobotArmGenerator(frequency: 10).chunks(count: 200, seed: 2).values(dimension: 6)
        XCTAssertEqual(grip.min()!, 0, accuracy: 1e-9)
        XCTAssertEqual(grip.max()!, 1, accuracy: 1e-9)
    }

    /// Translations move together along straight segments: |corr(dx, dy)| is far from zero on average per episode.
    func testTranslationDimensionsAreCorrelated() throws {
        var rng = SeededGenerator(seed: 8)
        var strong = 0
        for _ in 0..<20 {
            let rows = RobotArmGenerator(frequency: 20).episode(&rng)
            let x = rows.map { $0[0] }, y = rows.map { $0[1] }
            let mx = x.reduce(0, +) / Double(x.count), my = y.reduce(0, +) / Double(y.count)
            let cov = zip(x, y).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
            let vx = x.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }, vy = y.reduce(0) { $0 + ($1 - my) * ($1 - my) }
            if abs(cov / (vx * vy).squareRoot()) > 0.2 { strong += 1 }
        }
        XCTAssertGreaterThan(strong, 10)
    }

    func testInvalidParametersAreNamed() {
        XCTAssertThrowsError(try RobotArmGenerator(frequency: 0).chunks(count: 1, seed: 1)) {
            XCTAssertTrue("\($0)".contains("frequency must be in [1, 2000] Hz, got 0.0"), "\($0)")
        }
        XCTAssertThrowsError(try RobotArmGenerator().chunks(count: 0, seed: 1))
    }
}

final class OutlierInjectionTests: XCTestCase {
    func testReplacesExactlyTheFractionWithLargeValues() throws {
        let clean = try RobotArmGenerator().chunks(count: 100, seed: 1)
        var rng = SeededGenerator(seed: 5)
        let (dirty, k) = try OutlierInjection(fraction: 0.01, magnitude: 50).apply(to: clean, rng: &rng)
        let total = 100 * 10 * 7
        XCTAssertEqual(k, 70)
        XCTAssertEqual(total, clean.flatValues.count)
        let changed = zip(clean.flatValues, dirty.flatValues).enumerated().filter { $0.element.0 != $0.element.1 }
        XCTAssertEqual(changed.count, k)
        for (i, (_, new)) in changed {
            let v = clean.values(dimension: i % 7)
            let m = v.reduce(0, +) / Double(v.count)
            let s = (v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count - 1)).squareRoot()
            XCTAssertGreaterThanOrEqual(abs(new - m), 25 * s * (1 - 1e-9))
            XCTAssertLessThanOrEqual(abs(new - m), 75 * s * (1 + 1e-9))
        }
        var rng2 = SeededGenerator(seed: 5)
        XCTAssertEqual(try OutlierInjection(fraction: 0.01, magnitude: 50).apply(to: clean, rng: &rng2).data, dirty)
    }

    func testZeroFractionIsIdentityAndBadFractionIsRejected() throws {
        let clean = try RobotArmGenerator().chunks(count: 10, seed: 1)
        var rng = SeededGenerator(seed: 1)
        XCTAssertEqual(try OutlierInjection(fraction: 0, magnitude: 10).apply(to: clean, rng: &rng).data, clean)
        XCTAssertThrowsError(try OutlierInjection(fraction: 0.9, magnitude: 10).apply(to: clean, rng: &rng))
        XCTAssertThrowsError(try OutlierInjection(fraction: 0.1, magnitude: .nan).apply(to: clean, rng: &rng))
    }
}
