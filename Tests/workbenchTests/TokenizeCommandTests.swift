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
}
