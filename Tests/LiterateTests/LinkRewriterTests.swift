import XCTest
@testable import Literate

final class LinkRewriterTests: XCTestCase {
    let base = "../output/data/outlier-sensitivity"

    func testRelativeImageIsPrefixed() {
        XCTAssertEqual(LinkRewriter.rewrite("![RMSE](rmse-vs-fraction.png)\n", base: base),
                       "![RMSE](../output/data/outlier-sensitivity/rmse-vs-fraction.png)\n")
    }

    func testRelativeLinkIsPrefixedAndTitleKept() {
        XCTAssertEqual(LinkRewriter.rewrite("See the [script](rmse-vs-fraction.gp \"gnuplot\") here.", base: base),
                       "See the [script](../output/data/outlier-sensitivity/rmse-vs-fraction.gp \"gnuplot\") here.")
    }

    func testDotAndParentSegmentsAreCollapsed() {
        XCTAssertEqual(LinkRewriter.rewrite("[a](./table.csv) [b](../shared/fig.png)", base: base),
                       "[a](../output/data/outlier-sensitivity/table.csv) [b](../output/data/shared/fig.png)")
    }

    func testAbsoluteURLsAnchorsAndAbsolutePathsAreUntouched() {
        let text = "[web](https://example.org/a.png) [mail](mailto:a@b.c) [top](#results) [abs](/tmp/x.png) [net](//cdn.example.org/x.js)\n"
        XCTAssertEqual(LinkRewriter.rewrite(text, base: base), text)
    }

    func testFragmentAndQueryAreKept() {
        XCTAssertEqual(LinkRewriter.rewrite("[p](report.pdf#page=2)", base: base),
                       "[p](../output/data/outlier-sensitivity/report.pdf#page=2)")
    }

    func testHTMLImageSrcAndHrefAreRewritten() {
        let text = #"<img src="rmse.svg" width="400"> <a href='data.csv'>data</a> <a href="https://x.org">x</a>"#
        XCTAssertEqual(LinkRewriter.rewrite(text, base: base),
                       #"<img src="../output/data/outlier-sensitivity/rmse.svg" width="400"> <a href='../output/data/outlier-sensitivity/data.csv'>data</a> <a href="https://x.org">x</a>"#)
    }

    func testAngleBracketTargetsAndReferenceDefinitions() {
        let text = "![fig](<my fig.png>)\n\n[ref]: table.csv \"Table\"\n[web]: https://example.org\n"
        XCTAssertEqual(LinkRewriter.rewrite(text, base: base),
                       "![fig](<../output/data/outlier-sensitivity/my fig.png>)\n\n[ref]: ../output/data/outlier-sensitivity/table.csv \"Table\"\n[web]: https://example.org\n")
    }

    func testFootnoteDefinitionIsNotALinkDefinition() {
        let text = "[^1]: Measured over three seeds.\n"
        XCTAssertEqual(LinkRewriter.rewrite(text, base: base), text)
    }

    func testCodeIsNotRewritten() {
        let text = "Use `![x](y.png)` syntax.\n```markdown\n![x](y.png)\n```\n![x](y.png)\n"
        XCTAssertEqual(LinkRewriter.rewrite(text, base: "out"),
                       "Use `![x](y.png)` syntax.\n```markdown\n![x](y.png)\n```\n![x](out/y.png)\n")
    }

    func testBalancedParenthesesInTarget() {
        XCTAssertEqual(LinkRewriter.rewrite("[w](fig(1).png)", base: "o"), "[w](o/fig(1).png)")
    }

    func testRelativePathBetweenFolders() {
        let root = URL(fileURLWithPath: "/work/pkg")
        XCTAssertEqual(LinkRewriter.relativePath(from: root.appendingPathComponent("chapters"),
                                                 to: root.appendingPathComponent("output/data/x")),
                       "../output/data/x")
        XCTAssertEqual(LinkRewriter.relativePath(from: root, to: root), "")
        XCTAssertEqual(LinkRewriter.relativePath(from: root.appendingPathComponent("a/b"), to: root), "../..")
    }

    func testIsRelative() {
        XCTAssertTrue(LinkRewriter.isRelative("fig.png"))
        XCTAssertTrue(LinkRewriter.isRelative("sub/fig.png"))
        XCTAssertTrue(LinkRewriter.isRelative("../fig.png"))
        XCTAssertFalse(LinkRewriter.isRelative("http://a/b"))
        XCTAssertFalse(LinkRewriter.isRelative("data:image/png;base64,xx"))
        XCTAssertFalse(LinkRewriter.isRelative("#anchor"))
        XCTAssertFalse(LinkRewriter.isRelative("/abs"))
        XCTAssertFalse(LinkRewriter.isRelative(""))
    }
}
