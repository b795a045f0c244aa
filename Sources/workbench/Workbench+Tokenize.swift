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
            Actions are .npy arrays (or FILE.npz:NAME) of shape (chunks, steps, dims). Tokens are written \
            as an int64 array of shape (chunks, max tokens) padded with -1 (FAST's token count varies \
            from chunk to chunk).

            Examples:
              workbench tokenize fit --tokenizer openvla --fit train.npy --encode test.npy --tokens t.npy --decoded d.npy --save tok.json
              workbench tokenize decode --load tok.json --tokens t.npy --steps 10 --dims 7 --decoded d.npy
            """,
            subcommands: [Fit.self, Decode.self])
    }
}

extension Workbench.Tokenize {
    struct Fit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fit a named tokenizer, encode a file, write tokens and reconstruction.",
            discussion: "The output files are written as one set: all of them, or, after a failure, none.\n\n\(ExitStatus.helpText)")

        @Option(help: "Registry name (see `workbench list`).") var tokenizer: String
        @Option(name: .customLong("set"), help: "A tokenizer parameter, KEY=VALUE (repeatable, each key once), e.g. --set bins=128.") var settings: [String] = []
        @Option(help: "Actions to fit on: .npy of shape (N, T, D), or one array of an .npz as FILE.npz:NAME.") var fit: String
        @Option(help: "Actions to encode (as --fit); default: the fitting file.") var encode: String?
        @Flag(help: "Read a 2-D (T, D) array as a single chunk (otherwise arrays must be 3-D).") var singleChunk = false
        @Option(help: "Where to write the tokens (.npy).") var tokens: String?
        @Option(help: "Where to write the decoded actions (.npy).") var decoded: String?
        @Option(help: "Where to save the fitted tokenizer (.json).") var save: String?

        func run() throws {
            try Workbench.Tokenize.reportingErrors {
                // Everything is checked before the fit: the settings, the inputs, every output path.
                let params = try ParameterReader(.table(try Self.parseSettings(settings)), location: "--set")
                let tok = try TokenizerRegistry.make(tokenizer, parameters: params)
                let outputs = [tokens, decoded, save].compactMap { $0 }
                try Workbench.Tokenize.checkOutputs(outputs)
                let fitData = try ChunkSet.read(fit, singleChunk: singleChunk)
                let data = try encode.map { try ChunkSet.read($0, singleChunk: singleChunk) } ?? fitData
                try tok.fit(fitData)
                let ids = try data.chunks.map { try tok.encode($0) }
                let back = try zip(ids, data.chunks).map { try tok.decode($0, steps: $1.steps, dims: $1.dims) }
                var files = StagedFiles()
                if let tokens { try files.add(try NPY.encode(try TokenArray.array(ids)), to: URL(fileURLWithPath: tokens)) }
                if let decoded {
                    try files.add(try NPY.encode(NPYArray(shape: [back.count, data.steps, data.dims], values: back.flatMap(\.values))), to: URL(fileURLWithPath: decoded))
                }
                if let save { try files.add(try TokenizerFile.encode(tok), to: URL(fileURLWithPath: save)) }
                try files.commit()
                Workbench.Tokenize.report(tok, data: data, ids: ids, decoded: back)
            }
        }

        /// `--set` items as (key, value) pairs; a key given twice is an error naming both values.
        static func parseSettings(_ items: [String]) throws -> [(key: String, value: ParameterValue)] {
            var pairs: [(key: String, value: ParameterValue)] = []
            for item in items {
                let pair = try parse(item)
                if let earlier = pairs.first(where: { $0.key == pair.key }) {
                    throw ValidationError("--set \(pair.key) is given twice (\(earlier.value) and \(pair.value)); give each key once")
                }
                pairs.append(pair)
            }
            return pairs
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
        static let configuration = CommandConfiguration(abstract: "Decode a token file with a saved tokenizer.",
                                                        discussion: ExitStatus.helpText)

        @Option(help: "A tokenizer saved by `tokenize fit --save`.") var load: String
        @Option(help: "Tokens (.npy, (N, L) integers, -1 = padding).") var tokens: String
        @Option(help: "Steps per chunk.") var steps: Int
        @Option(help: "Dimensions per step.") var dims: Int
        @Option(help: "Where to write the decoded actions (.npy).") var decoded: String
        @Option(help: "Actions to compare against (.npy, or FILE.npz:NAME) of shape (N, steps, dims), for the reconstruction error.") var reference: String?
        @Flag(help: "Read a 2-D (T, D) reference as a single chunk.") var singleChunk = false

        func validate() throws {
            guard steps >= 1 else { throw ValidationError("--steps must be at least 1, got \(steps)") }
            guard dims >= 1 else { throw ValidationError("--dims must be at least 1, got \(dims)") }
        }

        func run() throws {
            try Workbench.Tokenize.reportingErrors {
                let tok = try TokenizerFile.load(from: URL(fileURLWithPath: load))
                let ids = try TokenArray.read(URL(fileURLWithPath: tokens))
                try Workbench.Tokenize.checkOutputs([decoded])
                // The reference must match what is decoded, chunk for chunk, before anything is decoded.
                let ref = try reference.map { try ChunkSet.read($0, singleChunk: singleChunk) }
                if let ref, ref.count != ids.count || ref.steps != steps || ref.dims != dims {
                    throw ActionDataError.shapeMismatch("\(reference!) has shape (\(ref.count), \(ref.steps), \(ref.dims)); the decoded actions have shape (\(ids.count), \(steps), \(dims)) (\(tokens) and --steps, --dims)")
                }
                let back = try ids.enumerated().map { i, row -> ActionChunk in
                    do { return try tok.decode(row, steps: steps, dims: dims) } catch {
                        throw TokenizerError.shapeMismatch(tok.name, "chunk \(i) of \(tokens): \(error)")
                    }
                }
                try ChunkSet(chunks: back).writeNPY(URL(fileURLWithPath: decoded))
                if let ref {
                    Workbench.Tokenize.report(tok, data: ref, ids: ids, decoded: back)
                } else {
                    print("decoded \(back.count) chunks with \(tok.name) into \(decoded)")
                }
            }
        }
    }

    /// Fails before any work when an output path cannot take a file (a folder there, a folder
    /// that cannot be created or written), naming every such path and why.
    static func checkOutputs(_ paths: [String]) throws {
        let problems = paths.compactMap { p in FileProblem.unwritable(p, folder: false).map { (path: p, reason: $0) } }
        if problems.count == 1 { throw FileError("write", problems[0].path, reason: problems[0].reason) }
        if !problems.isEmpty { throw FileError("write", "the outputs", reason: problems.map { "\($0.path): \($0.reason)" }.joined(separator: "; ")) }
    }

    /// Runs `body`; an error is printed as its message (never Foundation's raw text) and ends the
    /// command with its ``Support/ExitStatus``.
    static func reportingErrors(_ body: () throws -> Void) throws {
        do { try body() } catch let error where !(error is ValidationError) && !(error is ExitCode) {
            FileHandle.standardError.write(Data("error: \(ExitStatus.message(error))\n".utf8))
            throw ExitCode(ExitStatus.of(error).rawValue)
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
