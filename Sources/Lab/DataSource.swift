import ActionData
import Experiments
import Foundation
import Support

/// The action data sets experiments measure tokenizers on, at any control frequency.
public enum DataSource {
    /// A named data set: the embedded arm (7 dims), two arms side by side (14 dims), or LASA (2 dims).
    case arm, bimanualArm, lasa(URL)

    /// The data set's name in results.
    public var name: String {
        switch self {
        case .arm: return "arm"
        case .bimanualArm: return "arm-14"
        case .lasa: return "lasa"
        }
    }

    /// A fitting set and a separate measuring set of one-second chunks at `frequency` Hz.
    ///
    /// The arm draws both sets independently from `seed`; LASA fits on demonstrations 0-4 of every
    /// shape and measures on demonstrations 5-6, so no demonstration is in both sets, and draws up to
    /// the requested counts from each side with `seed`.
    public func split(fit: Int, eval: Int, frequency: Double, seed: SeededGenerator) throws -> (fit: ChunkSet, eval: ChunkSet) {
        switch self {
        case .arm, .bimanualArm:
            return (try chunks(count: fit, frequency: frequency, seed: seed.derived("fit").seed),
                    try chunks(count: eval, frequency: frequency, seed: seed.derived("eval").seed))
        case .lasa(let folder):
            let demos = try LASA.load(folder: folder)
            func sample(_ part: [LASADemonstration], _ count: Int, _ label: String) throws -> ChunkSet {
                let all = try LASA.chunks(part, frequency: frequency)
                var rng = seed.derived(label)
                var order = Array(all.chunks.indices)
                rng.shuffle(&order)
                return try all.replacing(chunks: order.prefix(count).sorted().map { all.chunks[$0] })
            }
            return (try sample(demos.filter { $0.index < 5 }, fit, "fit"), try sample(demos.filter { $0.index >= 5 }, eval, "eval"))
        }
    }

    /// `count` one-second chunks of the arm data sets at `frequency` Hz drawn with `seed`.
    public func chunks(count: Int, frequency: Double, seed: UInt64) throws -> ChunkSet {
        switch self {
        case .arm:
            return try RobotArmGenerator(frequency: frequency).chunks(count: count, seed: seed)
        case .bimanualArm:
            let left = try RobotArmGenerator(frequency: frequency).chunks(count: count, seed: seed)
            let right = try RobotArmGenerator(frequency: frequency).chunks(count: count, seed: seed ^ 0x5EED)
            return try left.concatenatingDimensions(with: right)
        case .lasa:
            preconditionFailure("LASA is drawn through split(fit:eval:frequency:seed:)")
        }
    }
}

extension ExperimentInput {
    /// The LASA handwriting demonstrations (`--input lasa=FOLDER`), checked by reading them.
    public static let lasa = ExperimentInput(name: "lasa", what: "a folder of the LASA dataset's .mat files") { url in
        _ = try LASA.load(folder: url)
    }
}
