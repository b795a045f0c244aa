import ArgumentParser
import Engine
import Foundation
import Support
import Experiments

/// The command line every `chapter-<slug>` executable shares.
public struct ChapterCommand: ParsableCommand {
    /// The chapter this executable runs (set by ``main(_:)`` before parsing).
    nonisolated(unsafe) static var chapter = Chapter(slug: "chapter", title: "", experiments: [])

    public static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: chapter.command,
            abstract: "Run the \(chapter.slug) chapter's experiments, write \(WorkbenchPaths.outputFolder(chapter.slug))/ and update \(chapter.filePath).",
            discussion: """
            Experiments: \(chapter.experiments.map(\.id).joined(separator: ", ")).

            Parameters, seeds and each claim's decision rule are in experiments/\(chapter.slug)/*.toml. \
            An unchanged experiment is reused from output/ (its cache key covers the configuration, \
            profile, seeds, claims and source code); --force recomputes it. An interrupted run keeps \
            its finished cells (e.g. trained models' results) under output/.cache/ and resumes from \
            them when rerun with the same settings; --force discards them. One run writes a chapter \
            at a time: a second one fails at once naming the first (or waits, with --wait). An \
            experiment whose file names the profiles it runs in (`runs_in`) is not computed in the \
            others: the chapter keeps its last results, labelled with their profile.

            Inputs this chapter reads: \(chapter.inputs.isEmpty ? "none" : chapter.inputs.map { "\($0.name) (\($0.what))" }.joined(separator: ", ")).

            \(ExitStatus.helpText)
            """)
    }

    @Option(help: "Profile: smoke (seconds), quick (minutes), full (paper-grade).")
    var profile: String = Profile.default.rawValue

    @Option(parsing: .unconditional, help: "First seed, 0...2147483647; the profile's seed count is kept (seeds become SEED, SEED+1, ...).")
    var seed: UInt64?

    @Flag(help: "Recompute even when a cached result matches, discarding cells kept by an interrupted run.")
    var force = false

    @Flag(help: "When another run is writing this chapter, wait for it to finish instead of failing.")
    var wait = false

    @Option(help: "The gnuplot executable.")
    var gnuplot = "gnuplot"

    @Option(help: "The workbench root (default: found from the current directory).")
    var root: String?

    @Option(name: .customLong("input"), help: "User data, NAME=PATH (repeatable), e.g. --input lasa=/path/to/lasa-mat-files; without it, data that scripts/install-deps.sh put in the data folder (see DataFolder) is used.")
    var inputs: [String] = []

    @Option(help: "Processes that train the chapter's models side by side, one engine thread each (default: one per core; 1 runs everything in this process). Results are the same bits either way.")
    var processes: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(parsing: .unconditional, help: "Compute only part I of N of the chapter's cells (0 <= I < N, e.g. one part per Slurm array task; see scripts/slurm/), waiting for other running shards' cells where a later step needs them, and write nothing else; a run without --shard then writes the chapter from the stored cells, computing whatever no shard finished.")
    var shard: String?

    @Option(name: .customLong("experiment"), help: "Compute only this experiment (its file name, e.g. frequency-sweep; repeatable); the chapter's other blocks keep their last results.")
    var only: [String] = []

    @Option(help: .hidden)
    var helper: Int?

    public init() {}

    /// Rejects a first seed beyond the experiment files' seed range (0...2147483647) before any work.
    public func validate() throws {
        if let seed, seed > UInt64(Int32.max) {
            throw ValidationError("--seed must be in 0...\(Int32.max), the range of the experiment files' seeds; got \(seed)")
        }
        let names = Self.chapter.experiments.map(\.name)
        for name in only where !names.contains(name) {
            let hint = Suggestion.closest(to: name, in: names).map { " (did you mean \($0)?)" } ?? ""
            throw ValidationError("--experiment: \(Self.chapter.command) has no experiment '\(name)'\(hint); its experiments: \(names.joined(separator: ", "))")
        }
        if let shard {
            guard CellCache.Shard(shard) != nil else {
                throw ValidationError("--shard expects I/N with whole numbers 0 <= I < N (e.g. 0/4), got \"\(shard)\"")
            }
            if force { throw ValidationError("--force cannot be combined with --shard: it would discard the other shards' cells") }
        }
    }

    /// Runs the chapter; an error is printed as its message (never Foundation's raw text) and ends
    /// the process with its ``Support/ExitStatus``.
    public func run() throws {
        do { try runChapter() } catch let error where !(error is ValidationError) && !(error is ExitCode) {
            FileHandle.standardError.write(Data("error: \(ExitStatus.message(error))\n".utf8))
            throw ExitCode(ExitStatus.of(error).rawValue)
        }
    }

    func runChapter() throws {
        guard let p = Profile(rawValue: profile) else {
            throw ValidationError("unknown profile '\(profile)'; expected one of: \(Profile.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let paths = try root.map { WorkbenchPaths(root: URL(fileURLWithPath: $0)) } ?? WorkbenchPaths.locate()
        var named = try Self.parseInputs(inputs)
        for name in named.keys.sorted() { _ = try ChapterRunner.input(named: name, in: Self.chapter) }  // before the notices below
        let reads = Set(Self.chapter.inputs.map(\.name))
        for (name, url) in DataFolder.defaultInputs().sorted(by: { $0.key < $1.key }) where named[name] == nil && reads.contains(name) {
            print("using --input \(name)=\(url.path) (installed by scripts/install-deps.sh; pass --input \(name)=PATH to use other data)")
            named[name] = url
        }
        guard processes >= 1 else { throw ValidationError("--processes must be at least 1, got \(processes)") }
        var options = Self.options(profile: p, baseSeed: seed, force: force, gnuplot: gnuplot, inputs: named)
        options.processes = processes
        options.helperIndex = helper
        options.waitForWriter = wait
        options.shard = shard.flatMap { CellCache.Shard($0) }
        options.only = only.isEmpty ? nil : only
        if let helper {
            guard helper >= 1 else { throw ValidationError("--helper must be at least 1, got \(helper)") }
            Parallel.setThreads(1)
        } else if shard != nil, processes == 1 {
            Parallel.setThreads(1)  // a shard is given cores as processes (a Slurm task's CPUs), one engine thread each
        } else if processes > 1 {
            var arguments = ["--profile", p.rawValue, "--gnuplot", gnuplot, "--root", paths.root.path, "--processes", String(processes)]
            arguments += seed.map { ["--seed", String($0)] } ?? []
            arguments += shard.map { ["--shard", $0] } ?? []
            arguments += only.flatMap { ["--experiment", $0] }
            arguments += named.keys.sorted().flatMap { ["--input", "\($0)=\(named[$0]!.path)"] }
            options.helperCommand = (Self.executable, arguments)
        }
        let reports = try ChapterRunner(chapter: Self.chapter, paths: paths, options: options).run()
        if helper == nil, shard == nil { print(VerdictSummary.text(chapter: Self.chapter, reports: reports)) }
    }

    /// This executable's file, to start helpers from.
    static var executable: URL {
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return URL(fileURLWithPath: target) }
        return Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
    }

    /// `--input NAME=PATH` items as a map from name to an existing file or folder.
    ///
    /// A malformed item or a name given twice is a usage error (exit 64); a path with nothing there
    /// is a wrong input (a ``Support/ConfigError``, exit 65), as a missing file is everywhere else.
    public static func parseInputs(_ items: [String]) throws -> [String: URL] {
        var named: [String: URL] = [:]
        for item in items {
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex else { throw ValidationError("--input expects NAME=PATH, got \"\(item)\"") }
            let url = URL(fileURLWithPath: String(item[item.index(after: eq)...]))
            let name = String(item[..<eq])
            if let earlier = named[name] { throw ValidationError("--input \(name) is given twice (\(earlier.path) and \(url.path)); give each name once") }
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw ConfigError(location: "--input", key: name, problem: "\(url.path): no such file or folder")
            }
            named[name] = url
        }
        return named
    }

    /// Run options for this process, with the machine's BLAS kernel and engine build recorded.
    public static func options(profile: Profile, baseSeed: UInt64? = nil, force: Bool = false, quiet: Bool = false,
                               gnuplot: String = "gnuplot", inputs: [String: URL] = [:]) -> RunOptions {
        var o = RunOptions(profile: profile, baseSeed: baseSeed, force: force, quiet: quiet, gnuplot: gnuplot, inputs: inputs)
        o.machine = Provenance.Machine(blasKernel: BLAS.coreName, engineTargetCPU: BLAS.engineTargetCPU)
        return o
    }

    /// Parses the command line and runs `chapter`; errors are printed and exit non-zero.
    public static func main(_ chapter: Chapter) {
        BLAS.useFastestKernel()
        Self.chapter = chapter
        main()
    }
}

/// The verdict summary printed at the end of a chapter run.
public enum VerdictSummary {
    public static func text(chapter: Chapter, reports: [ExperimentReport]) -> String {
        var lines = ["", "\(chapter.title) chapter — verdicts"]
        for r in reports {
            lines.append("  \(r.id)" + (r.kept.map { " (not computed in this run; kept from its last run, profile \($0))" } ?? (r.cached ? " (cached)" : "")))
            for v in r.verdicts {
                lines.append("    [\(v.verdict)] \(v.statement) — measured \(v.measured)")
            }
        }
        lines.append("Chapter text: \(chapter.filePath)")
        return lines.joined(separator: "\n")
    }
}
