import ActionData
import ArgumentParser
import Foundation
import Metrics
import Support
import Tokenizers

extension Workbench {
    /// Tries a tokenizer on your own data: fit, encode, decode, and report.
    struct Tokenize: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fit a tokenizer on one NPY file and encode another, or decode tokens with a saved tokenizer.",
            discussion: """
            Actions are .npy arrays of shape (chunks, steps, dims). Tokens are written as an int64 array of
            shape (chunks, max tokens) padded with -1 (FAST's token count varies from chunk to chunk).
            Examples:
              workbench tokenize fit --tokenizer openvla --fit train.npy --encode test.npy --tokens t.npy --decoded d.npy --save tok.json
              workbench tokenize decode --load tok.json --tokens t.npy --steps 10 --dims 7 --decoded d.npy
            """,
            subcommands: [Fit.self, Decode.self])
    }
}

extension Workbench.Tokenize {
    struct Fit: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Fit a named tokenizer, encode a file, write tokens and reconstruction.")

        @Option(help: "Registry name (see `workbench list`).") var tokenizer: String
        @Option(name: .customLong("set"), help: "A tokenizer parameter, KEY=VALUE (repeatable), e.g. --set bins=128.") var settings: [String] = []
        @Option(help: "Actions to fit on (.npy, (N, T, D)).") var fit: String
        @Option(help: "Actions to encode (.npy); default: the fitting file.") var encode: String?
        @Option(help: "Where to write the tokens (.npy).") var tokens: String?
        @Option(help: "Where to write the decoded actions (.npy).") var decoded: String?
        @Option(help: "Where to save the fitted tokenizer (.json).") var save: String?

        func run() throws {
            let params = try ParameterReader(.table(try settings.map(Self.parse)), location: "--set")
            let tok = try TokenizerRegistry.make(tokenizer, parameters: params)
            let fitData = try ChunkSet.readNPY(URL(fileURLWithPath: fit))
            try tok.fit(fitData)
            let data = try encode.map { try ChunkSet.readNPY(URL(fileURLWithPath: $0)) } ?? fitData
            let ids = try data.chunks.map { try tok.encode($0) }
            let back = try zip(ids, data.chunks).map { try tok.decode($0, steps: $1.steps, dims: $1.dims) }
            if let tokens { try TokenArray.write(ids, to: URL(fileURLWithPath: tokens)) }
            if let decoded { try ChunkSet(chunks: back).writeNPY(URL(fileURLWithPath: decoded)) }
            if let save { try TokenizerFile.save(tok, to: URL(fileURLWithPath: save)) }
            Workbench.Tokenize.report(tok, data: data, ids: ids, decoded: back)
        }

        /// `key=value` with the value read as an integer, a number, true/false, or else a string.
        static func parse(_ s: String) throws -> (key: String, value: ParameterValue) {
            guard let eq = s.firstIndex(of: "="), eq != s.startIndex else { throw ValidationError("--set expects KEY=VALUE, got \"\(s)\"") }
            let key = String(s[..<eq]), raw = String(s[s.index(after: eq)...])
            if let i = Int(raw) { return (key, .int(i)) }
            if let d = Double(raw) { return (key, .double(d)) }
            if raw == "true" || raw == "false" { return (key, .bool(raw == "true")) }
            return (key, .string(raw))
        }
    }

    struct Decode: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Decode a token file with a saved tokenizer.")

        @Option(help: "A tokenizer saved by `tokenize fit --save`.") var load: String
        @Option(help: "Tokens (.npy, (N, L) integers, -1 = padding).") var tokens: String
        @Option(help: "Steps per chunk.") var steps: Int
        @Option(help: "Dimensions per step.") var dims: Int
        @Option(help: "Where to write the decoded actions (.npy).") var decoded: String
        @Option(help: "Actions to compare against (.npy), for the reconstruction error.") var reference: String?

        func run() throws {
            let tok = try TokenizerFile.load(from: URL(fileURLWithPath: load))
            let ids = try TokenArray.read(URL(fileURLWithPath: tokens))
            let back = try ids.enumerated().map { i, row -> ActionChunk in
                do { return try tok.decode(row, steps: steps, dims: dims) } catch {
                    throw ValidationError("chunk \(i) of \(tokens): \(error)")
                }
            }
            try ChunkSet(chunks: back).writeNPY(URL(fileURLWithPath: decoded))
            if let reference {
                Workbench.Tokenize.report(tok, data: try ChunkSet.readNPY(URL(fileURLWithPath: reference)), ids: ids, decoded: back)
            } else {
                print("decoded \(back.count) chunks with \(tok.name) into \(decoded)")
            }
        }
    }

    /// Prints tokens per chunk and reconstruction error per dimension.
    static func report(_ tok: any ActionTokenizer, data: ChunkSet, ids: [[Int]], decoded: [ActionChunk]) {
        let counts = ids.map(\.count)
        let mean = Double(counts.reduce(0, +)) / Double(max(1, counts.count))
        print("tokenizer \(tok.name): vocabulary \(tok.vocabularySize), \(data.count) chunks of \(data.steps) x \(data.dims)")
        print(String(format: "tokens per chunk: mean %.2f, min %d, max %d", mean, counts.min() ?? 0, counts.max() ?? 0))
        let rmse: [Double]
        do { rmse = try Statistics.perDimensionRMSE(data, decoded: decoded) } catch {
            print("reconstruction RMSE not computed: \(error)")
            return
        }
        print("reconstruction RMSE per dimension: " + rmse.enumerated().map { "\(data.dimensionNames[$0.offset])=\(String(format: "%.4g", $0.element))" }.joined(separator: " "))
    }
}
