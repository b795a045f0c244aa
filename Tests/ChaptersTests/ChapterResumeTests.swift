import Foundation
import XCTest
@testable import Chapters
@testable import Experiments
@testable import Runner

/// A chapter run that fails after its models are trained keeps them, and the next run uses them.
///
/// The failure is forced after the computation: `output/training` is a plain file, so the results
/// folder cannot be written. Every kept cell's success rate is then overwritten with a sentinel.
/// A resumed run must report the sentinel (it read the cells instead of retraining), delete the
/// kept cells once the chapter is written, and `--force` must recompute from scratch.
final class ChapterResumeTests: XCTestCase {
    let sentinel = 0.4375

    func successRates(_ w: ScratchWorkbench) throws -> [Double] {
        let json = try JSONSerialization.jsonObject(with: w.read("output/training/codebook-size/results.json")) as! [String: Any]
        let metrics = json["metrics"] as! [[String: Any]]
        return metrics.filter { $0["metric"] as? String == "success_rate" }.flatMap { $0["per_seed"] as! [Double] }
    }

    func testInterruptedRunResumesFromItsCellsAndClearsThem() throws {
        let w = try ScratchWorkbench()
        defer { w.remove() }
        let fm = FileManager.default
        let cache = w.url("output/.cache/training")
        try fm.createDirectory(at: w.url("output"), withIntermediateDirectories: true)
        try Data("not a folder".utf8).write(to: w.url("output/training"))

        XCTAssertThrowsError(try w.run(.training), "writing under a plain file must fail")
        let kept = try fm.contentsOfDirectory(at: cache, includingPropertiesForKeys: nil).filter { $0.pathExtension == "json" }
        var tampered = 0
        for file in kept {
            // A kept cell is {"description": …, "value": the cell's result}.
            guard var stored = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any],
                  var cell = stored["value"] as? [String: Any], cell["successRate"] != nil else { continue }
            cell["successRate"] = sentinel
            stored["value"] = cell
            try JSONSerialization.data(withJSONObject: stored).write(to: file)
            tampered += 1
        }
        XCTAssertGreaterThan(tampered, 0, "the failed run kept no codebook-size cells in \(cache.path)")
        try fm.removeItem(at: w.url("output/training"))
        let resumed = try w.run(.training)
        XCTAssertEqual(resumed.map(\.cached), [false, false])
        let rates = try successRates(w)
        XCTAssertFalse(rates.isEmpty)
        XCTAssertEqual(rates, [Double](repeating: sentinel, count: rates.count), "the resumed run retrained instead of reading its cells")
        XCTAssertFalse(fm.fileExists(atPath: cache.path), "kept cells must be deleted once the chapter is written")

        _ = try w.run(.training, force: true)
        XCTAssertNotEqual(try successRates(w), rates, "--force must recompute rather than reuse anything")
    }

    /// An experiment whose seeds are cells of `RunContext.cell` (here the data chapter's) resumes the same way.
    func testSeedCellsOfAnExperimentAreResumed() throws {
        let w = try ScratchWorkbench()
        defer { w.remove() }
        let fm = FileManager.default
        let cache = w.url("output/.cache/data")
        try fm.createDirectory(at: w.url("output"), withIntermediateDirectories: true)
        try Data("not a folder".utf8).write(to: w.url("output/data"))
        XCTAssertThrowsError(try w.run(.data), "writing under a plain file must fail")

        // Every seed's cell is kept; set every relative RMSE in them to the sentinel.
        let kept = try fm.contentsOfDirectory(at: cache, includingPropertiesForKeys: nil).filter { $0.pathExtension == "json" }
        var seeds: [String] = []
        for file in kept {
            guard var stored = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any],
                  let description = stored["description"] as? String, description.hasPrefix("data/outlier-sensitivity · seed "),
                  var value = stored["value"] as? [String: Any], var cells = value["cells"] as? [Any] else { continue }
            seeds.append(description)
            // A dictionary with struct keys is stored as [key, value, key, value, ...].
            for i in stride(from: 1, to: cells.count, by: 2) {
                guard var cell = cells[i] as? [String: Any], let errors = cell["relativeRMSE"] as? [Any] else { continue }
                cell["relativeRMSE"] = errors.map { _ in sentinel }
                cells[i] = cell
            }
            value["cells"] = cells
            stored["value"] = value
            try JSONSerialization.data(withJSONObject: stored).write(to: file)
        }
        let file = try ExperimentFile(root: w.root, path: "experiments/data/outlier-sensitivity.toml")
        guard case .array(let smokeSeeds)? = file.resolved(.smoke)["seeds"] else { return XCTFail("no smoke seeds") }
        XCTAssertEqual(seeds.count, smokeSeeds.count, "one kept cell per seed: \(seeds)")

        try fm.removeItem(at: w.url("output/data"))
        _ = try w.run(.data)
        let results = try ResultsFile(data: w.read("output/data/outlier-sensitivity/results.json"), path: "results.json")
        let rmse = results.metrics.filter { $0.metric == "relative_rmse_continuous" }.flatMap(\.perSeed)
        XCTAssertFalse(rmse.isEmpty)
        XCTAssertTrue(rmse.allSatisfy { abs($0 - sentinel) < 1e-12 }, "the resumed run recomputed instead of reading its cells: \(rmse.prefix(4))")
        XCTAssertFalse(fm.fileExists(atPath: cache.path), "kept cells must be deleted once the chapter is written")
    }
}
