import ArgumentParser
import Chapters
import Foundation
import Experiments
import Runner

extension Workbench {
    /// The reviewer's command: reruns a chapter in a scratch copy and compares claims and metrics.
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rerun a chapter in a scratch copy and compare every claim and metric; exits non-zero if a verdict changed.",
            discussion: """
            Nothing under output/ or chapters/ is written. When the committed results.json files were made with
            the requested profile, the rerun is compared with them. Otherwise (e.g. --profile smoke against the
            committed quick results) a fresh run of that profile in the scratch copy is the reference and the
            rerun, with the same seeds, must reproduce it. Metric moves are in half-widths of the reference's
            95 % interval.
            """)

        @Argument(help: "The chapter slug, e.g. data or evaluation.") var chapter: String
        @Option(help: "Profile: smoke (seconds), quick (minutes), full (paper-grade).") var profile = Profile.default.rawValue
        @Option(help: "First seed (the reference is then always a fresh run).") var seed: UInt64?
        @Option(help: "The gnuplot executable.") var gnuplot = "gnuplot"
        @Option(name: .customLong("input"), help: "User data, NAME=PATH (repeatable), as for the chapter command.") var inputs: [String] = []
        @OptionGroup var root: RootOption

        func run() throws {
            guard let chapter = Catalog.chapter(self.chapter) else {
                throw ValidationError("unknown chapter '\(self.chapter)'; chapters with experiments: \(Catalog.chapters.map(\.slug).joined(separator: ", "))")
            }
            guard let p = Profile(rawValue: profile) else {
                throw ValidationError("unknown profile '\(profile)'; expected one of: \(Profile.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let options = ChapterCommand.options(profile: p, baseSeed: seed, quiet: true, gnuplot: gnuplot,
                                                 inputs: try ChapterCommand.parseInputs(inputs))
            let report = try ChapterVerifier(chapter: chapter, paths: try root.paths(), options: options).run { print("... \($0)") }
            print(report)
            if !report.allVerdictsHeld { throw ExitCode(1) }
        }
    }
}
