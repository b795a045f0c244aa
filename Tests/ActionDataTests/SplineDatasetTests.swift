import Foundation
import XCTest

@testable import ActionData

final class SplineDatasetTests: XCTestCase {
    func testMatchesSciPyCubicSpline() throws {
        let data = try Data(contentsOf: matFixtures.appendingPathComponent("spline_expected.json"))
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let knots = try XCTUnwrap(json["knots"] as? [Double])
        for (a, b) in zip(knots, DidacticSplines.knots) { XCTAssertEqual(a, b, accuracy: 1e-16) }
        let cases = try XCTUnwrap(json["cases"] as? [[String: Any]])
        XCTAssertEqual(cases.count, 32)
        for c in cases {
            let controls = try XCTUnwrap(c["controls"] as? [Double])
            let steps = try XCTUnwrap(c["steps"] as? Int)
            let boundary = try XCTUnwrap(DidacticSplines.Boundary(rawValue: try XCTUnwrap(c["boundary"] as? String)))
            let expected = try XCTUnwrap(c["values"] as? [Double])
            let values = DidacticSplines.evaluate(controls: controls, steps: steps, boundary: boundary)
            XCTAssertEqual(values.count, expected.count)
            for (k, (v, e)) in zip(values, expected).enumerated() {
                XCTAssertEqual(v, e, accuracy: 1e-12, "\(boundary) \(controls) steps \(steps) k \(k)")
            }
        }
    }

    func testPassesThroughTheControlPoints() {
        let controls = [0.3, -0.7, 0.9, 0.1]
        for boundary in DidacticSplines.Boundary.allCases {
            let values = DidacticSplines.evaluate(controls: controls, steps: 10, boundary: boundary)  // t = k/9
            for (i, k) in [0, 3, 6, 9].enumerated() { XCTAssertEqual(values[k], controls[i], accuracy: 1e-14) }
        }
        // Not-a-knot through 4 points is the single cubic through them: t^3 is reproduced.
        let cubic = DidacticSplines.knots.map { $0 * $0 * $0 }
        let values = DidacticSplines.evaluate(controls: cubic, steps: 21)
        for (k, v) in values.enumerated() { XCTAssertEqual(v, pow(Double(k) / 20, 3), accuracy: 1e-14) }
    }

    func testSampleIsDeterministicPerSeed() throws {
        let a = try DidacticSplines.sample(count: 8, steps: 25, seed: 42)
        let b = try DidacticSplines.sample(count: 8, steps: 25, seed: 42)
        let c = try DidacticSplines.sample(count: 8, steps: 25, seed: 43)
        XCTAssertEqual(a.chunks, b.chunks)
        XCTAssertEqual(a.conditions, b.conditions)
        XCTAssertNotEqual(a.conditions, c.conditions)
        XCTAssertEqual(a.chunks.count, 8)
        XCTAssertEqual(a.chunks.steps, 25)
        XCTAssertEqual(a.chunks.dims, 1)
        XCTAssertEqual(a.chunks.dimensionNames, ["y"])
        XCTAssertEqual(a.conditions.count, 8)
        for (chunk, controls) in zip(a.chunks.chunks, a.conditions) {
            XCTAssertEqual(controls.count, 4)
            XCTAssertTrue(controls.allSatisfy { $0 >= -1 && $0 < 1 })
            XCTAssertEqual(chunk.values, DidacticSplines.evaluate(controls: controls, steps: 25))
            XCTAssertEqual(chunk.values.first!, controls[0], accuracy: 1e-14)
            XCTAssertEqual(chunk.values.last!, controls[3], accuracy: 1e-14)
        }
        // The conditions do not depend on the number of steps.
        let fine = try DidacticSplines.sample(count: 8, steps: 200, seed: 42, boundary: .natural)
        XCTAssertEqual(fine.conditions, a.conditions)
    }

    func testInvalidParameters() {
        XCTAssertThrowsError(try DidacticSplines.sample(count: 0, steps: 10, seed: 1))
        XCTAssertThrowsError(try DidacticSplines.sample(count: 3, steps: 0, seed: 1))
    }
}
