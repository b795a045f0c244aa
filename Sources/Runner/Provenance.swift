import Experiments
import Foundation
import Support

/// Where a result came from: code, toolchain, data and configuration.
public struct Provenance: Sendable {
    /// `git rev-parse HEAD`, or `unknown` outside a checkout.
    public let gitCommit: String
    /// Whether the work tree had uncommitted changes.
    public let gitDirty: Bool
    /// `swift --version`'s first line, or `unknown`.
    public let toolchain: String
    /// SHA-256 over the workbench's source files (see ``codeHash(root:)``).
    public let codeHash: String
    /// The machine the numbers were computed on (results depend on it in the last digits).
    public var machine = Machine()

    /// What a result's floating-point values depend on beyond the code and the seeds.
    public struct Machine: Sendable, Equatable {
        /// The CPU model from `/proc/cpuinfo`, or `unknown`.
        public var cpuModel: String
        /// The OpenBLAS kernel in use (e.g. `Haswell`, `SkylakeX`), or `unknown`.
        public var blasKernel: String
        /// How the engine's loops were compiled: `native` or `baseline` (see `BLAS.engineTargetCPU`).
        public var engineTargetCPU: String

        public init(cpuModel: String = Machine.cpuModel(), blasKernel: String = "unknown", engineTargetCPU: String = "unknown") {
            self.cpuModel = cpuModel; self.blasKernel = blasKernel; self.engineTargetCPU = engineTargetCPU
        }

        /// The first `model name` line of `/proc/cpuinfo`, or `unknown`.
        public static func cpuModel() -> String {
            guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
                  let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
                  let colon = line.firstIndex(of: ":") else { return "unknown" }
            return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
    }

    /// Reads the provenance of the package at `root`.
    public static func current(root: URL, machine: Machine = Machine()) -> Provenance {
        let commit = run(["git", "-C", root.path, "rev-parse", "HEAD"]) ?? "unknown"
        let status = run(["git", "-C", root.path, "status", "--porcelain", "--untracked-files=no", "--"] + WorkbenchPaths.inputsOfResults)
        let swift = run(["swift", "--version"])?.split(separator: "\n").first.map(String.init) ?? "unknown"
        return Provenance(gitCommit: commit, gitDirty: !(status ?? "").isEmpty, toolchain: swift, codeHash: codeHash(root: root), machine: machine)
    }

    /// SHA-256 over the sorted paths and contents of `Package.swift` and every file under `Sources/`
    /// except the Markdown documentation (a README edit changes no result).
    ///
    /// This, not the git commit, keys the cache: committing results must not invalidate them.
    public static func codeHash(root: URL) -> String {
        var files = ["Package.swift"]
        let sources = root.appendingPathComponent("Sources")
        if let e = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: [.isRegularFileKey]) {
            for case let url as URL in e where url.pathExtension != "md"
                && (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                files.append(String(url.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1)))
            }
        }
        var manifest = ""
        for path in files.sorted() {
            let data = (try? Data(contentsOf: root.appendingPathComponent(path))) ?? Data()
            manifest += "\(path) \(StableHash.sha256Hex(data))\n"
        }
        return StableHash.sha256Hex(manifest)
    }

    /// Runs a command and returns its trimmed standard output, or `nil` if it failed.
    static func run(_ argv: [String]) -> String? { try? Subprocess.output(argv) }
}
