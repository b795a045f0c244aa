import Foundation
import XCTest

@testable import Figures

/// End-to-end rendering through the C++ bridge and a real gnuplot.
final class FigureRendererTests: XCTestCase {
    private func simpleFigure(name: String = "simple", width: Int = 640, height: Int = 400) -> Figure {
        Figure(
            name: name, title: "Simple figure",
            x: Axis("time", unit: "s"), y: Axis("reward", unit: "a.u.", log: true),
            series: [
                Series("rollout-mean", style: .linePoints, x: [1, 2, 3, 4], y: [1, 10, 100, 1000]),
                Series("rollout-spread", style: .band, points: (1...4).map {
                    let y = pow(10, Double($0 - 1))
                    return .init(x: Double($0), y: y, low: y / 2, high: y * 2)
                }, color: 0),
            ],
            legend: .topLeft, width: width, height: height)
    }

    func testRenderWritesRealPNGAndSVGOfTheRequestedSize() throws {
        try requireGnuplot()
        let folder = try temporaryFolder(self)
        let figure = simpleFigure()
        let out = try FigureRenderer().render(figure, into: folder)
        XCTAssertEqual(out.png, folder.appendingPathComponent("simple.png"))
        XCTAssertEqual(out.svg.lastPathComponent, "simple.svg")

        let png = try Data(contentsOf: out.png)
        XCTAssertTrue(hasPNGSignature(png))
        let size = try XCTUnwrap(pngSize(png), "IHDR chunk")
        XCTAssertEqual(size.width, 640)
        XCTAssertEqual(size.height, 400)

        let svg = try String(contentsOf: out.svg, encoding: .utf8)
        XCTAssertTrue(svg.hasPrefix("<?xml"))
        XCTAssertTrue(svg.contains("width=\"640\" height=\"400\""))
        for text in ["rollout-mean", "rollout-spread", "time (s)", "reward (a.u.)", "Simple figure"] {
            XCTAssertTrue(svg.contains(text), "SVG should contain \(text)")
        }
        // The band is palette colour 0 (#0072B2) at 25 % opacity; the line is drawn in the same colour.
        XCTAssertTrue(svg.contains("fill = 'rgb(  0, 114, 178)' fill-opacity = '0.250000'"), "translucent band")
        XCTAssertTrue(svg.contains("stroke='rgb(  0, 114, 178)'"), "line in the band's colour")

        XCTAssertEqual(try String(contentsOf: out.data, encoding: .utf8), figure.dataText())
        XCTAssertEqual(try String(contentsOf: out.script, encoding: .utf8), figure.scriptText())
    }

    func testMultiplotWithTwoPanelsRenders() throws {
        try requireGnuplot()
        let folder = try temporaryFolder(self)
        let figure = demoFigure()
        let out = try FigureRenderer().render(figure, into: folder)
        XCTAssertEqual(pngSize(try Data(contentsOf: out.png))?.width, 900)
        XCTAssertEqual(pngSize(try Data(contentsOf: out.png))?.height, 540)
        let svg = try String(contentsOf: out.svg, encoding: .utf8)
        for panel in figure.panels {
            XCTAssertTrue(svg.contains(panel.title), panel.title)
            XCTAssertTrue(svg.contains(panel.x.renderedLabel), panel.x.renderedLabel)
            XCTAssertTrue(svg.contains(panel.y.renderedLabel), panel.y.renderedLabel)
            for series in panel.series { XCTAssertTrue(svg.contains(series.name), series.name) }
        }
        XCTAssertTrue(svg.contains("fill-opacity = '0.250000'"), "translucent band")
        let hex = Int(Palette.colors[1].dropFirst(), radix: 16)!
        let rgb = String(format: "rgb(%3d, %3d, %3d)", hex >> 16 & 255, hex >> 8 & 255, hex & 255)
        XCTAssertTrue(svg.contains("fill = '\(rgb)' fill-opacity = '0.600000'"), "boxes in their colour")

        if let demo = ProcessInfo.processInfo.environment["FIGURES_DEMO_DIR"] {
            _ = try FigureRenderer().render(figure, into: URL(fileURLWithPath: demo))
        }
    }

    func testSameInputGivesIdenticalBytes() throws {
        try requireGnuplot()
        let a = try FigureRenderer().render(demoFigure(), into: try temporaryFolder(self, "a"))
        let b = try FigureRenderer().render(demoFigure(), into: try temporaryFolder(self, "b"))
        for (x, y) in [(a.png, b.png), (a.svg, b.svg), (a.script, b.script), (a.data, b.data)] {
            XCTAssertEqual(try Data(contentsOf: x), try Data(contentsOf: y), x.lastPathComponent)
        }
    }

    func testConcurrentRendersAllFinishCompletely() throws {
        try requireGnuplot()
        let folders = try (0..<4).map { try temporaryFolder(self, "concurrent\($0)") }
        let results = UnsafeMutableBufferPointer<Result<RenderedFigure, Error>?>.allocate(capacity: 4)
        defer { results.deallocate() }
        results.initialize(repeating: nil)
        DispatchQueue.concurrentPerform(iterations: 4) { i in
            results[i] = Result { try FigureRenderer().render(simpleFigure(name: "c\(i)"), into: folders[i]) }
        }
        for i in 0..<4 {
            let out = try XCTUnwrap(results[i]).get()
            XCTAssertEqual(pngSize(try Data(contentsOf: out.png))?.width, 640)
            XCTAssertTrue(try String(contentsOf: out.svg, encoding: .utf8).hasSuffix("</svg>\n\n"))
        }
    }

    func testMissingGnuplotThrowsNotFound() throws {
        let folder = try temporaryFolder(self)
        let command = "no-such-gnuplot-\(UUID().uuidString.prefix(8))"
        XCTAssertThrowsError(try FigureRenderer(gnuplot: command).render(simpleFigure(), into: folder)) { error in
            XCTAssertEqual(error as? FigureError, .gnuplotNotFound(command: command))
            XCTAssertTrue("\(error)".contains("gnuplot-nox"))
            XCTAssertTrue("\(error)".contains("scripts/install-deps.sh"))
        }
        XCTAssertThrowsError(try FigureRenderer.checkAvailable(gnuplot: command)) { error in
            XCTAssertEqual(error as? FigureError, .gnuplotNotFound(command: command))
        }
    }

    func testScriptErrorThrowsGnuplotFailedWithGnuplotsMessage() throws {
        try requireGnuplot()
        let folder = try temporaryFolder(self)
        let renderer = FigureRenderer()
        XCTAssertThrowsError(try renderer.render(simpleFigure(), into: folder, rawCommands: ["set frobnicate 3"])) { error in
            guard case .gnuplotFailed(let script, let message) = error as? FigureError else {
                return XCTFail("expected gnuplotFailed, got \(error)")
            }
            XCTAssertTrue(script.hasSuffix("/simple.gp"), script)
            XCTAssertTrue(message.contains("unrecognized option"), message)
            XCTAssertTrue(message.contains("simple.gp\" line"), "gnuplot names the line: \(message)")
        }
        // The same renderer still works afterwards, and overwrites the failed run's files.
        let out = try renderer.render(simpleFigure(), into: folder)
        XCTAssertTrue(hasPNGSignature(try Data(contentsOf: out.png)))
    }

    func testCommandThatIsNotGnuplotFails() throws {
        let folder = try temporaryFolder(self)
        // `true` runs and exits 0 without reading the script: the missing sentinel catches it.
        XCTAssertThrowsError(try FigureRenderer(gnuplot: "true").render(simpleFigure(), into: folder)) { error in
            guard case .gnuplotFailed(_, let message) = error as? FigureError else {
                return XCTFail("expected gnuplotFailed, got \(error)")
            }
            XCTAssertTrue(message.contains("stopped before the end"), message)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("simple.png").path))
    }

    func testCheckAvailableReportsTheVersion() throws {
        try requireGnuplot()
        let version = try FigureRenderer.checkAvailable()
        XCTAssertTrue(version.hasPrefix("gnuplot "), version)
        XCTAssertTrue(version.contains("patchlevel"), version)
    }

    func testTrickyLabelsAreDrawnLiterally() throws {
        try requireGnuplot()
        let folder = try temporaryFolder(self)
        let figure = Figure(
            name: "tricky", title: "it's a_b^c {d} @e",
            x: Axis("x \"quoted\" \\ slash", unit: "m/s^2"), y: Axis("y"),
            series: [Series("set output 'evil.png'", x: [0, 1], y: [0, 1])])
        let out = try FigureRenderer().render(figure, into: folder)
        let svg = try String(contentsOf: out.svg, encoding: .utf8)
        XCTAssertTrue(svg.contains("a_b^c {d} @e"), "noenhanced: drawn as typed")
        XCTAssertTrue(svg.contains("m/s^2"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("evil.png").path))
    }

    func testScriptReRunsByHandToTheSameImages() throws {
        try requireGnuplot()
        let folder = try temporaryFolder(self)
        let out = try FigureRenderer().render(simpleFigure(), into: folder)
        let png = try Data(contentsOf: out.png)
        let svg = try Data(contentsOf: out.svg)
        try FileManager.default.removeItem(at: out.png)
        try FileManager.default.removeItem(at: out.svg)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "cd \"$0\" && gnuplot simple.gp", folder.path]
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        XCTAssertEqual(try Data(contentsOf: out.png), png)
        XCTAssertEqual(try Data(contentsOf: out.svg), svg)
    }
}
