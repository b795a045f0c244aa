import Foundation
import Literate
import Support
import XCTest
@testable import Chapters
@testable import Experiments
@testable import Runner

/// Experiments that run only in some profiles (`runs_in`) and `--experiment`: a run that does not
/// compute an experiment keeps its last results byte for byte, refuses before any work when there
/// are none to keep, and the evaluation chapter's collapse regime is judged by the frequency
/// sweep's own rules.
final class KeptExperimentTests: XCTestCase {
    let kept = "output/foundations/rate-distortion"
    let computed = "output/foundations/token-counts"

    func run(_ w: ScratchWorkbench, only: [String]? = nil) throws -> [ExperimentReport] {
        var options = RunOptions(profile: .smoke, force: true, quiet: true)
        options.only = only
        return try ChapterRunner(chapter: .foundations, paths: w.paths, options: options).run()
    }

    /// Adds `runs_in` to the `[experiment]` table of the scratch copy's experiment file.
    func restrict(_ w: ScratchWorkbench, _ path: String, to profiles: String) throws {
        let text = String(decoding: try w.read(path), as: UTF8.self)
        let edited = text.replacingOccurrences(of: "[experiment]\n", with: "[experiment]\nruns_in = \(profiles)\n")
        XCTAssertNotEqual(edited, text, "no [experiment] table in \(path)")
        try Data(edited.utf8).write(to: w.url(path))
    }

    func testAnExperimentOutsideItsProfilesKeepsItsLastResults() throws {
        let w = try ScratchWorkbench()
        defer { w.remove() }
        let first = try run(w)
        XCTAssertEqual(first.map(\.kept), [nil, nil])
        let results = try w.read("\(kept)/results.json"), markdown = try w.read("\(kept)/results.md")

        try restrict(w, "experiments/foundations/rate-distortion.toml", to: #"["full"]"#)
        let second = try run(w)
        XCTAssertEqual(second.map(\.id), ["foundations/token-counts", "foundations/rate-distortion"])
        XCTAssertEqual(second.map(\.kept), [nil, "smoke"], "the kept block names the profile that made it")
        XCTAssertFalse(second[0].cached, "--force recomputes what the run computes")
        XCTAssertEqual(try w.read("\(kept)/results.json"), results, "kept results are not rewritten")
        XCTAssertEqual(try w.read("\(kept)/results.md"), markdown)
        XCTAssertEqual(second[1].verdicts.map(\.verdict), first[1].verdicts.map(\.verdict), "the kept verdicts are reported")
        XCTAssertEqual(Literate.checkChapters(root: w.root).filter { $0.file == "chapters/foundations.md" }.map(\.description), [],
                       "the chapter shows the kept block unchanged")

        // Nothing to keep: refused before any work, naming the folder and the command that computes it.
        try FileManager.default.removeItem(at: w.url(kept))
        let untouched = try w.read("\(computed)/results.json")
        XCTAssertThrowsError(try run(w)) { error in
            let message = String(describing: error)
            XCTAssertTrue(message.contains(kept), message)
            XCTAssertTrue(message.contains("runs only in profile full"), message)
            XCTAssertTrue(message.contains("chapter-foundations --profile full --experiment rate-distortion"), message)
        }
        XCTAssertEqual(try w.read("\(computed)/results.json"), untouched, "the refused run computed nothing")
    }

    func testExperimentComputesOnlyTheNamedOnes() throws {
        let w = try ScratchWorkbench()
        defer { w.remove() }
        _ = try run(w)
        let results = try w.read("\(kept)/results.json")
        let reports = try run(w, only: ["token-counts"])
        XCTAssertEqual(reports.map(\.kept), [nil, "smoke"])
        XCTAssertEqual(try w.read("\(kept)/results.json"), results)
    }

    func testRunsInIsReadAndChecked() throws {
        func file(_ runsIn: String?) throws -> ExperimentFile {
            try ExperimentFile(text: """
                [experiment]
                chapter = "data"
                name = "toy"
                title = "Toy"
                \(runsIn.map { "runs_in = \($0)" } ?? "")
                [profiles.smoke]
                [profiles.quick]
                [profiles.full]
                [[claims]]
                id = "x"
                statement = "x"
                statistic = "x"
                compare = ">"
                threshold = 1
                scale = "log"
                rationale = "x"
                """, path: "experiments/data/toy.toml")
        }
        XCTAssertEqual(try file(nil).runsIn, Profile.allCases, "every profile by default")
        XCTAssertEqual(try file(#"["full", "smoke"]"#).runsIn, [.smoke, .full])
        XCTAssertFalse(try file(#"["full"]"#).runs(in: .quick))
        XCTAssertThrowsError(try file(#"["fast"]"#)) { error in
            let message = String(describing: error)
            XCTAssertTrue(message.contains("experiments/data/toy.toml") && message.contains("runs_in") && message.contains("smoke, quick, full"), message)
        }
        XCTAssertThrowsError(try file("[]")) { error in XCTAssertTrue(String(describing: error).contains("runs_in"), "\(error)") }
    }

    /// The collapse regime is the frequency sweep at its lowest and highest rates: the same model,
    /// training, data sizes and settings, judged by the sweep's rules copied unchanged.
    func testTheCollapseRegimeIsTheSweepAtItsHighestRates() throws {
        let root = ScratchWorkbench.repository
        let sweep = try ExperimentFile(root: root, path: "experiments/evaluation/frequency-sweep.toml")
        let collapse = try ExperimentFile(root: root, path: "experiments/evaluation/collapse-regime.toml")
        XCTAssertEqual(collapse.runsIn, [.smoke, .full], "hours on two cores: not in quick")
        XCTAssertFalse(collapse.claims.isEmpty)
        for claim in collapse.claims {
            XCTAssertEqual(sweep.claims.first { $0.id == claim.id }, claim, "\(claim.id) is not the frequency sweep's rule")
        }
        XCTAssertTrue(collapse.claims.contains { $0.id == "binning-collapses-to-copying" }, "claim (c) is the reason for the block")
        let full = collapse.resolved(.full), quick = sweep.resolved(.quick), sweepFull = sweep.resolved(.full)
        for key in ["policy", "train_examples", "test_examples", "nfe_ablation", "baseline", "compressor"] {
            XCTAssertEqual(full[key]?.canonicalJSON, quick[key]?.canonicalJSON, key)
        }
        for name in ["minmax", "fast"] { XCTAssertEqual(full["settings"]?[name]?.canonicalJSON, quick["settings"]?[name]?.canonicalJSON, name) }
        XCTAssertEqual(full["policy_settings"]?["flow"]?.canonicalJSON, quick["policy_settings"]?["flow"]?.canonicalJSON)
        XCTAssertEqual(full["rates_steps"]?.canonicalJSON, "[25,400,800]")
        // Its rates are the sweep's lowest and the full profile's two highest.
        guard case .array(let rates)? = sweepFull["rates_steps"], case .int(let lowest)? = rates.first,
              case .int(let highest)? = rates.last else { return XCTFail("frequency-sweep.toml: rates_steps") }
        XCTAssertEqual([lowest, highest], [25, 800])
    }
}
