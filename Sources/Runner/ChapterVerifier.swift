import Experiments
import Foundation
import Support

/// Reruns a chapter in a scratch copy of the workbench and compares every claim and metric with a
/// reference, never touching the real `output/` or `chapters/`.
///
/// The reference is the committed `output/<chapter>/` when every experiment's committed
/// `results.json` was made with the requested profile (and the profile's own seeds). Otherwise
/// the committed numbers answer a different question, so the verifier makes a fresh reference run
/// of the requested profile in the scratch copy and then reruns it once more, forced, with the
/// same seeds: the comparison then checks that the chapter reproduces itself (determinism), not
/// the book's numbers.
///
/// The scratch root holds copies of `experiments/` and `chapters/` and links to `Sources/` and
/// `Package.swift`, so the source hash in the provenance is the real one; it is deleted afterwards.
public struct ChapterVerifier {
    public let chapter: Chapter
    public let paths: WorkbenchPaths
    public let options: RunOptions

    /// `options.force` is ignored: every run in the scratch copy recomputes.
    public init(chapter: Chapter, paths: WorkbenchPaths, options: RunOptions) {
        self.chapter = chapter; self.paths = paths; self.options = options
    }

    /// Runs the comparison; `progress` receives one line per step.
    public func run(progress: (String) -> Void = { _ in }) throws -> VerificationReport {
        let committed = try chapter.experiments.map { try ResultsFile.load(root: paths.root, experiment: $0.id) }
        let profile = options.profile.rawValue
        let mismatch: String?
        if options.baseSeed != nil {
            mismatch = "--seed changes the seeds the committed results were made with"
        } else if let i = committed.firstIndex(where: { $0 == nil }) {
            mismatch = "\(WorkbenchPaths.resultsJSON(chapter.experiments[i].id)) does not exist"
        } else if let r = committed.compactMap({ $0 }).first(where: { $0.profile != profile }) {
            mismatch = "\(r.path) was made with profile \(r.profile), not \(profile)"
        } else {
            mismatch = nil
        }

        let scratch = try Self.makeScratchRoot(from: paths.root)
        defer { try? FileManager.default.removeItem(at: scratch) }
        try Self.copyResultsRead(by: chapter, from: paths.root, to: scratch)
        let scratchPaths = WorkbenchPaths(root: scratch)
        var runOptions = options
        runOptions.force = true

        let reference: [ResultsFile]
        let basis: VerificationReport.Basis
        if let mismatch {
            progress("reference: \(mismatch), so a fresh \(profile) run in a scratch copy is the reference")
            try ChapterRunner(chapter: chapter, paths: scratchPaths, options: runOptions).run()
            reference = try loadAll(root: scratch)
            basis = .freshRun(reason: mismatch)
        } else {
            reference = committed.map { $0! }
            basis = .committed
        }
        progress("rerun: profile \(profile) in a scratch copy (\(scratch.path)), forced")
        try ChapterRunner(chapter: chapter, paths: scratchPaths, options: runOptions).run()
        let rerun = try loadAll(root: scratch)
        return VerificationReport(chapter: chapter.slug, profile: profile, basis: basis,
                                  experiments: zip(reference, rerun).map { VerificationReport.compare($0, $1) })
    }

    /// Every experiment's results under `root`, which a run has just written.
    func loadAll(root: URL) throws -> [ResultsFile] {
        try chapter.experiments.map { e in
            guard let r = try ResultsFile.load(root: root, experiment: e.id) else {
                throw ConfigError(location: WorkbenchPaths.resultsJSON(e.id), key: "", problem: "the run in the scratch copy \(root.path) wrote no results")
            }
            return r
        }
    }

    /// Copies into `scratch` the committed results of other chapters that `chapter`'s experiments
    /// read (``Experiments/Experiment/readsResults``), so a rerun reads what the real run read.
    static func copyResultsRead(by chapter: Chapter, from root: URL, to scratch: URL) throws {
        let fm = FileManager.default
        for id in Set(chapter.experiments.flatMap(\.readsResults)).sorted() where !id.hasPrefix(chapter.slug + "/") {
            let source = root.appendingPathComponent(WorkbenchPaths.resultsJSON(id))
            guard fm.fileExists(atPath: source.path) else { continue }   // the rerun then names what is missing
            let target = scratch.appendingPathComponent(WorkbenchPaths.resultsJSON(id))
            try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try fm.copyItem(at: source, to: target)
        }
    }

    /// A temporary workbench root: copies of `experiments/` and `chapters/`, links to `Sources/`
    /// and `Package.swift`, and an empty `output/`.
    public static func makeScratchRoot(from root: URL) throws -> URL {
        let fm = FileManager.default
        let scratch = fm.temporaryDirectory.appendingPathComponent("workbench-verify-\(UUID().uuidString)")
        try fm.createDirectory(at: scratch.appendingPathComponent(WorkbenchPaths.outputFolder), withIntermediateDirectories: true)
        do {
            for folder in [WorkbenchPaths.experimentsFolder, WorkbenchPaths.chaptersFolder] {
                try fm.copyItem(at: root.appendingPathComponent(folder), to: scratch.appendingPathComponent(folder))
            }
            for item in WorkbenchPaths.codeFiles {
                try fm.createSymbolicLink(at: scratch.appendingPathComponent(item),
                                          withDestinationURL: root.appendingPathComponent(item).resolvingSymlinksInPath())
            }
        } catch {
            try? fm.removeItem(at: scratch)
            throw error
        }
        return scratch
    }
}
