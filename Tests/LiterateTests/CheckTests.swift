import XCTest
@testable import Literate

final class CheckTests: XCTestCase {
    let chapter = "# Data\n\nProse.\n<!-- result: data/outliers -->\n<!-- end result -->\n\n<!-- code: Sources/T/M.swift#encode -->\n<!-- end code -->\n"
    let results = ["data/outliers": "| f | rmse |\n| 0.1 | 2.0 |\n"]
    let code = ["Sources/T/M.swift#encode": "encode()"]

    func filled() throws -> String {
        try Literate.render(chapter, file: "chapters/data.md", sources: memorySources(results: results, code: code))
    }

    func testUpToDateChapterHasNoProblems() throws {
        XCTAssertEqual(Literate.check(try filled(), file: "chapters/data.md", sources: memorySources(results: results, code: code)), [])
    }

    func testNeverFilledBlocksAreStale() {
        let problems = Literate.check(chapter, file: "chapters/data.md", sources: memorySources(results: results, code: code))
        XCTAssertEqual(problems.map(\.kind), [.stale, .stale])
        XCTAssertEqual(problems.map(\.line), [4, 7])
        XCTAssertEqual(problems[0].description, "chapters/data.md:4: result data/outliers is stale: it has never been filled; rerun `swift run chapter-data`")
    }

    func testChangedSourceMakesBlockStale() throws {
        let text = try filled()
        var changed = results
        changed["data/outliers"] = "| f | rmse |\n| 0.1 | 2.5 |\n"
        let problems = Literate.check(text, file: "chapters/data.md", sources: memorySources(results: changed, code: code))
        XCTAssertEqual(problems.count, 1)
        XCTAssertEqual(problems[0].kind, .stale)
        XCTAssertEqual(problems[0].file, "chapters/data.md")
        XCTAssertEqual(problems[0].line, 4)
        XCTAssertEqual(problems[0].marker, "<!-- result: data/outliers -->")
        XCTAssertEqual(problems[0].description,
                       "chapters/data.md:4: result data/outliers is stale: output/data/outliers/results.md changed since it was embedded; rerun `swift run chapter-data`")
    }

    func testHandEditOverUnchangedSourceIsOnlyHandEdited() throws {
        // The source still gives what was embedded, so "stale" would be false: only the edit is reported.
        let edited = try filled().replacingOccurrences(of: "| 0.1 | 2.0 |", with: "| 0.1 | 1.0 |")
        let problems = Literate.check(edited, file: "chapters/data.md", sources: memorySources(results: results, code: code))
        XCTAssertEqual(problems.map(\.kind), [.handEdited])
        XCTAssertEqual(problems.map(\.line), [4])
        XCTAssertTrue(problems[0].description.hasPrefix("chapters/data.md:4: result data/outliers was edited by hand"), problems[0].description)
    }

    func testHandEditIsDetectedEvenWhenAlsoStale() throws {
        let edited = try filled().replacingOccurrences(of: "| 0.1 | 2.0 |", with: "| 0.1 | 1.0 |")
        let newResults = ["data/outliers": "| f | rmse |\n| 0.1 | 9.0 |\n"]
        let problems = Literate.check(edited, file: "chapters/data.md", sources: memorySources(results: newResults, code: code))
        XCTAssertEqual(problems.map(\.kind), [.handEdited, .stale])
        XCTAssertEqual(problems.map(\.line), [4, 4])
        XCTAssertTrue(problems[1].message.contains("changed since it was embedded"), problems[1].message)
    }

    func testHandEditOfCodeBlock() throws {
        let edited = try filled().replacingOccurrences(of: "encode()", with: "encode( )")
        let problems = Literate.check(edited, file: "chapters/data.md", sources: memorySources(results: results, code: code))
        XCTAssertEqual(problems.map(\.kind), [.handEdited])
        XCTAssertEqual(problems.map(\.line), [10])  // the result block above grew by provenance + 2 lines
    }

    func testHandEditMatchingNewSourceIsStillReported() throws {
        // Someone edits the chapter to what the source now says: hand-edited, and stale only in that
        // the provenance line still records the old checksum.
        let text = try filled()
        let newResults = ["data/outliers": "| f | rmse |\n| 0.1 | 9.0 |\n"]
        let edited = text.replacingOccurrences(of: "| 0.1 | 2.0 |", with: "| 0.1 | 9.0 |")
        let problems = Literate.check(edited, file: "chapters/data.md", sources: memorySources(results: newResults, code: code))
        XCTAssertEqual(problems.map(\.kind), [.handEdited, .stale])
        XCTAssertTrue(problems[1].message.contains("provenance line is out of date"), problems[1].message)
    }

    func testMissingSourceIsReported() {
        let problems = Literate.check(chapter, file: "chapters/data.md", sources: memorySources(code: code))
        XCTAssertEqual(problems.map(\.kind), [.missingSource, .stale])
        XCTAssertTrue(problems[0].message.contains("output/data/outliers/results.md"), problems[0].message)
    }

    func testMalformedChapterGivesOneProblem() {
        let problems = Literate.check("a\n<!-- result: data/x -->\n", file: "chapters/data.md", sources: memorySources())
        XCTAssertEqual(problems.count, 1)
        XCTAssertEqual(problems[0].kind, .malformed)
        XCTAssertEqual(problems[0].line, 2)
        XCTAssertTrue(problems[0].description.hasPrefix("chapters/data.md:2: malformed marker:"), problems[0].description)
    }
}
