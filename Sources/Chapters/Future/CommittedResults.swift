import Experiments
import Foundation
import Support

/// One experiment's committed results as the bottom line reads them: its metrics and timings, each
/// a named series of per-seed values under a condition.
///
/// It is read from `output/<chapter>/<name>/results.json` and checked before use: missing results,
/// results of the smoke profile (for a run that is not smoke), and results whose configuration is
/// not what the experiment file resolves to now (stale: they answer another question) are errors
/// naming the chapter and the command that makes them.
struct CommittedResults {
    struct Series: Decodable {
        let metric: String
        let condition: [String: String]
        let perSeed: [Double?]
        enum CodingKeys: String, CodingKey { case metric, condition, perSeed = "per_seed" }
        /// The per-seed values, NaN where the file has null.
        var values: [Double] { perSeed.map { $0 ?? .nan } }
    }
    private struct File: Decodable {
        let experiment: String, profile: String
        let config: ParameterValue
        let metrics: [Series], timings: [Series]
        let provenance: Provenance
        struct Provenance: Decodable {
            let gitCommit: String
            enum CodingKeys: String, CodingKey { case gitCommit = "git_commit" }
        }
    }

    let id: String, profile: String, gitCommit: String
    let series: [Series]

    /// The results of experiment `id` under `root`, checked against its experiment file for a run of `profile`.
    static func load(root: URL, id: String, profile: Profile) throws -> CommittedResults {
        let chapter = String(id.split(separator: "/").first ?? "")
        let path = WorkbenchPaths.resultsJSON(id)
        let command = "swift run -c release chapter-\(chapter)"
        guard let data = try? Data(contentsOf: root.appendingPathComponent(path)) else {
            throw ConfigError(location: path, key: "", problem: "the \(chapter) chapter's results for \(id) are missing; the bottom line reads them: run `\(command)` first")
        }
        let file: File
        do { file = try JSONDecoder().decode(File.self, from: data) } catch {
            throw ConfigError(location: path, key: "", problem: "cannot be read as results (\(error)); rerun `\(command)`")
        }
        guard let made = Profile(rawValue: file.profile) else {
            throw ConfigError(location: path, key: "profile", problem: "unknown profile '\(file.profile)'; rerun `\(command)`")
        }
        if made == .smoke && profile != .smoke {
            throw ConfigError(location: path, key: "profile", problem: "the \(chapter) chapter's results for \(id) come from the smoke profile, which measures nothing worth ranking; run `\(command)` (quick or full) first")
        }
        let experimentFile = try ExperimentFile(root: root, path: WorkbenchPaths.experimentFile(chapter: chapter, name: String(id.split(separator: "/").last ?? "")))
        let now = experimentFile.resolved(made)
        guard Self.sameConfiguration(now, file.config) else {
            throw ConfigError(location: path, key: "config", problem: "the \(chapter) chapter's results for \(id) are stale: \(experimentFile.path) (profile \(made.rawValue)) no longer resolves to the configuration they were computed with; rerun `\(command) --profile \(made.rawValue)`")
        }
        return CommittedResults(id: id, profile: file.profile, gitCommit: file.provenance.gitCommit, series: file.metrics + file.timings)
    }

    /// Whether the file's resolved parameters and the results' configuration agree (seeds aside:
    /// results made with `--seed` answer the same question with other draws). Both pass through
    /// the results' JSON form first, which writes a whole double as an integer.
    static func sameConfiguration(_ a: ParameterValue, _ b: ParameterValue) -> Bool {
        func normalised(_ v: ParameterValue) -> String? {
            guard case .table(let entries) = v, let data = try? JSONEncoder().encode(ParameterValue.table(entries.filter { $0.key != "seeds" })),
                  let back = try? JSONDecoder().decode(ParameterValue.self, from: data) else { return nil }
            return back.canonicalJSON
        }
        guard let x = normalised(a), let y = normalised(b) else { return false }
        return x == y
    }

    /// The per-seed values of the first series of `metric` whose condition holds every pair of `matching` (nil: none).
    func values(_ metric: String, _ matching: [String: String]) -> [Double]? {
        series.first { s in s.metric == metric && matching.allSatisfy { k, v in s.condition[k] == v } }?.values
    }

    /// Every series of `metric` whose condition holds every pair of `matching`.
    func all(_ metric: String, _ matching: [String: String]) -> [Series] {
        series.filter { s in s.metric == metric && matching.allSatisfy { k, v in s.condition[k] == v } }
    }
}
