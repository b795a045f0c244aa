import Foundation

/// Locates the workbench's package root (the folder holding `Package.swift`).
public enum PackageRoot {
    /// The nearest folder at or above `start` (default: the current directory) that holds both
    /// `Package.swift` and `experiments/`, or `nil`.
    public static func find(from start: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) -> URL? {
        var dir = start.standardizedFileURL
        let fm = FileManager.default
        while true {
            if fm.fileExists(atPath: dir.appendingPathComponent("Package.swift").path),
               fm.fileExists(atPath: dir.appendingPathComponent("experiments").path) {
                return dir
            }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { return nil }
            dir = parent
        }
    }

    /// The package root this binary was built from (from the compile-time source path).
    public static func ofBuild(filePath: String = #filePath) -> URL? {
        find(from: URL(fileURLWithPath: filePath).deletingLastPathComponent())
    }
}
