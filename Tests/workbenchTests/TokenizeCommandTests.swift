import ActionData
import Foundation
import Tokenizers
import XCTest

/// `workbench tokenize`, run as a user runs it: the built executable on NPY files.
///
/// Oracle: the same tokenizer fitted in process on the same data. The command's tokens must equal
/// its `encode`, its decoded file its `decode`, and a saved-then-loaded tokenizer must decode the
/// token file to the same bits. Bad arguments must fail with a message that names them.
final class TokenizeCommandTests: XCTestCase {
    /// The `workbench` executable that `swift test` builds beside the test bundle.
    func workbench() throws -> URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("workbench")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        throw XCTSkip("no built workbench executable near \(CommandLine.arguments[0])")
    }

    /// Runs the executable; returns its exit status and standard error.
    func run(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let p = Process()
        p.executableURL = try workbench()
        p.arguments = arguments
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func testFitEncodeDecodeMatchesTheLibraryAndSurvivesSaveAndLoad() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tokenize-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func file(_ name: String) -> String { dir.appendingPathComponent(name).path }

        let fitData = try RobotArmGenerator(frequency: 10).chunks(count: 40, seed: 3)
        let encodeData = try RobotArmGenerator(frequency: 10).chunks(count: 12, seed: 4)
        try fitData.writeNPY(URL(fileURLWithPath: file("fit.npy")))
        try encodeData.writeNPY(URL(fileURLWithPath: file("encode.npy")))

        let fit = try run(["tokenize", "fit", "--tokenizer", "minmax", "--set", "bins=64", "--fit", file("fit.npy"),
                           "--encode", file("encode.npy"), "--tokens", file("tokens.npy"), "--decoded", file("decoded.npy"),
                           "--save", file("tok.json")])
        XCTAssertEqual(fit.status, 0, fit.stderr)

        let oracle = MinMaxBinning(BinningConfig(bins: 64))
        try oracle.fit(fitData)
        let tokens = try TokenArray.read(URL(fileURLWithPath: file("tokens.npy")))
        XCTAssertEqual(tokens, try encodeData.chunks.map { try oracle.encode($0) })
        let decoded = try ChunkSet.readNPY(URL(fileURLWithPath: file("decoded.npy")))
        XCTAssertEqual(decoded.chunks.map(\.values), try encodeData.chunks.map { try oracle.roundTrip($0).values })

        let chunk = encodeData.chunks[0]
        let decode = try run(["tokenize", "decode", "--load", file("tok.json"), "--tokens", file("tokens.npy"),
                              "--steps", "\(chunk.steps)", "--dims", "\(chunk.dims)", "--decoded", file("again.npy")])
        XCTAssertEqual(decode.status, 0, decode.stderr)
        let again = try ChunkSet.readNPY(URL(fileURLWithPath: file("again.npy")))
        XCTAssertEqual(again.chunks.map { $0.values.map(\.bitPattern) }, decoded.chunks.map { $0.values.map(\.bitPattern) })
    }

    func testBadArgumentsFailWithAMessageThatNamesThem() throws {
        let missingValue = try run(["tokenize", "fit", "--tokenizer", "minmax", "--set", "bins", "--fit", "/nonexistent.npy"])
        XCTAssertNotEqual(missingValue.status, 0)
        XCTAssertTrue(missingValue.stderr.contains("KEY=VALUE"), missingValue.stderr)

        let unknown = try run(["tokenize", "fit", "--tokenizer", "no-such-tokenizer", "--fit", "/nonexistent.npy"])
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertTrue(unknown.stderr.contains("no-such-tokenizer"), unknown.stderr)
    }

    /// Issue 16's cases for `tokenize`: each refused before any work, named, with its exit status.
    func testHostileInputIsRefusedByName() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tokenize-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func file(_ name: String) -> String { dir.appendingPathComponent(name).path }
        let data = try RobotArmGenerator(frequency: 10).chunks(count: 40, seed: 3)
        try data.writeNPY(URL(fileURLWithPath: file("fit.npy")))
        let fit = try run(["tokenize", "fit", "--tokenizer", "minmax", "--fit", file("fit.npy"), "--tokens", file("t.npy"), "--save", file("tok.json")])
        XCTAssertEqual(fit.status, 0, fit.stderr)
        let steps = "\(data.steps)", dims = "\(data.dims)"

        // Case 2: a reference whose shape differs from the decoded actions is an error, never a zero RMSE.
        try RobotArmGenerator(frequency: 10).chunks(count: 40, seed: 3).writeNPY(URL(fileURLWithPath: file("ref-ok.npy")))
        let wide = try ChunkSet(chunks: data.chunks.map { c in try ActionChunk(rows: (0..<c.steps).map { t in Array(c.values[t * c.dims..<(t + 1) * c.dims]) + [0] }) })
        try wide.writeNPY(URL(fileURLWithPath: file("ref-wide.npy")))
        let mismatch = try run(["tokenize", "decode", "--load", file("tok.json"), "--tokens", file("t.npy"), "--steps", steps, "--dims", dims,
                                "--decoded", file("d.npy"), "--reference", file("ref-wide.npy")])
        XCTAssertEqual(mismatch.status, 65, mismatch.stderr)
        XCTAssertTrue(mismatch.stderr.contains("ref-wide.npy has shape (40, \(steps), \(data.dims + 1))"), mismatch.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: file("d.npy")), "nothing decoded or written")

        // Case 5: an output that cannot be written fails before the fit, and the earlier set is kept.
        try FileManager.default.createDirectory(atPath: file("adir"), withIntermediateDirectories: true)
        let before = try Data(contentsOf: URL(fileURLWithPath: file("t.npy")))
        let blocked = try run(["tokenize", "fit", "--tokenizer", "minmax", "--set", "bins=16", "--fit", file("fit.npy"),
                               "--tokens", file("t.npy"), "--decoded", file("adir"), "--save", file("tok.json")])
        XCTAssertEqual(blocked.status, 74, blocked.stderr)
        XCTAssertTrue(blocked.stderr.contains("\(file("adir")): a folder is there where a file is expected"), blocked.stderr)
        XCTAssertFalse(blocked.stderr.contains("NSCocoaErrorDomain"), blocked.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: file("t.npy"))), before, "the tokens of the earlier run are kept")

        // Case 6: a missing input is named in plain words.
        let missing = try run(["tokenize", "fit", "--tokenizer", "minmax", "--fit", file("nothing.npy")])
        XCTAssertEqual(missing.status, 65, missing.stderr)
        XCTAssertTrue(missing.stderr.contains("nothing.npy: cannot be read"), missing.stderr)
        XCTAssertFalse(missing.stderr.contains("NSCocoaErrorDomain"), missing.stderr)

        // Case 7: a key given twice; a saved tokenizer with a negative width; a 2-D array without --single-chunk.
        let twice = try run(["tokenize", "fit", "--tokenizer", "minmax", "--set", "bins=16", "--set", "bins=32", "--fit", file("fit.npy")])
        XCTAssertEqual(twice.status, 64, twice.stderr)
        XCTAssertTrue(twice.stderr.contains("--set bins is given twice"), twice.stderr)
        let saved = try String(contentsOf: URL(fileURLWithPath: file("tok.json")), encoding: .utf8)
        let negative = saved.replacingOccurrences(of: "\"width\": [", with: "\"width\": [-")
        XCTAssertNotEqual(negative, saved, "the test edits the first width")
        try negative.write(toFile: file("bad.json"), atomically: true, encoding: .utf8)
        let bad = try run(["tokenize", "decode", "--load", file("bad.json"), "--tokens", file("t.npy"), "--steps", steps, "--dims", dims, "--decoded", file("d2.npy")])
        XCTAssertEqual(bad.status, 65, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("bad.json: state: key 'width': dimension 0 has width -"), bad.stderr)
        try NPY.write(NPYArray(shape: [data.steps, data.dims], values: data.chunks[0].values), to: URL(fileURLWithPath: file("flat.npy")))
        let flat = try run(["tokenize", "fit", "--tokenizer", "minmax", "--fit", file("flat.npy")])
        XCTAssertEqual(flat.status, 65, flat.stderr)
        XCTAssertTrue(flat.stderr.contains("--single-chunk"), flat.stderr)
        XCTAssertEqual(try run(["tokenize", "fit", "--tokenizer", "minmax", "--fit", file("flat.npy"), "--single-chunk"]).status, 0)

        // Case 7: .npz is read as the README says, an array chosen as FILE.npz:NAME.
        try NPZ.write([(name: "actions", array: NPYArray(shape: [data.count, data.steps, data.dims], values: data.flatValues)),
                       (name: "other", array: NPYArray(shape: [1], values: [0]))], to: URL(fileURLWithPath: file("both.npz")))
        let npz = try run(["tokenize", "fit", "--tokenizer", "minmax", "--fit", file("both.npz") + ":actions", "--tokens", file("t2.npy")])
        XCTAssertEqual(npz.status, 0, npz.stderr)
        XCTAssertEqual(try TokenArray.read(URL(fileURLWithPath: file("t2.npy"))), try TokenArray.read(URL(fileURLWithPath: file("t.npy"))),
                       "the .npz array gives the tokens of the same data as .npy")
        let ambiguous = try run(["tokenize", "fit", "--tokenizer", "minmax", "--fit", file("both.npz")])
        XCTAssertEqual(ambiguous.status, 65, ambiguous.stderr)
        XCTAssertTrue(ambiguous.stderr.contains("choose one as"), ambiguous.stderr)
    }
}
