import Foundation

/// Where `scripts/install-deps.sh` puts data the chapters use by default, outside the repository.
///
/// The folder is `$VLA_WORKBENCH_DATA` when set, else `$XDG_DATA_HOME/vla-workbench`, else
/// `~/.local/share/vla-workbench`; the LASA handwriting demonstrations' `.mat` files go to its
/// `lasa` subfolder. A chapter given `--input NAME=PATH` uses that path instead.
public enum DataFolder {
    /// The data folder for the environment `env` (the process's by default).
    public static func root(environment env: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let dir = env["VLA_WORKBENCH_DATA"], !dir.isEmpty { return URL(fileURLWithPath: dir) }
        if let xdg = env["XDG_DATA_HOME"], !xdg.isEmpty { return URL(fileURLWithPath: xdg).appendingPathComponent("vla-workbench") }
        let home = env["HOME"].map { URL(fileURLWithPath: $0) } ?? FileManager.default.homeDirectoryForCurrentUser
        return home.appendingPathComponent(".local/share/vla-workbench")
    }

    /// The inputs found in the data folder: `lasa` when its folder holds at least one `.mat` file.
    public static func defaultInputs(environment env: [String: String] = ProcessInfo.processInfo.environment) -> [String: URL] {
        let lasa = root(environment: env).appendingPathComponent("lasa")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: lasa.path)) ?? []
        return files.contains { $0.hasSuffix(".mat") } ? ["lasa": lasa] : [:]
    }
}
