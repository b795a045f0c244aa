import Foundation
import Support

/// The workbench's folders, all under one package root.
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

    /// `output/<chapter>/<experiment>/`.
    public func outputDirectory(_ experimentID: String) -> URL {
        root.appendingPathComponent("output").appendingPathComponent(experimentID)
    }

    /// A path relative to the root as a URL.
    public func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }
}
