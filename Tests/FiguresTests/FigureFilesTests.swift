import Foundation
import XCTest

@testable import Figures

/// The data file and script text, checked without running gnuplot.
final class FigureFilesTests: XCTestCase {
    private func twoPanelFigure() -> Figure {
        let a = Panel(
            title: "Left", x: Axis("time", unit: "s"), y: Axis("error", unit: "m", log: true),
            series: [
                Series("mean", style: .line, points: [.init(x: 0, y: 0.5), .init(x: 1.25, y: 1e-3)]),
                Series("spread", style: .band, points: [
                    .init(x: 0, y: 0.5, low: 0.25, high: 0.75), .init(x: 1.25, y: 1e-3, low: 1e-4, high: 2e-3),
                ], color: 0),
            ])
        let b = Panel(
            title: "Right", x: Axis("token"), y: Axis("count"),
            series: [Series("hist", style: .boxes, points: [.init(x: -1, y: 123456789.5), .init(x: 2, y: -0.0)])],
            legend: .hidden)
        return Figure(name: "files-test", title: "Files", panels: [a, b])
    }

    func testDataFileHoldsExactlyTheNumbersInIndexBlocks() {
        let text = twoPanelFigure().dataText()
        let expected = """
            # files-test.dat: data for the figure "Files", written by VLA Workbench.
            # One gnuplot index block per series (panel order), separated by two blank lines;
            # files-test.gp plots block N with 'files-test.dat' index N.
            # index 0: panel 1 "Left", series "mean" (line)
            # columns: x y
            0 0.5
            1.25 0.001


            # index 1: panel 1 "Left", series "spread" (band)
            # columns: x y low high
            0 0.5 0.25 0.75
            1.25 0.001 0.0001 0.002


            # index 2: panel 2 "Right", series "hist" (boxes)
            # columns: x y
            -1 123456789.5
            2 0

            """
        XCTAssertEqual(text, expected)
        // Three blocks means exactly two double-blank separators.
        XCTAssertEqual(text.components(separatedBy: "\n\n\n").count, 3)
    }

    func testMissingBoundsAreWrittenAsY() {
        let figure = Figure(
            name: "b", title: "", x: Axis("x"), y: Axis("y"),
            series: [Series("ci", style: .errorBars, points: [.init(x: 1, y: 2), .init(x: 3, y: 4, low: 3.5, high: 5)])])
        XCTAssertTrue(figure.dataText().hasSuffix("# columns: x y low high\n1 2 2 2\n3 4 3.5 5\n"))
    }

    func testNumbersAreFormattedDeterministically() {
        XCTAssertEqual(Figure.format(0.1 + 0.2), "0.3")
        XCTAssertEqual(Figure.format(-0.0), "0")
        XCTAssertEqual(Figure.format(1e-12), "1e-12")
        XCTAssertEqual(Figure.format(2.5e20), "2.5e+20")
        XCTAssertEqual(Figure.format(-7), "-7")
        XCTAssertEqual(twoPanelFigure().dataText(), twoPanelFigure().dataText())
    }

    func testScriptNamesOutputsLabelsAndScales() {
        let script = twoPanelFigure().scriptText()
        XCTAssertTrue(script.contains("set terminal pngcairo size 900,540"))
        XCTAssertTrue(script.contains("set output 'files-test.png'"))
        XCTAssertTrue(script.contains("set terminal svg size 900,540"))
        XCTAssertTrue(script.contains("set output 'files-test.svg'"))
        XCTAssertLessThan(
            script.range(of: "files-test.png'")!.lowerBound, script.range(of: "files-test.svg'")!.lowerBound,
            "PNG is written first")
        XCTAssertTrue(script.contains("set multiplot layout 1,2 title \"Files\""))
        XCTAssertTrue(script.contains("set xlabel \"time (s)\""))
        XCTAssertTrue(script.contains("set ylabel \"error (m)\""))
        XCTAssertTrue(script.contains("set xlabel \"token\""), "no unit, no parentheses")
        XCTAssertTrue(script.contains("set logscale y 10"))
        XCTAssertTrue(script.contains("unset logscale x"))
        XCTAssertTrue(script.contains("unset key"))
        XCTAssertTrue(script.contains("set key on inside top right"))
        XCTAssertTrue(script.contains(
            "'files-test.dat' index 2 using 1:2 with boxes lc rgb '#0072B2' fs transparent solid 0.6 border lc rgb '#0072B2'"))
        for color in Palette.colors { XCTAssertTrue(script.contains("lc rgb '\(color)'")) }
        XCTAssertFalse(script.contains("/tmp"), "the script uses relative paths only")
    }

    func testBandIsDrawnFirstTranslucentAndSharesTheLineColour() throws {
        let script = twoPanelFigure().scriptText()
        let band = try XCTUnwrap(script.range(of: "index 1 using 1:3:4 with filledcurves fs transparent solid 0.25 noborder lc rgb '#0072B2'"))
        let line = try XCTUnwrap(script.range(of: "index 0 using 1:2 with lines lw 2 lc rgb '#0072B2'"))
        XCTAssertLessThan(band.lowerBound, line.lowerBound, "band is listed (drawn) before the line")
    }

    func testStylesColoursDashesAndTics() {
        let panel = Panel(
            x: Axis("x", range: 0...4, tics: [(0, "start"), (4, "end")]), y: Axis("y", unit: "1/s"),
            series: [
                Series("a", style: .errorBars, points: [.init(x: 1, y: 2, low: 1, high: 3)]),
                Series("b", style: .steps, x: [1, 2], y: [1, 2], dashed: true),
                Series("c", style: .points, x: [1], y: [1], color: Palette.colors.count + 1),
            ], legend: .below)
        let script = Figure(name: "s", title: "", panels: [panel]).scriptText()
        XCTAssertTrue(script.contains("index 0 using 1:2:3:4 with yerrorbars lw 1.5 pt 7 ps 0.8 lc rgb '#0072B2'"))
        XCTAssertTrue(script.contains("index 1 using 1:2 with steps lw 2 lc rgb '\(Palette.colors[1])' dt 2"))
        XCTAssertTrue(script.contains("index 2 using 1:2 with points pt 6 ps 1.6 lw 2 lc rgb '\(Palette.colors[1])'"), "count + 1 wraps to 1; points are open circles")
        XCTAssertTrue(script.contains("set errorbars 1.5"), "error bars have caps")
        XCTAssertTrue(script.contains("set xtics (\"start\" 0, \"end\" 4)"))
        XCTAssertTrue(script.contains("set xrange [0:4]"))
        XCTAssertTrue(script.contains("set yrange [*:*]"))
        XCTAssertTrue(script.contains("set ytics autofreq"))
        XCTAssertTrue(script.contains("set key on below center horizontal"))
    }

    func testLabelsAreEscapedNotInjected() {
        XCTAssertEqual(gnuplotString(#"a "b" \c"#), #""a \"b\" \\c""#)
        XCTAssertEqual(gnuplotString("two\nlines\tx"), #""two\nlines x""#)
        let figure = Figure(
            name: "e", title: "", x: Axis("x\"\nset foo"), y: Axis("y"), series: [Series("s", x: [1], y: [1])])
        XCTAssertTrue(figure.scriptText().contains(#"set xlabel "x\"\nset foo""#))
    }

    func testSinglePanelConvenienceAndLayout() {
        let panels = (0..<5).map { i in Panel(x: Axis("x"), y: Axis("y"), series: [Series("s\(i)", x: [1], y: [1])]) }
        let grid = Figure(name: "g", title: "Grid", panels: panels, columns: 2)
        XCTAssertEqual(grid.rows, 3)
        XCTAssertTrue(grid.scriptText().contains("set multiplot layout 3,2"))
        let single = Figure(name: "one", title: "One", x: Axis("x"), y: Axis("y"), series: [Series("s", x: [1], y: [2])])
        XCTAssertEqual(single.panels.count, 1)
        XCTAssertEqual(single.columns, 1)
        XCTAssertEqual(Figure(name: "row", title: "", panels: panels).columns, 5)
    }

    func testAxisLabelAndPalette() {
        XCTAssertEqual(Axis("time", unit: "s").renderedLabel, "time (s)")
        XCTAssertEqual(Axis("time").renderedLabel, "time")
        XCTAssertEqual(Palette.colors.count, Palette.entries.count)
        XCTAssertEqual(Palette.color(Palette.colors.count), Palette.colors[0])
    }
}
