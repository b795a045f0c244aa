import ArgumentParser
import Foundation
import Experiments
import Runner

extension Workbench {
    /// Writes the claims ledger, `chapters/claims.md`, from `experiments/claims-ledger.toml` and the results.
    struct Claims: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write chapters/claims.md: every claim of the audit, the experiment that tests it and its verdict, or why it is untested.",
            discussion: """
            The mapping from the audit's claims to experiment claims is \(ClaimsLedger.path). The command fails,
            naming the ledger's key, when the ledger names a claim no experiment file has or an experiment claim
            is listed nowhere. Measured values and verdicts come from output/<chapter>/<experiment>/results.json;
            the table is written to output/\(ClaimsLedger.resultID)/results.md and embedded in \(ClaimsLedger.chapterPath).
            """)

        @OptionGroup var root: RootOption

        func run() throws {
            let paths = try root.paths()
            let report = try ClaimsLedger.write(root: paths.root)
            print("\(report.claims) claims of the audit: \(report.tested) tested, \(report.untested) not tested yet")
            print(report.chapterChanged ? "updated \(ClaimsLedger.chapterPath)" : "\(ClaimsLedger.chapterPath) is up to date")
        }
    }
}
