import XCTest
@testable import Literate

final class FileSystemTests: XCTestCase {
    let chapter = """
    # Data

    <!-- result: data/outlier-sensitivity -->
    <!-- end result -->

    The encoder:

    <!-- code: Sources/Tokenizers/MinMaxBinning.swift#encode -->
    <!-- end code -->

    """
    let results = "## Outlier sensitivity\n\n![RMSE](rmse-vs-fraction.png)\n\n[script](rmse-vs-fraction.gp) · [paper](https://arxiv.org/abs/1) · [below](#notes)\n"
    let swiftSource = "public struct MinMaxBinning {\n    // region: encode\n    public func encode(_ x: Double) -> Int {\n        Int(x)\n    }\n    // endregion: encode\n}\n"

    func makeRoot() throws -> TempRoot {
        let root = try TempRoot()
        try root.write("chapters/data.md", chapter)
        try root.write("output/data/outlier-sensitivity/results.md", results)
        try root.write("Sources/Tokenizers/MinMaxBinning.swift", swiftSource)
        return root
    }

    func testUpdateFillsBlocksWithRewrittenLinks() throws {
        let root = try makeRoot()
        let changed = try Literate.update(chapterFile: root.url.appendingPathComponent("chapters/data.md"), sources: root.sources(chapter: "data.md"))
        XCTAssertTrue(changed)
        let resultContent = "## Outlier sensitivity\n\n![RMSE](../output/data/outlier-sensitivity/rmse-vs-fraction.png)\n\n[script](../output/data/outlier-sensitivity/rmse-vs-fraction.gp) · [paper](https://arxiv.org/abs/1) · [below](#notes)\n"
        let codeContent = "```swift\npublic func encode(_ x: Double) -> Int {\n    Int(x)\n}\n```\n"
        XCTAssertEqual(try root.read("chapters/data.md"), """
        # Data

        <!-- result: data/outlier-sensitivity -->
        \(Literate.provenanceLine(for: resultContent))
        \(resultContent)<!-- end result -->

        The encoder:

        <!-- code: Sources/Tokenizers/MinMaxBinning.swift#encode -->
        \(Literate.provenanceLine(for: codeContent))
        \(codeContent)<!-- end code -->

        """)
        XCTAssertEqual(Literate.checkChapters(root: root.url), [])
    }

    func testSecondUpdateChangesNothing() throws {
        let root = try makeRoot()
        let file = root.url.appendingPathComponent("chapters/data.md")
        XCTAssertTrue(try Literate.update(chapterFile: file, sources: root.sources(chapter: "data.md")))
        let past = Date(timeIntervalSince1970: 1_000_000_000)
        try FileManager.default.setAttributes([.modificationDate: past], ofItemAtPath: file.path)
        let bytes = try root.bytes("chapters/data.md")
        XCTAssertFalse(try Literate.update(chapterFile: file, sources: root.sources(chapter: "data.md")))
        XCTAssertEqual(try root.bytes("chapters/data.md"), bytes)
        let mtime = try FileManager.default.attributesOfItem(atPath: file.path)[.modificationDate] as? Date
        XCTAssertEqual(mtime, past)
    }

    func testCheckChaptersFindsStaleAndHandEditedBlocks() throws {
        let root = try makeRoot()
        try root.write("chapters/intro.md", "# Intro\nNo blocks.\n")
        let file = root.url.appendingPathComponent("chapters/data.md")
        try Literate.update(chapterFile: file, sources: root.sources(chapter: "data.md"))

        try root.write("output/data/outlier-sensitivity/results.md", results + "\nOne more line.\n")
        var problems = Literate.checkChapters(root: root.url)
        XCTAssertEqual(problems.map(\.description), [
            "chapters/data.md:3: result data/outlier-sensitivity is stale: output/data/outlier-sensitivity/results.md changed since it was embedded; rerun `swift run chapter-data`",
        ])

        try Literate.update(chapterFile: file, sources: root.sources(chapter: "data.md"))
        XCTAssertEqual(Literate.checkChapters(root: root.url), [])
        let text = try root.read("chapters/data.md")
        try root.write("chapters/data.md", text.replacingOccurrences(of: "Int(x)", with: "Int(y)"))
        problems = Literate.checkChapters(root: root.url)
        XCTAssertEqual(problems.map(\.kind), [.handEdited])  // the source is unchanged: not stale
        XCTAssertEqual(Set(problems.map(\.line)), [16])  // the result block grew by 2 lines
        XCTAssertEqual(problems.first?.file, "chapters/data.md")
    }

    func testMalformedChapterIsLeftByteIdentical() throws {
        let root = try makeRoot()
        let broken = chapter + "\n<!-- result: data/outlier-sensitivity -->\n<!-- result: data/other -->\n<!-- end result -->\n"
        try root.write("chapters/data.md", broken)
        let file = root.url.appendingPathComponent("chapters/data.md")
        XCTAssertThrowsError(try Literate.update(chapterFile: file, sources: root.sources(chapter: "data.md"), displayPath: "chapters/data.md")) {
            XCTAssertEqual("\($0)".components(separatedBy: ": malformed").first, "chapters/data.md:12")
        }
        XCTAssertEqual(try root.bytes("chapters/data.md"), Data(broken.utf8))

        let otherBreaks: [(String, Int)] = [
            (chapter + "<!-- end result -->\n", 10),                        // end without opening
            (chapter + "<!-- result: data/x -->\n", 10),                    // opening without end
            (chapter + "x\n<!-- result: data/Bad_ID -->\n<!-- end result -->\n", 11),
        ]
        for (text, line) in otherBreaks {
            try root.write("chapters/data.md", text)
            XCTAssertEqual(malformedLine { try Literate.update(chapterFile: file, sources: root.sources(chapter: "data.md")) }, line)
            XCTAssertEqual(try root.bytes("chapters/data.md"), Data(text.utf8))
        }
    }

    func testMissingResultsFileIsClearErrorAndFileUntouched() throws {
        let root = try makeRoot()
        try FileManager.default.removeItem(at: root.url.appendingPathComponent("output/data/outlier-sensitivity/results.md"))
        let file = root.url.appendingPathComponent("chapters/data.md")
        XCTAssertThrowsError(try Literate.update(chapterFile: file, sources: root.sources(chapter: "data.md"))) {
            XCTAssertEqual($0 as? LiterateError, .missingResult(id: "data/outlier-sensitivity", path: "output/data/outlier-sensitivity/results.md"))
            XCTAssertTrue("\($0)".contains("output/data/outlier-sensitivity/results.md not found"), "\($0)")
        }
        XCTAssertEqual(try root.read("chapters/data.md"), chapter)
        let problems = Literate.checkChapters(root: root.url)
        XCTAssertEqual(problems.map(\.kind), [.missingSource, .stale])
    }

    func testMissingRegionAndMissingFileNameThePath() throws {
        let root = try makeRoot()
        try root.write("Sources/Tokenizers/MinMaxBinning.swift", "struct M {}\n")
        let file = root.url.appendingPathComponent("chapters/data.md")
        XCTAssertThrowsError(try Literate.update(chapterFile: file, sources: root.sources(chapter: "data.md"))) { error in
            guard case LiterateError.missingCode(let path, let region, let reason) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(path, "Sources/Tokenizers/MinMaxBinning.swift")
            XCTAssertEqual(region, "encode")
            XCTAssertTrue(reason.contains("no `// region: encode` line"), reason)
            XCTAssertTrue("\(error)".contains("Sources/Tokenizers/MinMaxBinning.swift"))
        }
        try FileManager.default.removeItem(at: root.url.appendingPathComponent("Sources/Tokenizers/MinMaxBinning.swift"))
        XCTAssertThrowsError(try root.sources(chapter: "data.md").code("Sources/Tokenizers/MinMaxBinning.swift", "encode")) {
            XCTAssertTrue("\($0)".contains("file Sources/Tokenizers/MinMaxBinning.swift not found"), "\($0)")
        }
        XCTAssertEqual(try root.read("chapters/data.md"), chapter)
    }

    func testCheckChaptersWithoutChaptersFolder() throws {
        let root = try TempRoot()
        let problems = Literate.checkChapters(root: root.url)
        XCTAssertEqual(problems.map(\.kind), [.unreadable])
    }
}
