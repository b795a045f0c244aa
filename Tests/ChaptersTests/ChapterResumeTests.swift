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
}
