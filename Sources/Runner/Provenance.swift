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

    /// Reads the provenance of the package at `root`; `chapter` (a slug) narrows the code hash to
    /// the code that chapter runs (see ``codeHash(root:chapter:)``).
    public static func current(root: URL, machine: Machine = Machine(), chapter: String? = nil) -> Provenance {
        let commit = run(["git", "-C", root.path, "rev-parse", "HEAD"]) ?? "unknown"
        let status = run(["git", "-C", root.path, "status", "--porcelain", "--untracked-files=no", "--"] + WorkbenchPaths.inputsOfResults)
        let swift = run(["swift", "--version"])?.split(separator: "\n").first.map(String.init) ?? "unknown"
        return Provenance(gitCommit: commit, gitDirty: !(status ?? "").isEmpty, toolchain: swift,
                          codeHash: codeHash(root: root, chapter: chapter), machine: machine)
    }

    /// Modules under `Sources/` that no chapter executable links (checked against `Package.swift`
    /// by the package tests), left out of every chapter's code hash.
    public static let modulesNoChapterLinks = ["Benchmarks", "workbench"]

    /// SHA-256 over the sorted paths and contents of `Package.swift` and every file under `Sources/`
    /// except the Markdown documentation (a README edit changes no result).
    ///
    /// With `chapter` (a slug), the files that chapter cannot run are left out: the other chapters'
    /// folders under `Sources/Chapters/` (a chapter never uses another's types; the package tests
    /// check it), the other `chapter-*` executables, and ``modulesNoChapterLinks``. So a change to
    /// one chapter's experiments leaves the other chapters' results current.
    ///
    /// This, not the git commit, keys the cache: committing results must not invalidate them.
    public static func codeHash(root: URL, chapter: String? = nil) -> String {
        var files = ["Package.swift"]
        let sources = root.appendingPathComponent("Sources")
        if let e = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: [.isRegularFileKey]) {
            for case let url as URL in e where url.pathExtension != "md"
                && (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                let path = String(url.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1))
                if let chapter, !runs(path, chapter: chapter) { continue }
                files.append(path)
            }
        }
        var manifest = ""
        for path in files.sorted() {
            let data = (try? Data(contentsOf: root.appendingPathComponent(path))) ?? Data()
            manifest += "\(path) \(StableHash.sha256Hex(data))\n"
        }
        return StableHash.sha256Hex(manifest)
    }

    /// Whether the source file at `path` (relative to the root) can take part in running `chapter`.
    static func runs(_ path: String, chapter: String) -> Bool {
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count >= 3, parts[0] == "Sources" else { return true }
        if modulesNoChapterLinks.contains(parts[1]) { return false }
        if parts[1].hasPrefix("chapter-") { return parts[1] == "chapter-\(chapter)" }
        if parts[1] == "Chapters", parts.count >= 4 { return parts[2].lowercased() == chapter.lowercased() }
        return true
    }

    /// Runs a command and returns its trimmed standard output, or `nil` if it failed.
    static func run(_ argv: [String]) -> String? { try? Subprocess.output(argv) }
}
