import Foundation
import XCTest
@testable import Runner

/// The data folder install-deps.sh fills: its location by environment, and LASA found only when
/// its folder holds `.mat` files.
final class DataFolderTests: XCTestCase {
    func testTheFolderFollowsTheEnvironmentInOrder() {
        XCTAssertEqual(DataFolder.root(environment: ["VLA_WORKBENCH_DATA": "/d", "XDG_DATA_HOME": "/x", "HOME": "/h"]).path, "/d")
        XCTAssertEqual(DataFolder.root(environment: ["XDG_DATA_HOME": "/x", "HOME": "/h"]).path, "/x/vla-workbench")
        XCTAssertEqual(DataFolder.root(environment: ["VLA_WORKBENCH_DATA": "", "HOME": "/h"]).path, "/h/.local/share/vla-workbench")
    }

    func testLASAIsAnInputOnlyWhenItsFolderHoldsMatFiles() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("data-folder-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let env = ["VLA_WORKBENCH_DATA": root.path]
        XCTAssertEqual(DataFolder.defaultInputs(environment: env), [:], "no folder")
        let lasa = root.appendingPathComponent("lasa")
        try FileManager.default.createDirectory(at: lasa, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: lasa.appendingPathComponent("README.txt"))
        XCTAssertEqual(DataFolder.defaultInputs(environment: env), [:], "a folder without .mat files")
        try Data("x".utf8).write(to: lasa.appendingPathComponent("Angle.mat"))
        XCTAssertEqual(DataFolder.defaultInputs(environment: env)["lasa"]?.standardizedFileURL.path, lasa.standardizedFileURL.path)
    }
}
