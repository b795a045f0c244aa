import Figures
import Foundation
import Literate
import Support
import XCTest
@testable import Chapters
@testable import Experiments
@testable import Runner

/// A scratch copy of the workbench (experiments and chapters copied, sources linked) in a temporary folder.
struct ScratchWorkbench {
    static let repository = PackageRoot.find(from: URL(fileURLWithPath: #filePath).deletingLastPathComponent())!
    let root: URL

    init() throws {
        let fm = FileManager.default
        root = fm.temporaryDirectory.appendingPathComponent("workbench-test-\(UUID().uuidString)")
        try fm.createDirectory(at: root, withIntermediateDirectories: true)
        for folder in ["experiments", "chapters"] {
            try fm.copyItem(at: Self.repository.appendingPathComponent(folder), to: root.appendingPathComponent(folder))
        }
        try fm.createSymbolicLink(at: root.appendingPathComponent("Sources"), withDestinationURL: Self.repository.appendingPathComponent("Sources"))
    }

    var paths: WorkbenchPaths { WorkbenchPaths(root: root) }
    func url(_ path: String) -> URL { root.appendingPathComponent(path) }
    func read(_ path: String) throws -> Data { try Data(contentsOf: url(path)) }
    func remove() { try? FileManager.default.removeItem(at: root) }

    func run(_ chapter: Chapter, force: Bool = false, gnuplot: String = "gnuplot", inputs: [String: URL] = [:]) throws -> [ExperimentReport] {
        try ChapterRunner(chapter: chapter, paths: paths, options: RunOptions(profile: .smoke, force: force, quiet: true, gnuplot: gnuplot, inputs: inputs)).run()
    }
}

final class DataChapterTests: XCTestCase {
    let out = "output/data/outlier-sensitivity"

    /// The smoke profile runs end to end: figures, Markdown, verdicts, the chapter filled and passing the check.
    func testSmokeRunEndToEnd() throws {
        let w = try ScratchWorkbench()
        defer { w.remove() }
        let reports = try w.run(.data)
        XCTAssertEqual(reports.map(\.id), ["data/outlier-sensitivity"])
        XCTAssertFalse(reports[0].cached)
        XCTAssertEqual(reports[0].verdicts.map(\.id), ["minmax-loses-precision", "openvla-keeps-precision", "equal-mass-uses-all-bins", "minmax-wastes-bins"])
        for v in reports[0].verdicts { XCTAssertTrue(["supported", "not supported", "inconclusive"].contains(v.verdict)) }

        for figure in ["rmse-vs-outlier-fraction", "bin-occupancy"] {
            let png = try w.read("\(out)/\(figure).png")
            XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "\(figure).png is not a PNG")
            for ext in ["svg", "gp", "dat"] { XCTAssertTrue(FileManager.default.fileExists(atPath: w.url("\(out)/\(figure).\(ext)").path), "\(figure).\(ext)") }
        }
        let md = String(decoding: try w.read("\(out)/results.md"), as: UTF8.self)
        XCTAssertTrue(md.contains("![Binning precision under outliers](rmse-vs-outlier-fraction.png)"))
        XCTAssertTrue(md.contains("Claims and verdicts"))
        for v in reports[0].verdicts { XCTAssertTrue(md.contains(v.statement), v.statement) }

        let json = try JSONSerialization.jsonObject(with: w.read("\(out)/results.json")) as! [String: Any]
        XCTAssertEqual(json["profile"] as? String, "smoke")
        XCTAssertEqual((json["seeds"] as? [Int]), [1, 2])
        let claims = json["claims"] as! [[String: Any]]
        XCTAssertEqual(claims.count, 4)
        for c in claims { XCTAssertEqual((c["per_seed"] as? [Any])?.count, 2); XCTAssertNotNil(c["verdict"] as? String) }
        let prov = json["provenance"] as! [String: Any]
        for key in ["git_commit", "git_dirty", "toolchain", "code_sha256", "input_data_sha256", "cache_key"] { XCTAssertNotNil(prov[key], key) }
        XCTAssertEqual((json["config"] as? [String: Any])?["fit_chunks"] as? Int, 100)

        let chapter = String(decoding: try w.read("chapters/data.md"), as: UTF8.self)
        XCTAssertTrue(chapter.contains("](../output/data/outlier-sensitivity/rmse-vs-outlier-fraction.png)"))
        XCTAssertTrue(chapter.contains("override func bin(_ x: Double, dimension d: Int) -> Int"))
        // Only the data chapter ran in the scratch copy; the other chapters have no results there.
        XCTAssertEqual(Literate.checkChapters(root: w.root).map(\.description).filter { $0.hasPrefix("chapters/data.md") }, [])
    }

    /// A second run reuses the cache and changes nothing; a forced run gives the same bytes.
    func testCacheAndDeterminism() throws {
        let w = try ScratchWorkbench()
        defer { w.remove() }
        _ = try w.run(.data)
        let first = try w.read("\(out)/results.json"), chapter = try w.read("chapters/data.md"), snippet = try w.read("\(out)/results.md")
        let again = try w.run(.data)
        XCTAssertTrue(again[0].cached)
        XCTAssertEqual(again[0].verdicts.map(\.verdict), try w.run(.data, force: true)[0].verdicts.map(\.verdict))
        XCTAssertEqual(try w.read("\(out)/results.json"), first, "same seeds and profile must give the same results.json")
        XCTAssertEqual(try w.read("chapters/data.md"), chapter)
        XCTAssertEqual(try w.read("\(out)/results.md"), snippet, "a forced rerun must write the same results.md")
    }

    /// A misspelt key fails before anything runs, naming the file and the key; nothing is written.
    func testBadConfigIsNamedAndNothingIsWritten() throws {
        let w = try ScratchWorkbench()
        defer { w.remove() }
        let path = "experiments/data/outlier-sensitivity.toml"
        let text = String(decoding: try w.read(path), as: UTF8.self)
        try text.replacingOccurrences(of: "eval_chunks = 50 ", with: "eval_chunk = 50 ").write(to: w.url(path), atomically: true, encoding: .utf8)
        let before = try w.read("chapters/data.md")
        XCTAssertThrowsError(try w.run(.data)) {
            // A misspelt required key is the unknown key it is, with the key it misspells.
            XCTAssertTrue("\($0)".contains("experiments/data/outlier-sensitivity.toml: profile smoke: key 'eval_chunk': unknown key (did you mean eval_chunks?"), "\($0)")
        }
        try text.replacingOccurrences(of: "bins = 256 ", with: "bins = 256\nbnis = 3 ").write(to: w.url(path), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try w.run(.data)) {
            XCTAssertTrue("\($0)".contains("key 'bnis': unknown key"), "\($0)")
        }
        XCTAssertEqual(try w.read("chapters/data.md"), before)
        XCTAssertFalse(FileManager.default.fileExists(atPath: w.url("output").path))
    }

    /// Without gnuplot the run stops with an error that says what to install.
    func testMissingGnuplotIsAClearError() throws {
        let w = try ScratchWorkbench()
        defer { w.remove() }
        XCTAssertThrowsError(try w.run(.data, gnuplot: "/nonexistent/gnuplot")) {
            XCTAssertTrue("\($0)".contains("gnuplot"), "\($0)")
            XCTAssertTrue("\($0)".contains("/nonexistent/gnuplot"), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: w.url("output").path))
    }

    /// The committed chapters agree with the committed output/ and the sources they excerpt.
    func testCommittedChaptersPassTheCheck() {
        XCTAssertEqual(Literate.checkChapters(root: ScratchWorkbench.repository).map(\.description), [],
                       "a chapter is stale: run its chapter command (e.g. `swift run -c release chapter-data`) and commit the result")
    }

    /// Every file under experiments/ parses, with claims that name a statistic, a rule and a
    /// threshold, and sits in the folder of the chapter it names, including the files
    /// pre-registered for chapters whose code does not exist yet.
    func testEveryExperimentFileOnDiskParses() throws {
        let root = ScratchWorkbench.repository
        let folder = root.appendingPathComponent("experiments")
        var seen = 0
        for chapterDir in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() {
            let dir = folder.appendingPathComponent(chapterDir)
            guard let files = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { continue }
            for name in files.sorted() where name.hasSuffix(".toml") {
                let file = try ExperimentFile(root: root, path: "experiments/\(chapterDir)/\(name)")
                XCTAssertEqual(file.chapter, chapterDir, name)
                XCTAssertEqual(file.name + ".toml", name)
                XCTAssertFalse(file.claims.isEmpty, "\(name) has no claims")
                for p in Profile.allCases { _ = file.resolved(p) }
                seen += 1
            }
        }
        XCTAssertGreaterThanOrEqual(seen, Catalog.chapters.flatMap(\.experiments).count)
    }

    /// Every experiment file of every chapter parses and validates under every profile.
    func testEveryExperimentFileValidates() throws {
        for chapter in Catalog.chapters {
            for e in chapter.experiments {
                for profile in Profile.allCases {
                    _ = try ChapterRunner(chapter: chapter, paths: WorkbenchPaths(root: ScratchWorkbench.repository),
                                          options: RunOptions(profile: profile, quiet: true)).prepare(e)
                }
            }
        }
    }
}
