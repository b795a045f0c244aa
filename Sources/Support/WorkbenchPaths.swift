import Foundation

/// The workbench's folder layout, the only place it is spelled out.
///
/// ```text
/// <root>/Package.swift, Sources/
/// <root>/experiments/<chapter>/<name>.toml      one experiment file per experiment
/// <root>/experiments/claims-ledger.toml         the audit's claims and the experiments testing them
/// <root>/chapters/<slug>.md                     the book's chapters, with generated blocks
/// <root>/output/<chapter>/<name>/               one experiment's results (results.json, results.md, figures)
/// <root>/output/.cache/<chapter>/               cells of an interrupted chapter run
/// <root>/output/.cache/<chapter>.writer.lock     held by the run writing the chapter
/// ```
///
/// Every other module takes paths from here: relative paths (`String`, for messages and links)
/// and their URLs under ``root``.
public struct WorkbenchPaths: Sendable {
    /// The package root (holds Package.swift, experiments/, chapters/, output/).
    public let root: URL

    public init(root: URL) { self.root = root.standardizedFileURL }

    /// The root found from the current directory, else from where this binary was built.
    public static func locate() throws -> WorkbenchPaths {
        guard let root = PackageRoot.find() ?? PackageRoot.ofBuild() else {
            throw ConfigError(location: FileManager.default.currentDirectoryPath, key: "",
                              problem: "not inside the workbench (no Package.swift with an experiments/ folder here or above); run from the repository or pass --root")
        }
        return WorkbenchPaths(root: root)
    }

    // MARK: Relative paths (the layout)

    /// `experiments`: the folder of experiment files.
    public static let experimentsFolder = "experiments"
    /// `chapters`: the folder of chapter files.
    public static let chaptersFolder = "chapters"
    /// `output`: the folder of results.
    public static let outputFolder = "output"
    /// `experiments/claims-ledger.toml`.
    public static let claimsLedgerFile = "\(experimentsFolder)/claims-ledger.toml"
    /// The folders and files whose changes make a result's commit "dirty" (what the code hash and
    /// the experiment files cover).
    public static let inputsOfResults = codeFiles + [experimentsFolder]
    /// The package's code: what the code hash covers, and what a scratch copy links to.
    public static let codeFiles = ["Sources", "Package.swift"]

    /// `experiments/<chapter>/<name>.toml`.
    public static func experimentFile(chapter: String, name: String) -> String { "\(experimentsFolder)/\(chapter)/\(name).toml" }
    /// `chapters/<slug>.md`.
    public static func chapterFile(_ slug: String) -> String { "\(chaptersFolder)/\(slug).md" }
    /// `output/<id>` for a result id `<chapter>/<name>`.
    public static func outputFolder(_ id: String) -> String { "\(outputFolder)/\(id)" }
    /// `output/<id>/results.json`.
    public static func resultsJSON(_ id: String) -> String { "\(outputFolder(id))/results.json" }
    /// `output/<id>/results.md`: the snippet a chapter's `<!-- result: <id> -->` block embeds.
    public static func resultsMarkdown(_ id: String) -> String { "\(outputFolder(id))/results.md" }
    /// `output/.cache/<chapter>.writer.lock`: held by the one run that writes the chapter (beside
    /// its cell folder, which a finished run removes).
    public static func writerLock(_ chapter: String) -> String { "\(outputFolder)/.cache/\(chapter).writer.lock" }
    /// `output/.cache/<chapter>`: the cells an interrupted run of the chapter left.
    public static func cellCacheFolder(_ chapter: String) -> String { "\(outputFolder)/.cache/\(chapter)" }

    // MARK: URLs under the root

    /// A path relative to the root as a URL.
    public func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    /// `output/<chapter>/<experiment>/`.
    public func outputDirectory(_ experimentID: String) -> URL { url(Self.outputFolder(experimentID)) }

    /// `url`'s path relative to the root when it lies below it, else its full path (for messages).
    public func relative(_ url: URL) -> String {
        let r = root.path
        return url.path.hasPrefix(r + "/") ? String(url.path.dropFirst(r.count + 1)) : url.path
    }
}
