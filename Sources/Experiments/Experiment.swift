import Foundation
import Support

/// One experiment of a chapter: reads its parameters, runs, and reports an outcome.
///
/// Experiments are pure functions of their configuration and seeds: every random draw comes from
/// `context.generator(seed:)`, and nothing depends on Dictionary order or the clock.
public protocol Experiment {
    /// The experiment's validated configuration.
    associatedtype Config
    /// Chapter slug, e.g. `data`.
    var chapter: String { get }
    /// Experiment slug, e.g. `outlier-sensitivity`; its file is `experiments/<chapter>/<name>.toml`.
    var name: String { get }
    /// Reads and validates the resolved parameters (unknown keys must be rejected with `finish()`).
    func configure(_ p: ParameterReader) throws -> Config
    /// Runs the experiment over `context.seeds`.
    func run(_ config: Config, context: RunContext) throws -> ExperimentOutcome
    /// The user data it reads when given (`--input NAME=PATH`); none by default.
    var inputs: [ExperimentInput] { get }
    /// Every statistic its claims may name, with the `select` keys each one reads, so the claims
    /// are checked before any work (the values are checked when the statistic is computed).
    var statistics: [String: [String]] { get }
    /// Whether its results are wall-clock times (latencies): then it runs alone, in the
    /// coordinating process after every helper process has finished, never in a helper.
    var timesWallClock: Bool { get }
    /// Other experiments whose committed results it reads (`chapter/name` ids, from
    /// ``RunContext/root``): it runs last, in the coordinating process, after the chapter's other
    /// experiments have written theirs, and is recomputed on every run (never reused).
    var readsResults: [String] { get }
}

extension Experiment {
    public var inputs: [ExperimentInput] { [] }
    /// Undeclared (empty): its claims are checked only when computed. Every chapter experiment declares them (a test checks).
    public var statistics: [String: [String]] { [:] }
    /// Not timed: its cells may run in any process, side by side with others.
    public var timesWallClock: Bool { false }
    /// None: it reads no experiment's results.
    public var readsResults: [String] { [] }
}

/// User data an experiment reads when given (`--input NAME=PATH`), and the check that tells,
/// before any work, whether a path holds it.
public struct ExperimentInput: Sendable {
    /// The name on the command line, e.g. `lasa`.
    public let name: String
    /// What the path must hold, e.g. `a folder of the LASA dataset's .mat files`.
    public let what: String
    /// Throws an error naming the path and what is wrong with it.
    public let check: @Sendable (URL) throws -> Void

    public init(name: String, what: String, check: @escaping @Sendable (URL) throws -> Void) {
        self.name = name; self.what = what; self.check = check
    }
}

/// A type-erased experiment, so a chapter can list experiments of different types.
public struct AnyExperiment {
    public let chapter: String
    public let name: String
    /// The user data it reads when given.
    public let inputs: [ExperimentInput]
    /// The statistics its claims may name and the `select` keys of each.
    public let statistics: [String: [String]]
    /// Whether it must run alone (see ``Experiment/timesWallClock``).
    public let timesWallClock: Bool
    /// The experiments whose results it reads (see ``Experiment/readsResults``).
    public let readsResults: [String]
    package let configure: (ParameterReader) throws -> Any
    package let run: (Any, RunContext) throws -> ExperimentOutcome

    public init<E: Experiment>(_ e: E) {
        chapter = e.chapter; name = e.name; inputs = e.inputs; statistics = e.statistics; timesWallClock = e.timesWallClock; readsResults = e.readsResults
        configure = { try e.configure($0) }
        run = { try e.run($0 as! E.Config, context: $1) }
    }

    /// `chapter/name`.
    public var id: String { "\(chapter)/\(name)" }
    /// Whether it runs after the chapter's other experiments, alone, in the coordinating process:
    /// it times itself, or it reads results.
    public var runsLast: Bool { timesWallClock || !readsResults.isEmpty }
    /// The experiment file's path relative to the package root.
    public var filePath: String { WorkbenchPaths.experimentFile(chapter: chapter, name: name) }
}

/// What an experiment run may use from its surroundings.
public struct RunContext {
    /// The profile being run.
    public let profile: Profile
    /// The seeds, in order; every per-seed result is listed in this order.
    public let seeds: [UInt64]
    /// Reports progress on the terminal.
    public let progress: ProgressReporter
    /// User-supplied data by name (`--input NAME=PATH`); experiments fall back to embedded data without it.
    public let inputs: [String: URL]
    /// Finished cells of an interrupted earlier run of the same computation (see ``CellCache``).
    public let cells: CellCache
    /// The experiment file's claims, as pre-registered: figures draw their thresholds from here,
    /// so a figure and the verdict it illustrates cannot disagree.
    public let claims: [ClaimSpec]
    /// `chapter/name` of the experiment being run, and its resolved parameters as canonical JSON:
    /// together they name what a ``cell(_:compute:)`` result depends on besides its own label.
    public let experimentID: String, parameters: String
    /// The workbench root whose `output/` holds the book's committed results (nil: none), for an
    /// experiment that reads them (``Experiment/readsResults``).
    public let root: URL?

    public init(profile: Profile, seeds: [UInt64], progress: ProgressReporter, inputs: [String: URL] = [:],
                cells: CellCache = .disabled, claims: [ClaimSpec] = [], experimentID: String = "", parameters: String = "", root: URL? = nil) {
        self.profile = profile; self.seeds = seeds; self.progress = progress; self.inputs = inputs; self.cells = cells
        self.claims = claims; self.experimentID = experimentID; self.parameters = parameters; self.root = root
    }

    /// One self-contained unit of this experiment's work (typically everything one seed measures),
    /// computed, or read back from the cells an interrupted run of the same code, inputs and
    /// parameters kept, so an interrupted chapter resumes where it stopped.
    ///
    /// `label` must tell the experiment's units apart (e.g. `seed 3`); the description of the
    /// cell adds the experiment id and its resolved parameters. A resumed unit is announced on the
    /// terminal. The computed value is returned as computed (a resumed one decodes to the same
    /// bits: doubles are stored in their shortest round-tripping form).
    public func cell<T: Codable>(_ label: String, compute: () throws -> T) throws -> T {
        var resumed = false
        let value = try cells.cell(cellDescription(label), resumed: &resumed, compute: compute)
        if resumed { progress.say("\(label): \(Self.reusedNote)") }
        return value
    }

    /// Independent units of this experiment's work, one per item (typically one per seed), as
    /// ``cell(_:compute:)`` computes them; the results come back in the items' order.
    ///
    /// When helper processes share the run (``CellCache/Sharing``), the units are spread over the
    /// processes, heaviest `cost` first; each unit's result depends only on its item, so the
    /// results are the same bits as a serial run's.
    public func cells<Item, T: Codable>(_ items: [Item], label: (Item) -> String, cost: (Item) -> Double = { _ in 1 },
                                        compute: (Item) throws -> T) throws -> [T] {
        try cells.cells(items.map { cellDescription(label($0)) }, costs: items.map(cost),
                        compute: { try compute(items[$0]) },
                        finished: { i, _, reused in if reused { progress.say("\(label(items[i])): \(Self.reusedNote)") } })
    }

    /// The cell description of the unit `label`: the experiment id, the label and the resolved parameters.
    private func cellDescription(_ label: String) -> String { "\(experimentID) · \(label) · \(parameters)" }

    /// What the terminal says of a unit read back rather than computed.
    public static let reusedNote = "reused (finished by another process of this run, or by an interrupted run)"

    /// The pre-registered claim `id`; throws a ``Support/ConfigError`` naming it when the
    /// experiment file has no such claim (a figure that draws a threshold needs its claim).
    public func claim(_ id: String) throws -> ClaimSpec {
        guard let c = claims.first(where: { $0.id == id }) else {
            throw ConfigError(location: "experiment claims", key: id,
                              problem: "no such claim; the figure draws its threshold (claims: \(claims.map(\.id).joined(separator: ", ")))")
        }
        return c
    }

    /// The root random generator for `seed`; derive named sub-streams from it.
    public func generator(seed: UInt64) -> SeededGenerator { SeededGenerator(seed: seed) }
}

/// A chapter: its slug, its title, and its experiments in reading order.
public struct Chapter {
    public let slug: String
    public let title: String
    public let experiments: [AnyExperiment]

    public init(slug: String, title: String, experiments: [AnyExperiment]) {
        self.slug = slug; self.title = title; self.experiments = experiments
    }

    /// The chapter's Markdown file relative to the package root.
    public var filePath: String { WorkbenchPaths.chapterFile(slug) }
    /// The chapter's executable.
    public var command: String { "chapter-\(slug)" }
    /// The user data its experiments read, one per name, in name order.
    public var inputs: [ExperimentInput] {
        var byName: [String: ExperimentInput] = [:]
        for e in experiments { for i in e.inputs where byName[i.name] == nil { byName[i.name] = i } }
        return byName.keys.sorted().map { byName[$0]! }
    }
}

extension AnyExperiment {
    /// Checks `claims` against ``statistics`` before any work: each names a statistic this
    /// experiment computes and selects with keys that statistic reads; errors name the file, the
    /// claim and the key, with the closest known name.
    public func checkClaims(_ claims: [ClaimSpec], file: String) throws {
        guard !statistics.isEmpty else { return }
        for claim in claims {
            let location = "\(file): claims[id=\(claim.id)]"
            guard let keys = statistics[claim.statistic] else {
                let known = statistics.keys.sorted()
                let hint = Suggestion.closest(to: claim.statistic, in: known).map { " (did you mean \($0)?)" } ?? ""
                throw ConfigError(location: location, key: "statistic",
                                  problem: "unknown statistic '\(claim.statistic)'\(hint); \(id) computes: \(known.joined(separator: ", "))")
            }
            guard case .table(let entries) = claim.select else { continue }
            for (key, _) in entries where !keys.contains(key) {
                let hint = Suggestion.closest(to: key, in: keys).map { " (did you mean \($0)?)" } ?? ""
                throw ConfigError(location: "\(location).select", key: key,
                                  problem: "not read by \(claim.statistic)\(hint); it reads: \(keys.isEmpty ? "no keys" : keys.joined(separator: ", "))")
            }
        }
    }
}
