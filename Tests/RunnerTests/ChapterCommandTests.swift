import ArgumentParser
import XCTest
@testable import Runner
import Support

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

    /// `--shard` takes I/N with 0 <= I < N and refuses `--force` (which would discard the other
    /// shards' cells); both are usage errors naming the option.
    func testABadShardIsAUsageError() throws {
        for bad in ["2/2", "-1/2", "1", "a/2", "1/0"] {
            XCTAssertThrowsError(try ChapterCommand.parse(["--shard", bad]), bad) { error in
                let message = ChapterCommand.message(for: error)
                XCTAssertTrue(message.contains("--shard") && message.contains(bad), message)
                XCTAssertEqual(ChapterCommand.exitCode(for: error), .validationFailure, message)
            }
        }
        XCTAssertThrowsError(try ChapterCommand.parse(["--shard", "0/2", "--force"])) { error in
            XCTAssertTrue(ChapterCommand.message(for: error).contains("--force cannot be combined with --shard"), ChapterCommand.message(for: error))
        }
        XCTAssertEqual(try ChapterCommand.parse(["--shard", "1/2"]).shard, "1/2")
    }

    /// `--input` with nothing at its path is a wrong input (exit 65, no usage line), as a missing
    /// `--fit` file is in `workbench tokenize`; a malformed item or a name given twice stays a
    /// usage error.
    func testAMissingInputPathIsAWrongInput() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-lasa-\(UUID().uuidString)").path
        XCTAssertThrowsError(try ChapterCommand.parseInputs(["lasa=\(missing)"])) { error in
            XCTAssertTrue(error is ConfigError, "\(type(of: error))")
            XCTAssertEqual(ExitStatus.of(error), .badInput)
            XCTAssertEqual("\(error)", "--input: key 'lasa': \(missing): no such file or folder")
        }
        XCTAssertThrowsError(try ChapterCommand.parseInputs(["=/tmp"])) { XCTAssertTrue($0 is ValidationError, "\(type(of: $0))") }
        let here = FileManager.default.temporaryDirectory.path
        XCTAssertThrowsError(try ChapterCommand.parseInputs(["lasa=\(here)", "lasa=\(here)"])) { XCTAssertTrue($0 is ValidationError, "\(type(of: $0))") }
        XCTAssertEqual(try ChapterCommand.parseInputs(["lasa=\(here)"]).mapValues(\.path), ["lasa": here])
    }
}
