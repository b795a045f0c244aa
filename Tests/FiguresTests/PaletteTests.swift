import XCTest
@testable import Figures

/// The book's palette: distinct hues, a colour for every tokenizer, references and markers drawn.
final class PaletteTests: XCTestCase {
    /// CIE L*a*b* of an `#RRGGBB` colour (sRGB, D65).
    func lab(_ hex: String) -> (Double, Double, Double) {
        let v = Int(hex.dropFirst(), radix: 16)!
        func lin(_ c: Int) -> Double { let x = Double(c) / 255; return x <= 0.04045 ? x / 12.92 : pow((x + 0.055) / 1.055, 2.4) }
        let r = lin(v >> 16 & 255), g = lin(v >> 8 & 255), b = lin(v & 255)
        let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, y = 0.2126 * r + 0.7152 * g + 0.0722 * b
        let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883
        func f(_ t: Double) -> Double { t > 216.0 / 24389 ? cbrt(t) : (24389.0 / 27 * t + 16) / 116 }
        return (116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z)))
    }

    func testColoursAreDistinct() {
        XCTAssertEqual(Set(Palette.colors).count, Palette.colors.count)
        XCTAssertEqual(Set(Palette.entries.map(\.key)).count, Palette.entries.count)
        for (i, a) in Palette.colors.enumerated() {
            for b in Palette.colors[(i + 1)...] {
                let (l1, a1, b1) = lab(a), (l2, a2, b2) = lab(b)
                let distance = ((l1 - l2) * (l1 - l2) + (a1 - a2) * (a1 - a2) + (b1 - b2) * (b1 - b2)).squareRoot()
                XCTAssertGreaterThan(distance, 20, "\(a) and \(b) are too alike (ΔE \(distance))")
            }
        }
    }

    func testTokenizerKeysAndAliases() {
        for name in ["minmax", "openvla", "equal-mass", "verlet", "rvq", "fast", "beast", "flow", "diffusion"] {
            XCTAssertNotNil(Palette.index(forTokenizer: name), name)
        }
        XCTAssertEqual(Palette.tokenizer("vq-bet"), Palette.tokenizer("rvq"))
        XCTAssertEqual(Palette.tokenizer("no-such-tokenizer"), Palette.neutral)
        XCTAssertNotEqual(Palette.tokenizer("fast"), Palette.tokenizer("rvq"))
        XCTAssertEqual(Palette.color(Palette.reference), "#000000")
    }

    func testReferencesAndMarkersAreDrawn() throws {
        let panel = Panel(x: Axis("x", range: 0...10), y: Axis("y", log: true, range: 0.1...10),
                          series: [Series("s", style: .points, points: [.init(x: 1, y: 1)], marker: .hollowSquare)],
                          references: [.vertical(5, "budget"), .horizontal(2, "target", dashed: false)])
        let figure = Figure(name: "refs", title: "", panels: [panel])
        try figure.validate()
        let script = figure.scriptText()
        XCTAssertTrue(script.contains("set arrow 1 from first 5, graph 0 to first 5, graph 1 nohead"))
        XCTAssertTrue(script.contains("set arrow 2 from graph 0, first 2 to graph 1, first 2 nohead"))
        XCTAssertTrue(script.contains("keyentry with lines lw 2 lc rgb '#000000' dt 2 title \"budget\""))
        XCTAssertTrue(script.contains("pt 4"))
        var outside = figure
        outside.panels[0].references = [.vertical(20, "far")]
        XCTAssertThrowsError(try outside.validate())
        outside.panels[0].x.range = nil
        outside.panels[0].references = [.vertical(5, "no range")]
        XCTAssertThrowsError(try outside.validate())
    }
}
