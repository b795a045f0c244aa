import Foundation
import Literate
import XCTest
@testable import Chapters
@testable import Experiments
@testable import Runner

/// Every chapter with experiments runs end to end in the smoke profile.
final class CatalogSmokeTests: XCTestCase {
    /// With the data `scripts/install-deps.sh` installs (the LASA demonstrations), as the chapter
    /// commands use it; an experiment whose data is not installed reports that and measures nothing.
    func testEveryChapterRunsEndToEndInTheSmokeProfile() throws {
        let installed = DataFolder.defaultInputs()
        for chapter in Catalog.chapters {
            let w = try ScratchWorkbench()
            defer { w.remove() }
            // An experiment that reads other chapters' results (the future chapter's bottom line)
            // reads the committed ones, copied into the scratch copy as `workbench verify` copies them.
            try ChapterVerifier.copyResultsRead(by: chapter, from: ScratchWorkbench.repository, to: w.root)
            let reads = Set(chapter.inputs.map(\.name))
            let reports = try w.run(chapter, inputs: installed.filter { reads.contains($0.key) })
            XCTAssertEqual(reports.map(\.id), chapter.experiments.map(\.id))
            for (report, experiment) in zip(reports, chapter.experiments) {
                let file = try ExperimentFile(root: w.root, path: experiment.filePath)
                XCTAssertEqual(report.verdicts.map(\.id), file.claims.map(\.id), report.id)
                for v in report.verdicts { XCTAssertTrue(["supported", "not supported", "inconclusive"].contains(v.verdict), "\(report.id) \(v.id): \(v.verdict)") }
                let json = try JSONSerialization.jsonObject(with: w.read("output/\(report.id)/results.json")) as! [String: Any]
                for name in json["files"] as! [String] {
                    XCTAssertTrue(FileManager.default.fileExists(atPath: w.url("output/\(report.id)/\(name)").path), "\(report.id)/\(name)")
                }
                let missing = experiment.inputs.contains { installed[$0.name] == nil }
                if !missing { XCTAssertFalse((json["metrics"] as! [Any]).isEmpty, report.id) }
            }
            // Only this chapter was run in the scratch copy; the others have no results there.
            XCTAssertEqual(Literate.checkChapters(root: w.root).map(\.description).filter { $0.hasPrefix(chapter.filePath) }, [], chapter.slug)
        }
    }
}
