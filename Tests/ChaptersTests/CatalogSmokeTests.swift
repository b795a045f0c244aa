import Foundation
import Literate
import XCTest
@testable import Chapters
@testable import Experiments
@testable import Runner

/// Every chapter with experiments runs end to end in the smoke profile.
final class CatalogSmokeTests: XCTestCase {
    func testEveryChapterRunsEndToEndInTheSmokeProfile() throws {
        for chapter in Catalog.chapters {
            let w = try ScratchWorkbench()
            defer { w.remove() }
            let reports = try w.run(chapter)
            XCTAssertEqual(reports.map(\.id), chapter.experiments.map(\.id))
            for (report, experiment) in zip(reports, chapter.experiments) {
                let file = try ExperimentFile(root: w.root, path: experiment.filePath)
                XCTAssertEqual(report.verdicts.map(\.id), file.claims.map(\.id), report.id)
                for v in report.verdicts { XCTAssertTrue(["supported", "not supported", "inconclusive"].contains(v.verdict), "\(report.id) \(v.id): \(v.verdict)") }
                let json = try JSONSerialization.jsonObject(with: w.read("output/\(report.id)/results.json")) as! [String: Any]
                for name in json["files"] as! [String] {
                    XCTAssertTrue(FileManager.default.fileExists(atPath: w.url("output/\(report.id)/\(name)").path), "\(report.id)/\(name)")
                }
                XCTAssertFalse((json["metrics"] as! [Any]).isEmpty, report.id)
            }
            // Only this chapter was run in the scratch copy; the others have no results there.
            XCTAssertEqual(Literate.checkChapters(root: w.root).map(\.description).filter { $0.hasPrefix(chapter.filePath) }, [], chapter.slug)
        }
    }
}
