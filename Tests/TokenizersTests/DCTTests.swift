import Foundation
import XCTest
@testable import Tokenizers

/// The golden file written by scripts/fixtures/make_fast_golden.py.
enum FASTGolden {
    static func load() throws -> [String: Any] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/fast_golden.json")
        return try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }

    static func doubles(_ any: Any?) -> [Double] { (any as! [NSNumber]).map(\.doubleValue) }
    static func ints(_ any: Any?) -> [Int] { (any as! [NSNumber]).map(\.intValue) }
}

final class DCTTests: XCTestCase {
    /// The batched DCT-II equals scipy.fft.dct(type=2, norm="ortho") along time for T in {1, 2, 7, 50}.
    func testForwardMatchesScipy() throws {
        let cases = try FASTGolden.load()["dct"] as! [[String: Any]]
        XCTAssertEqual(cases.count, 6)
        for c in cases {
            let shape = FASTGolden.ints(c["shape"])
            let x = FASTGolden.doubles(c["values"]), expected = FASTGolden.doubles(c["dct"])
            let y = DCT.forward(x, steps: shape[1], dims: shape[2])
            XCTAssertEqual(y.count, expected.count)
            let worst = zip(y, expected).map { abs($0 - $1) }.max()!
            XCTAssertLessThan(worst, 1e-12, "shape \(shape)")
        }
    }

    /// The inverse undoes the forward transform, on the golden shapes and on random ones.
    func testInverseIsIdentity() throws {
        for c in try FASTGolden.load()["dct"] as! [[String: Any]] {
            let shape = FASTGolden.ints(c["shape"])
            let expectedX = FASTGolden.doubles(c["values"])
            let back = DCT.inverse(FASTGolden.doubles(c["dct"]), steps: shape[1], dims: shape[2])
            XCTAssertLessThan(zip(back, expectedX).map { abs($0 - $1) }.max()!, 1e-12, "shape \(shape)")
        }
        var g = SystemRandomNumberGenerator()
        for (t, d, n) in [(3, 4, 5), (16, 1, 2), (33, 2, 300)] {
            let x = (0..<t * d * n).map { _ in Double.random(in: -2...2, using: &g) }
            let back = DCT.inverse(DCT.forward(x, steps: t, dims: d), steps: t, dims: d)
            XCTAssertLessThan(zip(back, x).map { abs($0 - $1) }.max()!, 1e-12)
        }
    }

    /// The basis is orthonormal (C C^T = I) and cached.
    func testBasisIsOrthonormal() {
        for t in [1, 2, 5, 50] {
            let c = DCT.basis(steps: t)
            for i in 0..<t {
                for j in 0..<t {
                    let dot = (0..<t).reduce(0.0) { $0 + c[i * t + $1] * c[j * t + $1] }
                    XCTAssertEqual(dot, i == j ? 1 : 0, accuracy: 1e-12)
                }
            }
            XCTAssertEqual(DCT.basis(steps: t), c)
        }
    }
}
