import Foundation
import XCTest
@testable import Chapters
@testable import Experiments
@testable import Runner

/// A chapter run that fails after its models are trained keeps them, and the next run uses them.
///
/// The failure is forced after the computation: a gnuplot that fails every figure, so the results
/// folder cannot be written. Every kept cell's success rate is then overwritten with a sentinel.
/// A resumed run must report the sentinel (it read the cells instead of retraining), delete the
/// kept cells once the chapter is written, and `--force` must recompute from scratch.
final class ChapterResumeTests: XCTestCase {
    let sentinel = 0.4375

    func successRates(_ w: ScratchWorkbench) throws -> [Double] {
        let json = try JSONSerialization.jsonObject(with: w.read("output/training/codebook-size/results.json")) as! [String: Any]
        let metrics = json["metrics"] as! [[String: Any]]
        // The judged recipe's success; the earlier recipe's policies (condition `recipe`) are rows of their own in the cells.
        return metrics.filter { $0["metric"] as? String == "success_rate" && ($0["condition"] as? [String: Any])?["recipe"] == nil }
            .flatMap { $0["per_seed"] as! [Double] }
    }

    /// Where `chapter`'s run keeps its cells until the chapter is written.
    func cache(_ w: ScratchWorkbench, _ chapter: Chapter) -> URL { w.url("output/.cache/\(chapter.slug)") }

    /// Runs `chapter` so that it fails after its computation (gnuplot fails every figure, so
    /// its results cannot be written) and returns the cell files the failed run kept.
    func failedRunKeptCells(_ w: ScratchWorkbench, _ chapter: Chapter) throws -> [URL] {
        let fm = FileManager.default
        // A gnuplot that answers the version check and fails every figure: the run computes
        // everything, then fails while writing (every output path is checked before the work, so
        // an unwritable folder no longer gets this far).
        let failing = w.url("failing-gnuplot")
        try Data("""
            #!/bin/sh
            input=$(cat)
            case "$input" in *GPVAL_VERSION*) printf '%s\\n' "$input" | gnuplot "$@"; exit $?;; esac
            echo "simulated gnuplot failure" >&2
            exit 1
            """.utf8).write(to: failing)
        try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: failing.path)
        XCTAssertThrowsError(try w.run(chapter, gnuplot: failing.path), "a failing gnuplot must fail the run after the work")
        return try fm.contentsOfDirectory(at: cache(w, chapter), includingPropertiesForKeys: nil).filter { $0.pathExtension == "json" }
    }

    /// Rewrites a kept cell file, `{"description": …, "value": the cell's result}`, when `change`
    /// changes its JSON object (returns true); returns whether it did.
    func rewrite(_ file: URL, _ change: (inout [String: Any]) -> Bool) throws -> Bool {
        guard var stored = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any], change(&stored) else { return false }
        try JSONSerialization.data(withJSONObject: stored).write(to: file)
        return true
    }

    /// Runs `chapter` again with the real gnuplot; the kept cells must be deleted once the chapter is written.
    func resume(_ w: ScratchWorkbench, _ chapter: Chapter) throws -> [ExperimentReport] {
        let reports = try w.run(chapter)
        XCTAssertFalse(FileManager.default.fileExists(atPath: cache(w, chapter).path), "kept cells must be deleted once the chapter is written")
        return reports
    }

    func testInterruptedRunResumesFromItsCellsAndClearsThem() throws {
        let w = try ScratchWorkbench()
        defer { w.remove() }
        var tampered = 0
        for file in try failedRunKeptCells(w, .training) {
            let changed = try rewrite(file) { stored in
                guard var cell = stored["value"] as? [String: Any], cell["successRate"] != nil else { return false }
                cell["successRate"] = sentinel
                stored["value"] = cell
                return true
            }
            if changed { tampered += 1 }
        }
        XCTAssertGreaterThan(tampered, 0, "the failed run kept no codebook-size cells in \(cache(w, .training).path)")
        let resumed = try resume(w, .training)
        XCTAssertEqual(resumed.map(\.cached), [false, false])
        let rates = try successRates(w)
        XCTAssertFalse(rates.isEmpty)
        XCTAssertEqual(rates, [Double](repeating: sentinel, count: rates.count), "the resumed run retrained instead of reading its cells")

        _ = try w.run(.training, force: true)
        XCTAssertNotEqual(try successRates(w), rates, "--force must recompute rather than reuse anything")
    }

    /// An experiment whose seeds are cells of `RunContext.cell` (here the data chapter's) resumes the same way.
    func testSeedCellsOfAnExperimentAreResumed() throws {
        let w = try ScratchWorkbench()
        defer { w.remove() }
        // Every seed's cell is kept; set every relative RMSE in them to the sentinel.
        var seeds: [String] = []
        for file in try failedRunKeptCells(w, .data) {
            _ = try rewrite(file) { stored in
                guard let description = stored["description"] as? String, description.hasPrefix("data/outlier-sensitivity · seed "),
                      var value = stored["value"] as? [String: Any], var cells = value["cells"] as? [Any] else { return false }
                seeds.append(description)
                // A dictionary with struct keys is stored as [key, value, key, value, ...].
                for i in stride(from: 1, to: cells.count, by: 2) {
                    guard var cell = cells[i] as? [String: Any], let errors = cell["relativeRMSE"] as? [Any] else { continue }
                    cell["relativeRMSE"] = errors.map { _ in sentinel }
                    cells[i] = cell
                }
                value["cells"] = cells
                stored["value"] = value
                return true
            }
        }
        let file = try ExperimentFile(root: w.root, path: "experiments/data/outlier-sensitivity.toml")
        guard case .array(let smokeSeeds)? = file.resolved(.smoke)["seeds"] else { return XCTFail("no smoke seeds") }
        XCTAssertEqual(seeds.count, smokeSeeds.count, "one kept cell per seed: \(seeds)")

        _ = try resume(w, .data)
        let results = try ResultsFile(data: w.read("output/data/outlier-sensitivity/results.json"), path: "results.json")
        let rmse = results.metrics.filter { $0.metric == "relative_rmse_continuous" }.flatMap(\.perSeed)
        XCTAssertFalse(rmse.isEmpty)
        XCTAssertTrue(rmse.allSatisfy { abs($0 - sentinel) < 1e-12 }, "the resumed run recomputed instead of reading its cells: \(rmse.prefix(4))")
    }
}
