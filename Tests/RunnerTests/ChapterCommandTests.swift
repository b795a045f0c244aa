import ArgumentParser
import XCTest
@testable import Runner

/// The chapter command line rejects values the experiments cannot take before any work.
final class ChapterCommandTests: XCTestCase {
    /// A first seed beyond the files' 0...2147483647 is a usage error naming `--seed` (it trapped
    /// on overflow once); the largest allowed seed parses.
    func testASeedBeyondTheFilesRangeIsAUsageError() throws {
        for seed in ["9223372036854775807", "2147483648"] {
            XCTAssertThrowsError(try ChapterCommand.parse(["--seed", seed]), seed) { error in
                XCTAssertTrue(ChapterCommand.message(for: error).contains("--seed must be in 0...2147483647"), ChapterCommand.message(for: error))
                XCTAssertEqual(ChapterCommand.exitCode(for: error), .validationFailure)
            }
        }
        XCTAssertEqual(try ChapterCommand.parse(["--seed", "2147483647"]).seed, 2_147_483_647)
        // A negative seed is a wrong value of --seed, not a missing one.
        XCTAssertThrowsError(try ChapterCommand.parse(["--seed", "-1"])) { error in
            let message = ChapterCommand.message(for: error)
            XCTAssertTrue(message.contains("-1") && message.contains("--seed"), message)
            XCTAssertFalse(message.contains("Missing value"), message)
        }
    }
}
