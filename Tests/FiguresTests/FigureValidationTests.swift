import Foundation
import XCTest

@testable import Figures

/// `Figure.validate()` and the `invalidData` errors `render` throws before writing anything.
final class FigureValidationTests: XCTestCase {
    private func figure(
        name: String = "v", x: Axis = Axis("x"), y: Axis = Axis("y"), _ series: [Series]
    ) -> Figure {
        Figure(name: name, title: "V", x: x, y: y, series: series)
    }

    /// Asserts that validation fails with invalidData naming `series` and mentioning `detail`.
    private func assertInvalid(
        _ figure: Figure, series: String, detail: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertThrowsError(try figure.validate(), file: file, line: line) { error in
            guard case .invalidData(let f, let s, let d) = error as? FigureError else {
                return XCTFail("expected invalidData, got \(error)", file: file, line: line)
            }
            XCTAssertEqual(f, figure.name, file: file, line: line)
            XCTAssertEqual(s, series, file: file, line: line)
            XCTAssertTrue(d.contains(detail), "\(d) should mention \(detail)", file: file, line: line)
            XCTAssertTrue("\(error)".contains(figure.name), file: file, line: line)
        }
    }

    func testValidFigurePasses() throws {
        try demoFigure().validate()
    }

    func testNaNAndInfinityNameTheSeries() {
        let ok = Series("ok", x: [1, 2], y: [1, 2])
        assertInvalid(figure([ok, Series("noisy", x: [1, 2], y: [1, .nan])]), series: "noisy", detail: "y is nan")
        assertInvalid(figure([Series("far", x: [.infinity], y: [1])]), series: "far", detail: "x is inf")
        assertInvalid(
            figure([Series("bars", style: .errorBars, points: [.init(x: 1, y: 1, low: -.infinity, high: 2)])]),
            series: "bars", detail: "low is -inf")
    }

    func testLogAxisRejectsNonPositiveValues() {
        let logY = Axis("loss", log: true)
        assertInvalid(figure(y: logY, [Series("loss", x: [1, 2, 3], y: [1, 0, 2])]), series: "loss", detail: "logarithmic y")
        assertInvalid(figure(x: Axis("lr", log: true), [Series("sweep", x: [-1], y: [1])]), series: "sweep", detail: "logarithmic x")
        assertInvalid(
            figure(y: logY, [Series("band", style: .band, points: [.init(x: 1, y: 1, low: 0, high: 2)])]),
            series: "band", detail: "low = 0")
        assertInvalid(figure(y: Axis("loss", log: true, range: 0...1), [Series("s", x: [1], y: [1])]), series: "", detail: "range starts at 0")
        assertInvalid(figure(y: Axis("loss", log: true, tics: [(-1, "neg")]), [Series("s", x: [1], y: [1])]), series: "", detail: "tic at -1")
        // Non-positive values are fine on a linear axis.
        XCTAssertNoThrow(try figure([Series("s", x: [-1, 0], y: [0, -5])]).validate())
    }

    func testStructuralProblems() {
        assertInvalid(figure([Series("empty", points: [])]), series: "empty", detail: "no points")
        assertInvalid(figure([Series("", x: [1], y: [1])]), series: "", detail: "name is empty")
        assertInvalid(figure([Series("bad\nname", x: [1], y: [1])]), series: "bad\nname", detail: "control character")
        assertInvalid(figure(name: "Bad Name", [Series("s", x: [1], y: [1])]), series: "", detail: "[a-z0-9-]+")
        assertInvalid(figure(name: "../escape", [Series("s", x: [1], y: [1])]), series: "", detail: "[a-z0-9-]+")
        assertInvalid(figure([]), series: "", detail: "no series")
        assertInvalid(Figure(name: "none", title: "", panels: []), series: "", detail: "at least one panel")
        // A missing bound counts as y (no bar on that side), so only the order is checked.
        XCTAssertNoThrow(try figure([Series("bars", style: .errorBars, points: [.init(x: 1, y: 1, high: 2)])]).validate())
        assertInvalid(
            figure([Series("bars", style: .errorBars, points: [.init(x: 1, y: 3, high: 2)])]), series: "bars",
            detail: "above high")
        assertInvalid(
            figure([Series("band", style: .band, points: [.init(x: 1, y: 1, low: 2, high: 1)])]), series: "band",
            detail: "above high")
        assertInvalid(figure([Series("c", x: [1], y: [1], color: -1)]), series: "c", detail: "negative")
        assertInvalid(figure(x: Axis("x", range: 1...1), [Series("s", x: [1], y: [1])]), series: "", detail: "empty")
        var tiny = figure([Series("s", x: [1], y: [1])])
        tiny.width = 0
        assertInvalid(tiny, series: "", detail: "size")
    }

    func testRenderValidatesBeforeWritingAnything() throws {
        let folder = try temporaryFolder(self)
        let bad = figure([Series("noisy", x: [1], y: [.nan])])
        XCTAssertThrowsError(try FigureRenderer(gnuplot: "definitely-not-gnuplot").render(bad, into: folder)) {
            guard case .invalidData(_, "noisy", _) = $0 as? FigureError else { return XCTFail("\($0)") }
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), [])
    }
}
