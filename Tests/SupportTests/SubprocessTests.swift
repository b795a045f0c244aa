import XCTest
import Support

/// Running other programs: output, status and errors that name the command.
final class SubprocessTests: XCTestCase {
    func testCapturesBothStreamsAndTheStatus() throws {
        let r = try Subprocess.run(["/bin/sh", "-c", "echo out; echo err >&2; exit 3"])
        XCTAssertEqual(r.status, 3)
        XCTAssertEqual(r.standardOutput, "out\n")
        XCTAssertEqual(r.standardError, "err\n")
    }

    /// A name without a slash is looked up on PATH; the output comes back trimmed.
    func testOutputLooksUpNamesAndTrims() throws {
        XCTAssertEqual(try Subprocess.output(["sh", "-c", "printf '  hello \\n\\n'"]), "hello")
    }

    /// A non-zero status and a program that cannot start are errors naming the command line.
    func testFailuresNameTheCommand() {
        XCTAssertThrowsError(try Subprocess.output(["/bin/sh", "-c", "echo broken >&2; exit 2"])) { error in
            XCTAssertEqual("\(error)", "`/bin/sh -c echo broken >&2; exit 2` exited with status 2: broken")
        }
        XCTAssertThrowsError(try Subprocess.run(["/nonexistent/program", "--flag"])) { error in
            XCTAssertTrue("\(error)".hasPrefix("`/nonexistent/program --flag` cannot be started"), "\(error)")
        }
        XCTAssertThrowsError(try Subprocess.run([]))
    }

    /// A program that fills the standard error pipe (beyond its 64 KiB buffer) before it writes
    /// standard output does not block: both streams are read at once.
    func testLargeOutputOnBothStreamsDoesNotBlock() throws {
        let r = try Subprocess.run(["/bin/sh", "-c", "head -c 300000 /dev/zero | tr '\\0' e >&2; head -c 300000 /dev/zero | tr '\\0' o"])
        XCTAssertEqual(r.status, 0)
        XCTAssertEqual(r.standardError.count, 300_000)
        XCTAssertEqual(r.standardOutput.count, 300_000)
        XCTAssertTrue(r.standardOutput.allSatisfy { $0 == "o" } && r.standardError.allSatisfy { $0 == "e" })
    }
}
