import Foundation
import Support

/// Check mode: finding stale, hand-edited and unsourced blocks without writing anything.
extension Literate {
    /// The problems in `text` (a chapter at path `file`), in line order; empty when it is up to date.
    ///
    /// Per block, in this order: *hand-edited* when the block has a provenance line and the content's
    /// checksum differs from the recorded one (reported even when the block is also stale);
    /// *missing source* / *bad source* when `sources` cannot give the content; *stale* when the
    /// provenance line plus content differ from what rendering would write now, including a block
    /// that was never filled; a hand-edited block is stale only when its source changed too (its
    /// recorded provenance is no longer what rendering would write). Malformed markers give a single problem and stop the check.
    ///
    /// `commands` maps a block's key to the command that regenerates it (default: the chapter's
    /// command, `swift run chapter-<name>`), for the messages.
    public static func check(_ text: String, file: String, sources: LiterateSources, commands: [String: String] = [:]) -> [LiterateProblem] {
        let blocks: [LiterateMarker]
        do {
            blocks = try markers(in: text, file: file)
        } catch LiterateError.malformed(let file, let line, let message) {
            return [LiterateProblem(kind: .malformed, file: file, line: line, marker: "", message: "malformed marker: \(message)")]
        } catch {
            return [LiterateProblem(kind: .malformed, file: file, line: 0, marker: "", message: "\(error)")]
        }
        var problems: [LiterateProblem] = []
        for block in blocks {
            let rerun = commands[block.kind.key].map { "rerun `\($0)`" } ?? rerunHint(for: file)
            func report(_ kind: LiterateProblem.Kind, _ message: String) {
                problems.append(LiterateProblem(kind: kind, file: file, line: block.openingLine, marker: block.markerText, message: message))
            }
            let name = block.kind.description
            if block.isFilled && !block.matchesRecordedChecksum {
                let recorded = block.recordedChecksum.map { "sha256:\($0)" } ?? "no readable sha256"
                report(.handEdited, "\(name) was edited by hand: its content no longer matches the recorded checksum (\(recorded), now sha256:\(checksum(block.content))); make the change in \(sourceName(block.kind)) instead and \(rerun)")
            }
            let expected: String
            do {
                expected = try generatedContent(for: block.kind, sources: sources)
            } catch let error as LiterateError {
                switch error {
                case .missingResult, .missingCode: report(.missingSource, "\(name) has no source: \(error)")
                default: report(.badSource, "\(name) cannot be generated: \(error)")
                }
                continue
            } catch {
                report(.missingSource, "\(name) has no source: \(error)")
                continue
            }
            if !block.isFilled {
                report(.stale, "\(name) is stale: it has never been filled; \(rerun)")
            } else if !block.matchesRecordedChecksum && block.provenance == provenanceLine(for: expected) {
                // Edited by hand over what the source still gives: the edit is the only problem.
            } else if block.content != expected {
                report(.stale, "\(name) is stale: \(sourceName(block.kind)) changed since it was embedded; \(rerun)")
            } else if block.provenance != provenanceLine(for: expected) {
                report(.stale, "\(name) is stale: its provenance line is out of date; \(rerun)")
            }
        }
        return problems
    }

    /// Checks every `*.md` in `<root>/chapters`, sorted by name, with file-system sources; files are
    /// named `chapters/<name>.md` in the problems.
    ///
    /// Result ids in `generated` are checked against what their generator gives now (see
    /// ``LiterateSources/fileSystem(root:chapterFile:generated:)``), with its command in the messages.
    public static func checkChapters(root: URL, generated: [String: GeneratedResult] = [:]) -> [LiterateProblem] {
        let folder = root.appendingPathComponent(WorkbenchPaths.chaptersFolder)
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
                .filter { $0.hasSuffix(".md") && !$0.hasPrefix(".") }
                .sorted()
        } catch {
            return [LiterateProblem(kind: .unreadable, file: WorkbenchPaths.chaptersFolder, line: 0, marker: "",
                                    message: "cannot list the chapters folder \(folder.path): \(error.localizedDescription)")]
        }
        var problems: [LiterateProblem] = []
        for name in names {
            let url = folder.appendingPathComponent(name)
            let file = "\(WorkbenchPaths.chaptersFolder)/\(name)"
            guard let text = try? String(contentsOf: url, encoding: .utf8) else {
                problems.append(LiterateProblem(kind: .unreadable, file: file, line: 0, marker: "", message: "cannot read the chapter as UTF-8 text"))
                continue
            }
            problems += check(text, file: file, sources: .fileSystem(root: root, chapterFile: url, generated: generated),
                              commands: generated.mapValues(\.command))
        }
        return problems
    }

    /// Where a block's content comes from, for messages.
    static func sourceName(_ kind: LiterateMarker.Kind) -> String {
        switch kind {
        case .result(let id): return WorkbenchPaths.resultsMarkdown(id)
        case .code(let path, let region): return "region `\(region)` of \(path)"
        }
    }

    /// "rerun `swift run chapter-<name>`" for a chapter file `.../<name>.md`.
    static func rerunHint(for file: String) -> String {
        var name = file.split(separator: "/").last.map(String.init) ?? file
        if name.hasSuffix(".md") { name.removeLast(3) }
        return "rerun `swift run chapter-\(name)`"
    }
}
