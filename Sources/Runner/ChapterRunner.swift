import Figures
import Experiments
import Foundation
import Literate
import Metrics
import Support

/// How a chapter run behaves: profile, seeds, cache, where gnuplot is.
public struct RunOptions: Sendable {
    /// The profile to run.
    public var profile: Profile = .default
    /// When set, seeds become `baseSeed, baseSeed + 1, ...` (as many as the profile lists).
    public var baseSeed: UInt64? = nil
    /// Recompute even when a cached result matches (and ignore cells kept by an interrupted run).
    public var force = false
    /// Silence progress lines (tests).
    public var quiet = false
    /// The gnuplot executable.
    public var gnuplot = "gnuplot"
    /// User-supplied data folders or files by name (e.g. `lasa` -> a folder of .mat files).
    public var inputs: [String: URL] = [:]
    /// The machine, recorded in each result's provenance (the executables fill in the BLAS kernel
    /// and how the engine was compiled).
    public var machine = Provenance.Machine()
    /// Processes that compute the chapter's cells (see ``HelperProcesses``): 1 runs everything
    /// here; more starts `processes - 1` helpers when there is anything to compute.
    public var processes = 1
    /// Set in a helper process: its number (1, 2, ...). A helper computes cells and writes nothing else.
    public var helperIndex: Int? = nil
    /// How to start a helper: the executable and the arguments it shares with this run (profile,
    /// seed, root, inputs, gnuplot); the runner adds the helper's number.
    public var helperCommand: (executable: URL, arguments: [String])? = nil
    /// When another run is writing the chapter: wait for it (`true`) or fail at once naming it (`false`).
    public var waitForWriter = false
    /// Set in a shard of a split run (`--shard I/N`): this process computes only its part of the
    /// cells and writes nothing else; a plain run afterwards assembles the chapter.
    public var shard: CellCache.Shard? = nil
    /// When set (`--experiment NAME`), only these experiments (file names) are computed; the
    /// chapter's other blocks keep their last results.
    public var only: [String]? = nil

    public init(profile: Profile = .default, baseSeed: UInt64? = nil, force: Bool = false, quiet: Bool = false,
                gnuplot: String = "gnuplot", inputs: [String: URL] = [:]) {
        self.profile = profile; self.baseSeed = baseSeed; self.force = force; self.quiet = quiet; self.gnuplot = gnuplot
        self.inputs = inputs
    }
}

/// What happened to one experiment in a chapter run.
public struct ExperimentReport: Sendable {
    public let id: String
    /// Whether the result came from the cache (or was kept without computing, see ``kept``).
    public let cached: Bool
    /// Set when this run did not compute the experiment and kept its last results: the profile
    /// that made them (or `none` when there are none).
    public var kept: String? = nil
    /// The results folder.
    public let directory: URL
    /// (claim id, statement, verdict, measured) for each claim.
    public let verdicts: [(id: String, statement: String, verdict: String, measured: String)]
}

/// Runs a chapter: every experiment (or its cached result), then one atomic update of the chapter file.
///
/// Nothing already written is lost: each experiment is written to a staging folder and swapped in
/// whole; the chapter file is updated only after every experiment succeeded, in one atomic write.
public struct ChapterRunner {
    public let chapter: Chapter
    public let paths: WorkbenchPaths
    public let options: RunOptions

    public init(chapter: Chapter, paths: WorkbenchPaths, options: RunOptions) {
        self.chapter = chapter; self.paths = paths; self.options = options
    }

    /// Runs everything and returns one report per experiment.
    @discardableResult
    public func run() throws -> [ExperimentReport] {
        let renderer = FigureRenderer(gnuplot: options.gnuplot)
        _ = try FigureRenderer.checkAvailable(gnuplot: options.gnuplot)
        // Read and validate every experiment file, the inputs and the chapter's markers before
        // anything is written or computed.
        let prepared = try chapter.experiments.map { try prepare($0) }
        try checkInputs()
        try checkMarkers()
        // One writer per chapter: the coordinator holds the lock for the whole run (helpers only
        // compute cells for it), and clears what an interrupted run left.
        let writer = options.helperIndex == nil && options.shard == nil ? try takeWriterLock() : nil
        defer { writer?.release() }
        if writer != nil { removeLeftovers() }
        let provenance = Provenance.current(root: paths.root, machine: options.machine, chapter: chapter.slug)
        // Cells (e.g. trained models) finished by an interrupted run with the same code and inputs.
        let inputs = options.inputs.keys.sorted().map { "\($0)=\(Self.contentHash(options.inputs[$0]!))" }.joined(separator: ",")
        var cells = CellCache(directory: paths.url(WorkbenchPaths.cellCacheFolder(chapter.slug)),
                              runKey: StableHash.sha256Hex(provenance.codeHash + "\n" + inputs))
        // Each experiment's results from an earlier run with the same cache key, read once; an
        // experiment this run does not compute (its profiles, or --experiment) is kept as it is.
        let computes = prepared.map(self.computes)
        try checkKept(zip(prepared, computes).filter { !$1 }.map(\.0))
        let cached = zip(prepared, computes).map { $1 ? cachedResult($0, provenance: provenance) : nil }
        let pending = prepared.indices.filter { computes[$0] && cached[$0] == nil }.map { prepared[$0] }
        cells.shard = options.shard
        if let index = options.helperIndex {
            cells.sharing = CellCache.Sharing(isCoordinator: false)
            try runAsHelper(index, pending, cells: cells)
            return []
        }
        if options.force { cells.clear() }
        if options.shard == nil { try checkWritable(pending.map(\.file.id)) }
        var helpers: HelperProcesses? = nil
        if options.processes > 1, !pending.isEmpty, let command = options.helperCommand {
            helpers = try HelperProcesses(count: options.processes - 1, command: command,
                                          say: ProgressReporter(label: chapter.command, quiet: options.quiet).say)
            cells.sharing = helpers!.coordinatorSharing
        }
        if let shard = options.shard {
            defer { helpers?.waitForAll() }
            do { try runAsShard(shard, pending, cells: cells) } catch { helpers?.stopAll(); throw error }
            return []
        }
        do {
            // Experiments that time themselves or read results run last, once every helper has
            // finished, so that no other process of the run computes beside them and the results
            // they read are written; the reports keep the chapter's order.
            var reports = [ExperimentReport?](repeating: nil, count: prepared.count)
            for timed in [false, true] {
                if timed { helpers?.waitForAll() }
                for (i, (p, earlier)) in zip(prepared, cached).enumerated() where p.experiment.runsLast == timed {
                    reports[i] = computes[i] ? try execute(p, cached: earlier, provenance: provenance, renderer: renderer, cells: cells)
                                             : try keep(p)
                }
            }
            let done = reports.map { $0! }
            try embed(done)
            cells.clear()
            return done
        } catch {
            helpers?.stopAll()
            throw error
        }
    }

    /// A helper's whole run: the pending experiments' cells, as far as no other process holds
    /// them; nothing is written but the cells.
    func runAsHelper(_ index: Int, _ pending: [Prepared], cells: CellCache) throws {
        for p in pending where !p.experiment.runsLast {   // timed ones and readers of results run alone, in the coordinator
            let progress = ProgressReporter(label: "helper \(index) · \(p.file.id)", quiet: options.quiet)
            if let deferred = try computeCells(p, progress: progress, cells: cells) {
                progress.say("the rest is taken by another process; moving on (\(deferred.description.prefix(60))…)")
            } else {
                progress.say("its cells are done")
            }
        }
    }

    /// Runs `p` for its cells only (the outcome is dropped): nil when it ran to the end, else the
    /// cell another process or shard has that it stopped at.
    func computeCells(_ p: Prepared, progress: ProgressReporter, cells: CellCache) throws -> CellCache.Deferred? {
        let context = RunContext(profile: options.profile, seeds: p.seeds, progress: progress, inputs: options.inputs, cells: cells,
                                 claims: p.file.claims, experimentID: p.file.id, parameters: p.resolved.canonicalJSON, root: paths.root)
        do {
            _ = try p.experiment.run(p.config, context)
            return nil
        } catch let deferred as CellCache.Deferred {
            return deferred
        }
    }

    /// Whether this run computes `p`: its file runs in this profile (`runs_in`) and `--experiment`
    /// names it or is not given.
    func computes(_ p: Prepared) -> Bool {
        p.file.runs(in: options.profile) && (options.only.map { $0.contains(p.file.name) } ?? true)
    }

    /// Why this run does not compute `p` (for progress lines and errors).
    func whyKept(_ p: Prepared) -> String {
        p.file.runs(in: options.profile)
            ? "not named by --experiment"
            : "runs only in profile\(p.file.runsIn.count == 1 ? "" : "s") \(p.file.runsIn.map(\.rawValue).joined(separator: ", "))"
    }

    /// Checks, before any work, that every experiment this run keeps has complete results to keep
    /// when the chapter embeds them; else the error says how to compute them.
    func checkKept(_ kept: [Prepared]) throws {
        let url = paths.url(chapter.filePath)
        let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        let embedded = Set(((try? Literate.markers(in: text, file: chapter.filePath)) ?? []).compactMap { m -> String? in
            if case .result(let id) = m.kind { return id }
            return nil
        })
        for p in kept where embedded.contains(p.file.id) && ResultsFile.complete(in: paths.outputDirectory(p.file.id), id: p.file.id) == nil {
            let profile = p.file.runs(in: options.profile) ? options.profile : p.file.runsIn.last!
            throw ConfigError(location: WorkbenchPaths.outputFolder(p.file.id), key: "",
                              problem: "no complete results to keep for \(chapter.filePath) (\(p.file.name) \(whyKept(p))); compute them with `swift run -c release \(chapter.command) --profile \(profile.rawValue) --experiment \(p.file.name)`")
        }
    }

    /// Reports `p` from its last results without computing it (see ``computes(_:)``).
    func keep(_ p: Prepared) throws -> ExperimentReport {
        let progress = ProgressReporter(label: p.file.id, quiet: options.quiet)
        let folder = paths.outputDirectory(p.file.id)
        guard let last = ResultsFile.complete(in: folder, id: p.file.id) else {
            progress.say("\(whyKept(p)); it has no results in \(relative(folder)) and the chapter does not show it")
            return ExperimentReport(id: p.file.id, cached: true, kept: "none", directory: folder, verdicts: [])
        }
        progress.say("\(whyKept(p)); keeping \(relative(folder)) from its last run (profile \(last.profile))")
        return ExperimentReport(id: p.file.id, cached: true, kept: last.profile, directory: folder,
                                verdicts: last.claims.map { ($0.id, $0.statement, $0.verdict, Format.interval($0.summary)) })
    }

    /// The complete results of `p` from an earlier run, when their cache key matches this run's.
    func cachedResult(_ p: Prepared, provenance: Provenance) -> ResultsFile? {
        guard !options.force, p.experiment.readsResults.isEmpty, let cached = ResultsFile.complete(in: paths.outputDirectory(p.file.id), id: p.file.id),
              cached.provenance.cacheKey == cacheKey(p, codeHash: provenance.codeHash) else { return nil }
        return cached
    }

    struct Prepared {
        let experiment: AnyExperiment
        let file: ExperimentFile
        let config: Any
        let resolved: ParameterValue
        let seeds: [UInt64]
    }

    /// Loads the experiment file, resolves the profile and validates the parameters.
    func prepare(_ e: AnyExperiment) throws -> Prepared {
        let file = try ExperimentFile(root: paths.root, path: e.filePath)
        guard file.chapter == e.chapter, file.name == e.name else {
            throw ConfigError(location: file.path, key: "experiment", problem: "names \(file.id), but the file belongs to \(e.id)")
        }
        try e.checkClaims(file.claims, file: file.path)
        let resolved = file.resolved(options.profile)
        let reader = try ParameterReader(resolved, location: "\(file.path): profile \(options.profile.rawValue)")
        var seeds = try reader.ints("seeds", in: 0...Int(Int32.max)).map { UInt64($0) }
        if let base = options.baseSeed { seeds = (0..<seeds.count).map { base + UInt64($0) } }
        guard Set(seeds).count == seeds.count else {
            throw ConfigError(location: reader.location, key: "seeds", problem: "seeds must be distinct")
        }
        let config = try e.configure(reader)
        try reader.finish()
        var resolvedWithSeeds = resolved
        if case .table(var entries) = resolved, let i = entries.firstIndex(where: { $0.key == "seeds" }) {
            entries[i].value = .array(seeds.map { .int(Int($0)) })
            resolvedWithSeeds = .table(entries)
        }
        return Prepared(experiment: e, file: file, config: config, resolved: resolvedWithSeeds, seeds: seeds)
    }

    /// The cache key: everything that determines the result.
    func cacheKey(_ p: Prepared, codeHash: String) -> String {
        let claims = p.file.claims.map { c in
            "\(c.id)|\(c.statistic)|\(c.select.canonicalJSON)|\(c.reduce.rawValue)|\(c.compare.rawValue)|\(JSONNumber.format(c.threshold))|\(c.scale.rawValue)|\(c.statement)|\(c.rationale)"
        }.joined(separator: "\n")
        let inputs = options.inputs.keys.sorted().map { "\($0)=\(Self.contentHash(options.inputs[$0]!))" }.joined(separator: ",")
        return StableHash.sha256Hex([p.file.id, p.file.title, options.profile.rawValue, p.resolved.canonicalJSON, claims, codeHash, inputs].joined(separator: "\n"))
    }

    /// SHA-256 over the sorted relative paths and contents of a file or of every file below a folder.
    static func contentHash(_ url: URL) -> String {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: url.path, isDirectory: &isDir) else { return "missing" }
        guard isDir.boolValue else { return StableHash.sha256Hex((try? Data(contentsOf: url)) ?? Data()) }
        var files: [String] = []
        if let e = fm.enumerator(at: url, includingPropertiesForKeys: [.isRegularFileKey]) {
            for case let f as URL in e where (try? f.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                files.append(String(f.standardizedFileURL.path.dropFirst(url.standardizedFileURL.path.count)))
            }
        }
        return StableHash.sha256Hex(files.sorted().map { "\($0) \(StableHash.sha256Hex((try? Data(contentsOf: url.appendingPathComponent($0))) ?? Data()))" }.joined(separator: "\n"))
    }

    /// Runs `p`, or reuses `cached` (its results from an earlier run with the same cache key).
    func execute(_ p: Prepared, cached: ResultsFile?, provenance: Provenance, renderer: FigureRenderer, cells: CellCache) throws -> ExperimentReport {
        let progress = ProgressReporter(label: p.file.id, quiet: options.quiet)
        let key = cacheKey(p, codeHash: provenance.codeHash)
        let final = paths.outputDirectory(p.file.id)
        if let cached {
            progress.say("unchanged since the last run (cache key \(key.prefix(12))); reusing \(relative(final)) — pass --force to recompute")
            return ExperimentReport(id: p.file.id, cached: true, directory: final,
                                    verdicts: cached.claims.map { ($0.id, $0.statement, $0.verdict, Format.interval($0.summary)) })
        }
        progress.say("running with profile \(options.profile.rawValue), seeds \(p.seeds.map(String.init).joined(separator: ", "))")
        let started = Stopwatch()
        let context = RunContext(profile: options.profile, seeds: p.seeds, progress: progress, inputs: options.inputs, cells: cells,
                                 claims: p.file.claims, experimentID: p.file.id, parameters: p.resolved.canonicalJSON, root: paths.root)
        let outcome = try p.experiment.run(p.config, context)
        let verdicts = try p.file.claims.map { claim -> Verdict in
            let select = try ParameterReader(claim.select, location: "\(p.file.path): claims[id=\(claim.id)].select")
            let cells = try outcome.statistic(claim.statistic, select)
            try select.finish()
            guard cells.count == p.seeds.count * outcome.unitsPerSeed else {
                throw ConfigError(location: p.file.path, key: "claims[id=\(claim.id)]",
                                  problem: "statistic returned \(cells.count) rows, expected \(p.seeds.count * outcome.unitsPerSeed) (\(p.seeds.count) seed(s) × \(outcome.unitsPerSeed) unit(s) per seed)")
            }
            let perSeed = Verdict.reduce(cells, claim.reduce)
            // A statistic with no data at all (every seed NaN, e.g. on a data set that was not
            // found) is inconclusive, not an error; a partly NaN one still fails the scale check.
            if !perSeed.allSatisfy(\.isNaN), let problem = claim.scale.problem(with: perSeed) {
                throw ConfigError(location: p.file.path, key: "claims[id=\(claim.id)].scale",
                                  problem: "statistic \(claim.statistic) does not fit the declared scale: \(problem)")
            }
            return Verdict(claim: claim, perSeed: perSeed)
        }
        let staging = Self.staging(for: final)
        try? FileManager.default.removeItem(at: staging)
        try ResultsWriter(file: p.file, profile: options.profile, seeds: p.seeds, config: p.resolved, outcome: outcome,
                          verdicts: verdicts, provenance: provenance, cacheKey: key, renderer: renderer).write(into: staging)
        try Self.swap(staging, into: final)
        progress.say(String(format: "done in %.1f s; results in %@", started.elapsed, relative(final)))
        return ExperimentReport(id: p.file.id, cached: false, directory: final,
                                verdicts: verdicts.map { ($0.claim.id, $0.claim.statement, $0.outcome.rawValue, Format.interval($0.summary)) })
    }

    /// Replaces `final` by `staging` so that a reader sees either the old or the new folder.
    static func swap(_ staging: URL, into final: URL) throws {
        let fm = FileManager.default
        let old = final.deletingLastPathComponent().appendingPathComponent(".\(final.lastPathComponent).old-\(ProcessInfo.processInfo.processIdentifier)")
        try? fm.removeItem(at: old)
        if fm.fileExists(atPath: final.path) { try fm.moveItem(at: final, to: old) }
        do { try fm.moveItem(at: staging, to: final) } catch {
            if fm.fileExists(atPath: old.path) { try? fm.moveItem(at: old, to: final) }
            throw error
        }
        try? fm.removeItem(at: old)
    }

    /// Fills the chapter's result and code blocks in one atomic write.
    func embed(_ reports: [ExperimentReport]) throws {
        let chapterFile = paths.url(chapter.filePath)
        let progress = ProgressReporter(label: chapter.command, quiet: options.quiet)
        guard FileManager.default.fileExists(atPath: chapterFile.path) else {
            progress.say("warning: \(chapter.filePath) does not exist; results are only in output/")
            return
        }
        let text = try String(contentsOf: chapterFile, encoding: .utf8)
        let ids = Set(try Literate.markers(in: text, file: chapter.filePath).compactMap { m -> String? in
            if case .result(let id) = m.kind { return id }
            return nil
        })
        for r in reports where !ids.contains(r.id) {
            progress.say("warning: \(chapter.filePath) has no <!-- result: \(r.id) --> marker; the results are only in \(relative(r.directory))")
        }
        let changed = try Literate.update(chapterFile: chapterFile, sources: .fileSystem(root: paths.root, chapterFile: chapterFile))
        progress.say(changed ? "updated \(chapter.filePath)" : "\(chapter.filePath) is up to date")
    }

    func relative(_ url: URL) -> String { paths.relative(url) }
}

extension ResultsFile {
    /// The results in `directory` when every file they list is still there (else `nil`: rerun).
    static func complete(in directory: URL, id: String) -> ResultsFile? {
        guard let data = try? Data(contentsOf: directory.appendingPathComponent("results.json")),
              let results = try? ResultsFile(data: data, path: WorkbenchPaths.resultsJSON(id)) else { return nil }
        for f in results.files where !FileManager.default.fileExists(atPath: directory.appendingPathComponent(f).path) { return nil }
        return results
    }
}
