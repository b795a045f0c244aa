import XCTest
@testable import Literate

final class RenderTests: XCTestCase {
    let provenancePrefix = "<!-- generated: do not edit by hand; regenerate with the chapter command; sha256:"

    func testResultBlockIsReplacedInPlace() throws {
        let text = "# Data\n\nBefore.\n<!-- result: data/outliers -->\nstale text\n<!-- end result -->\nAfter.\n"
        let sources = memorySources(results: ["data/outliers": "\n| f | rmse |\n|---|---|\n| 0.1 | 2.0 |\n\n\n"])
        let rendered = try Literate.render(text, file: "chapters/data.md", sources: sources)
        let content = "| f | rmse |\n|---|---|\n| 0.1 | 2.0 |\n"
        XCTAssertEqual(rendered, "# Data\n\nBefore.\n<!-- result: data/outliers -->\n"
                       + provenancePrefix + Literate.checksum(content) + " -->\n"
                       + content + "<!-- end result -->\nAfter.\n")
    }

    func testCodeBlockIsReplacedWithFencedExcerpt() throws {
        let text = "Intro\n<!-- code: Sources/T/M.swift#encode -->\n<!-- end code -->"
        let sources = memorySources(code: ["Sources/T/M.swift#encode": "func f() {\n    1\n}"])
        let rendered = try Literate.render(text, file: "c.md", sources: sources)
        let content = "```swift\nfunc f() {\n    1\n}\n```\n"
        // No trailing newline after the closing marker in the input, none in the output.
        XCTAssertEqual(rendered, "Intro\n<!-- code: Sources/T/M.swift#encode -->\n"
                       + Literate.provenanceLine(for: content) + "\n" + content + "<!-- end code -->")
    }

    func testChecksumIsFirst16HexOfSHA256OfContent() {
        // sha256("hello\n") = 5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03
        XCTAssertEqual(Literate.checksum("hello\n"), "5891b5b522d5df08")
        XCTAssertEqual(Literate.provenanceLine(for: "hello\n"),
                       "<!-- generated: do not edit by hand; regenerate with the chapter command; sha256:5891b5b522d5df08 -->")
    }

    func testTextOutsideBlocksIsPreservedByteForByte() throws {
        let outside1 = "  Trailing spaces   \n\n\t<!-- TODO: keep -->\n```\n<!-- result: x/y -->\n```\n"
        let outside2 = "\n\n\nLast line without newline"
        let text = outside1 + "   <!-- result: a/b -->  \nold\n <!-- end result -->\t\n" + outside2
        let rendered = try Literate.render(text, file: "c.md", sources: memorySources(results: ["a/b": "new"]))
        XCTAssertTrue(rendered.hasPrefix(outside1 + "   <!-- result: a/b -->  \n"))
        XCTAssertTrue(rendered.hasSuffix("new\n <!-- end result -->\t\n" + outside2))
    }

    func testRenderIsIdempotent() throws {
        let text = "a\n<!-- result: a/b -->\n<!-- end result -->\nb\n<!-- code: x.py#r -->\n<!-- end code -->\n"
        let sources = memorySources(results: ["a/b": "![f](../output/a/b/f.png)\n"], code: ["x.py#r": "print(1)"])
        let once = try Literate.render(text, file: "c.md", sources: sources)
        XCTAssertNotEqual(once, text)
        XCTAssertEqual(try Literate.render(once, file: "c.md", sources: sources), once)
        XCTAssertEqual(Literate.check(once, file: "c.md", sources: sources), [])
    }

    func testOnlySelectedBlocksAreFilled() throws {
        let text = "<!-- result: a/b -->\n<!-- end result -->\n<!-- result: a/c -->\n<!-- end result -->\n<!-- code: x.swift#r -->\n<!-- end code -->\n"
        let sources = memorySources(results: ["a/b": "B", "a/c": "C"], code: ["x.swift#r": "r"])
        let rendered = try Literate.render(text, file: "c.md", sources: sources, only: ["a/c", "x.swift#r"])
        let markers = try Literate.markers(in: rendered, file: "c.md")
        XCTAssertEqual(markers.map(\.content), ["", "C\n", "```swift\nr\n```\n"])
        XCTAssertEqual(markers.map(\.isFilled), [false, true, true])
    }

    func testEmptySnippetGivesEmptyContent() throws {
        let rendered = try Literate.render("<!-- result: a/b -->\n<!-- end result -->\n", file: "c.md",
                                           sources: memorySources(results: ["a/b": "\n  \n"]))
        XCTAssertEqual(rendered, "<!-- result: a/b -->\n" + Literate.provenanceLine(for: "") + "\n<!-- end result -->\n")
    }

    func testSnippetThatWouldBreakMarkersIsRefused() {
        let text = "<!-- result: a/b -->\n<!-- end result -->\n"
        for snippet in ["```\nunclosed\n", "text\n<!-- end result -->\n"] {
            XCTAssertThrowsError(try Literate.render(text, file: "c.md", sources: memorySources(results: ["a/b": snippet]))) {
                guard case LiterateError.unsafeContent(let key, _) = $0 else { return XCTFail("\($0)") }
                XCTAssertEqual(key, "a/b")
            }
        }
        // Marker syntax inside a fence in the snippet is fine, and survives a second render.
        let sources = memorySources(results: ["a/b": "```\n<!-- end result -->\n```\n"])
        XCTAssertNoThrow(try {
            let once = try Literate.render(text, file: "c.md", sources: sources)
            XCTAssertEqual(try Literate.render(once, file: "c.md", sources: sources), once)
        }())
    }

    func testMissingSourceIsAnError() {
        let text = "<!-- result: a/b -->\n<!-- end result -->\n"
        XCTAssertThrowsError(try Literate.render(text, file: "c.md", sources: memorySources())) {
            XCTAssertEqual($0 as? LiterateError, .missingResult(id: "a/b", path: "output/a/b/results.md"))
        }
    }
}
