import Foundation
import Support
import XCTest
@testable import Tokenizers

/// Tests of the clamped uniform B-spline basis and the ridge fit behind BEAST.
final class BSplineTests: XCTestCase {
    /// The golden cases of `section` written by scripts/fixtures/make_bspline_golden.py (scipy,
    /// numpy), read with the workbench's correctly rounding JSON parser (Foundation's is not).
    func golden(_ section: String) throws -> [ParameterReader] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/bspline_golden.json")
        guard case .array(let cases)? = try ParameterValue.parseJSON(Data(contentsOf: url), source: url.path)[section] else {
            throw ConfigError(location: url.path, key: section, problem: "missing")
        }
        return try cases.map { try ParameterReader($0, location: section) }
    }

    /// Knots and design matrices equal scipy's `BSpline.design_matrix` (including u = 1 and T = 1).
    func testMatchesScipyDesignMatrices() throws {
        let cases = try golden("basis")
        XCTAssertGreaterThanOrEqual(cases.count, 8)
        for c in cases {
            let n = try c.int("control_points"), p = try c.int("degree"), steps = try c.int("steps")
            let basis = try BSplineBasis(degree: p, controlPoints: n)
            XCTAssertEqual(basis.knots, try c.doubles("knots"), "knots N=\(n) P=\(p)")
            let phi = basis.designMatrix(steps: steps), expected = try c.doubles("design")
            XCTAssertEqual(phi.count, expected.count)
            let worst = zip(phi, expected).map { abs($0 - $1) }.max()!
            XCTAssertLessThan(worst, 1e-13, "design matrix N=\(n) P=\(p) T=\(steps)")
        }
    }

    /// The cached Cholesky ridge solve equals numpy's dense solve of the normal equations.
    func testRidgeFitMatchesNumpy() throws {
        for c in try golden("ridge") {
            let n = try c.int("control_points"), p = try c.int("degree"), steps = try c.int("steps"), dims = try c.int("dims")
            let lambda = try c.double("lambda")
            let fit = try BSplineRidgeFit(basis: BSplineBasis(degree: p, controlPoints: n), steps: steps, lambda: lambda)
            let got = fit.controlPoints(of: try c.doubles("values"), dims: dims), expected = try c.doubles("coefficients")
            for (a, b) in zip(got, expected) { XCTAssertEqual(a, b, accuracy: 1e-9 * max(1, abs(b)), "N=\(n) T=\(steps) lambda=\(lambda)") }
        }
    }

    /// Basis values are non-negative and sum to one at every sample and at random times.
    func testPartitionOfUnity() throws {
        var g = SeededGenerator(seed: 3)
        for (n, p) in [(1, 0), (4, 0), (4, 1), (5, 3), (10, 4), (12, 2), (30, 5), (50, 4)] {
            let basis = try BSplineBasis(degree: p, controlPoints: n)
            XCTAssertEqual(basis.knots.count, n + p + 1)
            for steps in [1, 2, 3, 7, 20, 101] {
                let phi = basis.designMatrix(steps: steps)
                for t in 0..<steps {
                    let row = phi[t * n..<(t + 1) * n]
                    XCTAssertEqual(row.reduce(0, +), 1, accuracy: 1e-12, "N=\(n) P=\(p) T=\(steps) t=\(t)")
                    XCTAssertGreaterThanOrEqual(row.min()!, 0)
                    XCTAssertLessThanOrEqual(row.filter { $0 != 0 }.count, p + 1)
                }
            }
            for _ in 0..<200 {
                XCTAssertEqual(basis.values(at: g.nextUniform()).reduce(0, +), 1, accuracy: 1e-12)
            }
            // Clamped ends: the curve starts at the first control point and ends at the last.
            XCTAssertEqual(basis.values(at: 0)[0], 1)
            XCTAssertEqual(basis.values(at: 1)[n - 1], 1)
        }
    }

    /// A random spline of the same degree and knots, sampled at T >= N points, is recovered exactly.
    func testExactFitOfSameDegreeSpline() throws {
        var g = SeededGenerator(seed: 11)
        for (n, p, steps) in [(10, 4, 20), (10, 4, 10), (5, 3, 7), (8, 1, 30), (20, 5, 50), (6, 0, 12)] {
            let basis = try BSplineBasis(degree: p, controlPoints: n)
            let dims = 3
            let c = (0..<n * dims).map { _ in g.nextGaussian() * 2 }
            let a = basis.evaluate(controlPoints: c, dims: dims, steps: steps)
            let exact = try BSplineRidgeFit(basis: basis, steps: steps, lambda: 0).controlPoints(of: a, dims: dims)
            for (x, y) in zip(exact, c) { XCTAssertEqual(x, y, accuracy: 1e-9, "N=\(n) P=\(p) T=\(steps) lambda=0") }
            let tiny = try BSplineRidgeFit(basis: basis, steps: steps, lambda: 1e-12).controlPoints(of: a, dims: dims)
            let back = basis.evaluate(controlPoints: tiny, dims: dims, steps: steps)
            for (x, y) in zip(back, a) { XCTAssertEqual(x, y, accuracy: 1e-9, "N=\(n) P=\(p) T=\(steps) lambda=1e-12") }
        }
    }

    /// `evaluate` equals the design matrix times the control points.
    func testEvaluateIsDesignTimesControlPoints() throws {
        var g = SeededGenerator(seed: 12)
        let basis = try BSplineBasis(degree: 3, controlPoints: 7)
        let c = (0..<14).map { _ in g.nextGaussian() }
        let steps = 9, phi = basis.designMatrix(steps: steps)
        let curve = basis.evaluate(controlPoints: c, dims: 2, steps: steps)
        for t in 0..<steps {
            for d in 0..<2 {
                let expected = (0..<7).reduce(0.0) { $0 + phi[t * 7 + $1] * c[$1 * 2 + d] }
                XCTAssertEqual(curve[t * 2 + d], expected, accuracy: 1e-14)
            }
        }
    }

    /// One step sits at u = 0: the row is (1, 0, ..., 0); lambda = 0 is then singular, lambda > 0 shrinks.
    func testSingleStepEdgeCase() throws {
        XCTAssertEqual(BSplineBasis.sampleTimes(steps: 1), [0])
        XCTAssertEqual(BSplineBasis.sampleTimes(steps: 2), [0, 1])
        let basis = try BSplineBasis(degree: 4, controlPoints: 10)
        XCTAssertEqual(basis.designMatrix(steps: 1), [1] + [Double](repeating: 0, count: 9))
        XCTAssertThrowsError(try BSplineRidgeFit(basis: basis, steps: 1, lambda: 0)) {
            guard case .singularSystem? = $0 as? BSplineError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try BSplineRidgeFit(basis: basis, steps: 9, lambda: 0)) {
            XCTAssertTrue("\($0)".contains("use lambda > 0 or at least 10 steps"), "\($0)")
        }
        let fit = try BSplineRidgeFit(basis: basis, steps: 1, lambda: 0.25)
        let c = fit.controlPoints(of: [2.5, -5], dims: 2)
        XCTAssertEqual(c[0], 2.5 / 1.25, accuracy: 1e-15)
        XCTAssertEqual(c[1], -5 / 1.25, accuracy: 1e-15)
        XCTAssertEqual(c[2...].max(), 0)
        XCTAssertEqual(c[2...].min(), 0)
        let single = try BSplineRidgeFit(basis: BSplineBasis(degree: 0, controlPoints: 1), steps: 1, lambda: 0)
        XCTAssertEqual(single.controlPoints(of: [3], dims: 1), [3])
    }

    func testInvalidBasesAreRejected() {
        XCTAssertThrowsError(try BSplineBasis(degree: 4, controlPoints: 4)) {
            XCTAssertEqual("\($0)", "invalid B-spline: a clamped B-spline of degree 4 needs at least 5 control points, got 4")
        }
        XCTAssertThrowsError(try BSplineBasis(degree: -1, controlPoints: 4))
        XCTAssertThrowsError(try BSplineRidgeFit(basis: BSplineBasis(degree: 1, controlPoints: 3), steps: 5, lambda: -1))
        XCTAssertThrowsError(try BSplineRidgeFit(basis: BSplineBasis(degree: 1, controlPoints: 3), steps: 0, lambda: 1))
    }
}
