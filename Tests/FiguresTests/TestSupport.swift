import Foundation
import XCTest

@testable import Figures

/// A fresh temporary folder, removed when the test ends.
func temporaryFolder(_ test: XCTestCase, _ label: String = #function) throws -> URL {
    let stem = label.filter { $0.isLetter || $0.isNumber }
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("figures-tests-\(stem)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}

/// Skips the test when gnuplot cannot be run here.
func requireGnuplot() throws {
    do {
        _ = try FigureRenderer.checkAvailable()
    } catch {
        throw XCTSkip("gnuplot is not available: \(error)")
    }
}

/// Width and height from a PNG's IHDR chunk, after checking the 8-byte signature.
///
/// Returns nil when either is missing.
func pngSize(_ data: Data) -> (width: Int, height: Int)? {
    let bytes = [UInt8](data)
    // Bytes 8..<12: chunk length (13), 12..<16: "IHDR", 16..<20: width, 20..<24: height.
    guard bytes.count >= 24, hasPNGSignature(data), Array(bytes[12..<16]) == Array("IHDR".utf8)
    else { return nil }
    func be32(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
    return (be32(16), be32(20))
}

/// True when `data` starts with the PNG signature.
func hasPNGSignature(_ data: Data) -> Bool {
    Array(data.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
}

/// A two-panel figure with a line over its band, error bars, and a histogram.
func demoFigure() -> Figure {
    let steps = stride(from: 0.0, through: 10.0, by: 0.5).map { $0 }
    let mean = steps.map { 1.0 - exp(-$0 / 3.0) }
    let spread = steps.map { 0.05 + 0.02 * $0 }
    let tracking = Panel(
        title: "Tracking error over an episode",
        x: Axis("time", unit: "s", range: 0...10),
        y: Axis("joint position", unit: "rad"),
        series: [
            Series(
                "policy (mean)", style: .line,
                points: zip(steps, mean).map { .init(x: $0, y: $1) }, color: 0),
            Series(
                "policy (±1 sd)", style: .band,
                points: zip(steps, zip(mean, spread)).map {
                    .init(x: $0, y: $1.0, low: $1.0 - $1.1, high: $1.0 + $1.1)
                }, color: 0),
            Series(
                "reference", style: .line, x: steps, y: steps.map { _ in 1.0 }, color: 7,
                dashed: true),
            Series(
                "measured", style: .errorBars,
                points: stride(from: 1.0, through: 9.0, by: 2.0).map {
                    .init(x: $0, y: 1.0 - exp(-$0 / 2.5), low: 0.9 - exp(-$0 / 2.5), high: 1.1 - exp(-$0 / 2.5))
                }, color: 3),
        ],
        legend: .bottomRight)
    let bins = Array(0..<12).map { Double($0) }
    let histogram = Panel(
        title: "Action token usage",
        x: Axis("token id", range: -0.5...11.5),
        y: Axis("count", unit: "tokens", log: true, range: 1...10_000),
        series: [
            Series("FAST", style: .boxes, x: bins, y: bins.map { 3000 * exp(-$0 / 2) + 5 }, color: 1),
            Series("binning", style: .linePoints, x: bins, y: bins.map { 800 / ($0 + 1) }, color: 2),
        ])
    return Figure(name: "demo-tracking", title: "Demo: lines, bands, error bars and a histogram",
                  panels: [tracking, histogram])
}
