import Figures
import Experiments
import Foundation
import Metrics
import Support

/// Writes one experiment's results folder: figures, `results.json` and `results.md`.
struct ResultsWriter {
    let file: ExperimentFile
    let profile: Profile
    let seeds: [UInt64]
    let config: ParameterValue
    let outcome: ExperimentOutcome
    let verdicts: [Verdict]
    let provenance: Provenance
    let cacheKey: String
    let renderer: FigureRenderer

    /// Renders and writes everything into `directory` (a fresh staging folder).
    func write(into directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var figureFiles: [String] = []
        for case let .figure(figure, _) in outcome.blocks {
            let r = try renderer.render(figure, into: directory)
            figureFiles += [r.png, r.svg, r.script, r.data].map(\.lastPathComponent)
        }
        try AtomicFile.write(markdown(), to: directory.appendingPathComponent("results.md"))
        // results.json records every other file's hash, so a file from another run is found.
        var r = results(figureFiles: figureFiles)
        for f in figureFiles + ["results.md"] {
            r.fileHashes[f] = StableHash.sha256Hex(try Data(contentsOf: directory.appendingPathComponent(f)))
        }
        try AtomicFile.write(try r.encoded(), to: directory.appendingPathComponent("results.json"))
    }

    /// The machine-readable results.
    func results(figureFiles: [String]) -> ResultsFile {
        ResultsFile(file: file, profile: profile, seeds: seeds, config: config, outcome: outcome, verdicts: verdicts,
                    provenance: provenance, cacheKey: cacheKey, files: figureFiles + ["results.json", "results.md"])
    }

    /// The self-contained Markdown snippet embedded into the chapter.
    func markdown() -> String {
        var out: [String] = []
        let seedText = seeds.count == 1 ? "seed \(seeds[0])" : "\(seeds.count) seeds (\(seeds.map(String.init).joined(separator: ", ")))"
        let commit = provenance.gitCommit == "unknown" ? "unknown commit" : "commit `\(provenance.gitCommit.prefix(10))`\(provenance.gitDirty ? " with uncommitted changes" : "")"
        let machine = provenance.machine
        out.append("**\(file.title)** — profile `\(profile.rawValue)`, \(seedText); \(commit); \(machine.cpuModel), OpenBLAS kernel `\(machine.blasKernel)`, engine built for `\(machine.engineTargetCPU)`; input data `sha256:\(outcome.inputDataHash.prefix(12))`. Parameters and rules: [`\(file.path)`](../../../\(file.path)); raw numbers: [results.json](results.json).")
        var figureNumber = 0, tableNumber = 0
        for block in outcome.blocks {
            switch block {
            case let .figure(f, caption):
                figureNumber += 1
                out.append("![\(f.title)](\(f.name).png)\n\n*Figure \(figureNumber). \(caption)* ([SVG](\(f.name).svg), [gnuplot script](\(f.name).gp), [data](\(f.name).dat))")
            case let .table(t, caption):
                tableNumber += 1
                out.append("*Table \(tableNumber). \(caption)*\n\n\(t.markdown)")
            case .text(let s):
                out.append(s)
            }
        }
        let n = seeds.count * outcome.unitsPerSeed
        let units = outcome.unitsPerSeed == 1 ? "seed\(n == 1 ? "" : "s")"
            : "units (\(outcome.unitDescription) each, \(seeds.count) seed\(seeds.count == 1 ? "" : "s") × \(outcome.unitsPerSeed); \"seed\" below means such a unit)"
        var rows: [[String]] = []
        for v in verdicts {
            rows.append([v.claim.statement, "`\(v.claim.ruleText)`", v.claim.scale.rawValue, Format.interval(v.summary), v.seedsText, v.outcome.mark])
        }
        out.append("*Claims and verdicts.* Each rule and each statistic's scale were fixed in the experiment file before the run. The measured value summarises \(n) \(units) on the statistic's scale: on `log`, the geometric mean and the Student-t interval of the logs; on `proportion`, `difference` and `correlation`, the mean and the Student-t interval cut to the statistic's range; on `ordinal`, the majority class (the median class when no class has more than half the seeds) and every seed's class, with no interval; elsewhere the mean and its Student-t interval (all 95 %). A claim is supported when the whole interval satisfies the rule (ordinal: every seed), not supported when the whole interval violates it (ordinal: every seed), and inconclusive otherwise. *Seeds holding* counts the seeds whose own value satisfies the rule; ⚠ marks a verdict whose seeds straddle or nearly touch the threshold, which a rerun on another machine may change.\n\n"
                   + MarkdownTable(header: ["claim", "rule", "scale", "measured", "seeds holding", "verdict"], rows: rows, align: ["l", "l", "l", "r", "r", "l"]).markdown)
        for v in verdicts where !v.claim.rationale.isEmpty {
            out.append("- *\(v.claim.id)*: \(v.claim.rationale)")
        }
        return out.joined(separator: "\n\n") + "\n"
    }
}
