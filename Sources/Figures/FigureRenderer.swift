import Foundation
import Support

/// Renders figures with gnuplot: writes `<name>.dat` and `<name>.gp`, then runs the script.
///
/// The data and script are written atomically; the PNG and SVG are written by gnuplot itself and
/// are complete when `render` returns (the bridge waits for gnuplot to exit).
public struct FigureRenderer: Sendable {
    /// Shell command that starts gnuplot, e.g. "gnuplot" or "/usr/bin/gnuplot".
    public var gnuplot: String

    /// Creates a renderer that runs `gnuplot`.
    public init(gnuplot: String = "gnuplot") {
        self.gnuplot = gnuplot
    }

    /// Validates `figure`, writes its files into `directory` (created if needed) and renders them.
    ///
    /// Throws `FigureError.invalidData` before writing anything, `.gnuplotNotFound` when the
    /// command cannot be run, and `.gnuplotFailed` with gnuplot's message when the script fails.
    public func render(_ figure: Figure, into directory: URL) throws -> RenderedFigure {
        try render(figure, into: directory, rawCommands: [])
    }

    /// `render(_:into:)` with extra gnuplot commands after the last panel (for tests).
    func render(_ figure: Figure, into directory: URL, rawCommands: [String]) throws -> RenderedFigure {
        try figure.validate()
        let files = RenderedFigure(directory: directory, name: figure.name)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try AtomicFile.write(figure.dataText(), to: files.data)
        try AtomicFile.write(figure.scriptText(rawCommands: rawCommands), to: files.script)
        // Stale images must not survive a failed run and pass for fresh ones.
        for image in [files.png, files.svg] { try? FileManager.default.removeItem(at: image) }

        let scriptPath = files.script.standardizedFileURL.path
        let folder = directory.standardizedFileURL.path
        switch _Gnuplot.run(command: gnuplot, directory: folder, script: scriptPath) {
        case .ok:
            break
        case .notFound:
            throw FigureError.gnuplotNotFound(command: gnuplot)
        case .failed(let message), .bridgeError(let message):
            throw FigureError.gnuplotFailed(script: scriptPath, message: message)
        }
        for image in [files.png, files.svg] {
            let size = (try? FileManager.default.attributesOfItem(atPath: image.path)[.size] as? Int) ?? 0
            if size == 0 {
                throw FigureError.gnuplotFailed(
                    script: scriptPath, message: "gnuplot finished but did not write \(image.lastPathComponent)")
            }
        }
        return files
    }

    /// Checks that `gnuplot` runs and returns its version, e.g. "gnuplot 5.4 patchlevel 4".
    ///
    /// Throws `FigureError.gnuplotNotFound` when it cannot be run, `.gnuplotFailed` otherwise.
    @discardableResult
    public static func checkAvailable(gnuplot: String = "gnuplot") throws -> String {
        switch _Gnuplot.version(command: gnuplot) {
        case .ok(let version):
            return version
        case .notFound:
            throw FigureError.gnuplotNotFound(command: gnuplot)
        case .failed(let message), .bridgeError(let message):
            throw FigureError.gnuplotFailed(script: "(version check)", message: message)
        }
    }
}

/// The files one render produced, all in the same folder.
public struct RenderedFigure: Sendable, Equatable {
    /// `<name>.png`, from gnuplot's pngcairo terminal.
    public var png: URL
    /// `<name>.svg`, from gnuplot's svg terminal.
    public var svg: URL
    /// `<name>.gp`, the script that drew both images.
    public var script: URL
    /// `<name>.dat`, the data the script reads.
    public var data: URL

    init(directory: URL, name: String) {
        png = directory.appendingPathComponent("\(name).png")
        svg = directory.appendingPathComponent("\(name).svg")
        script = directory.appendingPathComponent("\(name).gp")
        data = directory.appendingPathComponent("\(name).dat")
    }
}

/// Why a figure could not be rendered.
public enum FigureError: Error, Equatable, CustomStringConvertible {
    /// The gnuplot command could not be run.
    case gnuplotNotFound(command: String)
    /// gnuplot ran the script and reported an error.
    case gnuplotFailed(script: String, message: String)
    /// The figure's data cannot be drawn faithfully (NaN/Inf, empty series, bad name, a
    /// non-positive value on a log axis, ...); `series` is empty when no series is at fault.
    case invalidData(figure: String, series: String, detail: String)

    public var description: String {
        switch self {
        case .gnuplotNotFound(let command):
            return "gnuplot not found: cannot run \"\(command)\". Install gnuplot "
                + "(Debian: apt-get install gnuplot-nox), e.g. with scripts/install-deps.sh."
        case .gnuplotFailed(let script, let message):
            return "gnuplot failed on \(script):\n\(message)"
        case .invalidData(let figure, let series, let detail):
            let which = series.isEmpty ? "" : ", series \"\(series)\""
            return "invalid data in figure \"\(figure)\"\(which): \(detail)"
        }
    }
}

extension FigureError: ClassifiedError {
    /// A missing or failing gnuplot is the machine's; data that cannot be drawn is the workbench's own failure.
    public var exitStatus: ExitStatus {
        switch self {
        case .gnuplotNotFound, .gnuplotFailed: return .environment
        case .invalidData: return .failure
        }
    }
}
