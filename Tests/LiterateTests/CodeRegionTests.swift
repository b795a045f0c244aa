import XCTest
@testable import Literate

final class CodeRegionTests: XCTestCase {
    let source = """
    struct MinMaxBinning {
        // region: encode
        func encode(_ x: Double) -> Int {
            let t = (x - low) / (high - low)

            return Int(t * Double(bins))
        }
        // endregion: encode
    }

    """

    func testRegionIsDedentedLinesStrictlyBetweenMarkers() throws {
        XCTAssertEqual(try CodeRegion.extract("encode", from: source), """
        func encode(_ x: Double) -> Int {
            let t = (x - low) / (high - low)

            return Int(t * Double(bins))
        }
        """)
    }

    func testFencedWithLanguageFromExtension() {
        XCTAssertEqual(CodeRegion.fenced("a()\n  b()", path: "Sources/X/Y.swift"), "```swift\na()\n  b()\n```\n")
        XCTAssertEqual(CodeRegion.fenced("x = 1", path: "scripts/plot.py"), "```python\nx = 1\n```\n")
        XCTAssertEqual(CodeRegion.fenced("int x;", path: "Sources/_GnuplotBridge/bridge.cpp"), "```cpp\nint x;\n```\n")
        XCTAssertEqual(CodeRegion.fenced("[a]", path: "experiments/x.toml"), "```toml\n[a]\n```\n")
        XCTAssertEqual(CodeRegion.fenced("ls", path: "scripts/run.sh"), "```sh\nls\n```\n")
    }

    func testFenceIsLongerThanBackticksInside() {
        XCTAssertEqual(CodeRegion.fenced("/// ```\n/// x\n/// ```\n```", path: "a.swift"),
                       "````swift\n/// ```\n/// x\n/// ```\n```\n````\n")
    }

    func testHashCommentsAndNestedRegionMarkersAreDropped() throws {
        let py = "def f():\n    # region: body\n    a = 1\n    # region: inner\n    b = 2\n    # endregion: inner\n    # endregion: body\n"
        XCTAssertEqual(try CodeRegion.extract("body", from: py), "a = 1\nb = 2")
        XCTAssertEqual(try CodeRegion.extract("inner", from: py), "b = 2")
    }

    func testRegionFailures() {
        XCTAssertThrowsError(try CodeRegion.extract("decode", from: source)) {
            XCTAssertEqual($0 as? CodeRegion.Failure, .notFound(region: "decode"))
        }
        XCTAssertThrowsError(try CodeRegion.extract("r", from: "x\n// region: r\ny\n")) {
            XCTAssertEqual($0 as? CodeRegion.Failure, .unterminated(region: "r", line: 2))
        }
        XCTAssertThrowsError(try CodeRegion.extract("r", from: "// endregion: r\n// region: r\n// endregion: r\n")) {
            XCTAssertEqual($0 as? CodeRegion.Failure, .endBeforeStart(region: "r", line: 1))
        }
        XCTAssertThrowsError(try CodeRegion.extract("r", from: "// region: r\n// endregion: r\n// region: r\n")) {
            XCTAssertEqual($0 as? CodeRegion.Failure, .duplicate(region: "r", first: 1, second: 3))
        }
    }

    func testDedentKeepsRelativeIndentAndEmptiesBlankLines() {
        XCTAssertEqual(CodeRegion.dedent(["    a", "      b", "   ", "    c"]), ["a", "  b", "", "c"])
        XCTAssertEqual(CodeRegion.dedent(["\tx", "\t\ty"]), ["x", "\ty"])
    }
}
