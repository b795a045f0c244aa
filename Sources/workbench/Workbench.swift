import ArgumentParser
import Chapters
import Engine
import Foundation
import Experiments
import Runner
import Support

/// `workbench`: cross-chapter work — list what exists, check the chapters, run benchmarks.
@main
struct Workbench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workbench",
        abstract: "VLA Workbench: cross-chapter commands.",
        discussion: "Each chapter has its own command, e.g. `swift run chapter-data`.",
        subcommands: [List.self, Check.self, Claims.self, Verify.self, Tokenize.self, Bench.self])

    /// Switches OpenBLAS to the processor's fastest kernel (see `BLAS.useFastestKernel`), then runs.
    static func main() {
        BLAS.useFastestKernel()
        main(nil)
    }
}

/// Shared `--root` option.
struct RootOption: ParsableArguments {
    @Option(help: "The workbench root (default: found from the current directory).")
    var root: String?

    func paths() throws -> WorkbenchPaths {
        try root.map { WorkbenchPaths(root: URL(fileURLWithPath: $0)) } ?? WorkbenchPaths.locate()
    }
}
