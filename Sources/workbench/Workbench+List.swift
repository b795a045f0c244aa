import ArgumentParser
import Chapters
import Foundation
import Literate
import Policies
import Tokenizers
import Experiments
import Runner

extension Workbench {
    /// Lists chapters, experiments, claims, tokenizers and continuous policies.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List chapters, their experiments and claims, the registered tokenizers and the continuous policies.")

        @OptionGroup var root: RootOption

        func run() throws {
            let paths = try root.paths()
            print("Chapters (run one with `swift run chapter-<slug>`):")
            for slug in Catalog.slugs {
                guard let chapter = Catalog.chapter(slug) else {
                    print("  \(slug) — no experiments yet")
                    continue
                }
                print("  \(slug) — \(chapter.command), \(chapter.filePath)")
                for e in chapter.experiments {
                    let file = try ExperimentFile(root: paths.root, path: e.filePath)
                    print("    \(e.id): \(file.title) [\(e.filePath)]")
                    for c in file.claims {
                        print("      claim \(c.id): \(c.statement)")
                        print("        rule: \(c.ruleText); scale: \(c.scale.rawValue) (\(c.scale.intervalMethod))")
                    }
                }
            }
            print("\nTokenizers (registry names):")
            for t in TokenizerRegistry.all {
                print("  \(t.name.padding(toLength: 12, withPad: " ", startingAt: 0)) \(t.family.padding(toLength: 8, withPad: " ", startingAt: 0)) \(t.title)")
            }
            print("\nContinuous policies (registry names; experiments' [parameters.policy_settings]):")
            for p in PolicyRegistry.all {
                print("  \(p.name.padding(toLength: 12, withPad: " ", startingAt: 0)) \(p.summary)")
            }
        }
    }

    /// Fails when a chapter's generated block is stale or was edited by hand.
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that every generated block in chapters/*.md matches output/ and the source it excerpts.",
            discussion: "The claims ledger in chapters/claims.md is compared with what experiments/claims-ledger.toml and the results.json files give now, and every results folder's files with the hashes its results.json records (so a file from another run is found). Exits non-zero and names the file, line and marker of every stale, hand-edited or malformed block or file.")

        @OptionGroup var root: RootOption

        func run() throws {
            let paths = try root.paths()
            let problems = ClaimsLedger.checkChapters(root: paths.root)
            if problems.isEmpty {
                print("workbench check: every generated block in chapters/ is up to date")
                return
            }
            for p in problems { FileHandle.standardError.write(Data("\(p)\n".utf8)) }
            FileHandle.standardError.write(Data("workbench check: \(problems.count) problem(s)\n".utf8))
            throw ExitCode(1)
        }
    }
}
