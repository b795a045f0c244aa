import Foundation
import XCTest
@testable import Support

final class SeededGeneratorTests: XCTestCase {
    /// The stream matches an independent Python implementation of SplitMix64 + xoshiro256**.
    func testMatchesReferenceStream() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/xoshiro_golden.json")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        for case let c as [String: Any] in json["cases"] as! [Any] {
            let seed = (c["seed"] as! NSNumber).uint64Value
            var g = SeededGenerator(seed: seed)
            let expected = (c["outputs"] as! [String]).map { UInt64($0)! }
            XCTAssertEqual((0..<expected.count).map { _ in g.next() }, expected, "seed \(seed)")
        }
    }

    func testDerivedStreamsAreIndependentOfDrawsMade() {
        var a = SeededGenerator(seed: 7)
        let before = a.derived("x")
        _ = a.next(); _ = a.next()
        var d1 = before, d2 = a.derived("x"), other = a.derived("y")
        let x1 = d1.next()
        XCTAssertEqual(x1, d2.next())
        XCTAssertNotEqual(x1, other.next())
    }

    func testUniformAndGaussianMoments() {
        var g = SeededGenerator(seed: 3)
        let n = 200_000
        let u = (0..<n).map { _ in g.nextUniform() }
        XCTAssertTrue(u.allSatisfy { $0 >= 0 && $0 < 1 })
        XCTAssertEqual(u.reduce(0, +) / Double(n), 0.5, accuracy: 0.005)
        let z = (0..<n).map { _ in g.nextGaussian() }
        let m = z.reduce(0, +) / Double(n)
        let v = z.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(n - 1)
        XCTAssertEqual(m, 0, accuracy: 0.01)
        XCTAssertEqual(v, 1, accuracy: 0.02)
        let counts = (0..<60_000).reduce(into: [Int](repeating: 0, count: 6)) { c, _ in c[g.nextInt(below: 6)] += 1 }
        for c in counts { XCTAssertEqual(Double(c), 10_000, accuracy: 400) }
    }

    /// Beta(1.5, 1), flow matching's time distribution, against its CDF `x^1.5` (Kolmogorov–Smirnov
    /// distance under the 1 % critical value 1.63/√n), and Beta(2, 3) and Gamma(0.5) against their
    /// means and variances (five standard errors).
    func testBetaAndGammaDraws() {
        var g = SeededGenerator(seed: 8)
        let n = 20_000
        let x = (0..<n).map { _ in g.nextBeta(1.5, 1) }.sorted()
        XCTAssertTrue(x.allSatisfy { $0 > 0 && $0 < 1 })
        let ks = x.enumerated().map { i, v in max(abs(Double(i + 1) / Double(n) - pow(v, 1.5)), abs(Double(i) / Double(n) - pow(v, 1.5))) }.max()!
        XCTAssertLessThan(ks, 1.63 / Double(n).squareRoot())
        func moments(_ v: [Double]) -> (Double, Double) {
            let m = v.reduce(0, +) / Double(v.count)
            return (m, v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count - 1))
        }
        let (bm, bv) = moments((0..<n).map { _ in g.nextBeta(2, 3) })
        XCTAssertEqual(bm, 0.4, accuracy: 5 * (0.04 / Double(n)).squareRoot())
        XCTAssertEqual(bv, 0.04, accuracy: 0.002)
        let (gm, gv) = moments((0..<n).map { _ in g.nextGamma(shape: 0.5) })
        XCTAssertEqual(gm, 0.5, accuracy: 5 * (0.5 / Double(n)).squareRoot())
        XCTAssertEqual(gv, 0.5, accuracy: 0.05)
    }

    func testShuffleIsAPermutationAndDeterministic() {
        var a = SeededGenerator(seed: 11), b = SeededGenerator(seed: 11)
        var x = Array(0..<50), y = Array(0..<50)
        a.shuffle(&x); b.shuffle(&y)
        XCTAssertEqual(x, y)
        XCTAssertNotEqual(x, Array(0..<50))
        XCTAssertEqual(x.sorted(), Array(0..<50))
    }
}
