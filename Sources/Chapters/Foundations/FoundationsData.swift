import ActionData
import Foundation
import Support
import WorkbenchCore

/// The data sets the foundations chapter measures on, at any control frequency.
enum FoundationsData {
    /// A named data set: the embedded arm (7 dims), two arms side by side (14 dims), or LASA (2 dims).
    case arm, bimanualArm, lasa(URL)

    var name: String {
        switch self {
        case .arm: return "arm"
        case .bimanualArm: return "arm-14"
        case .lasa: return "lasa"
        }
    }

    /// `count` one-second chunks at `frequency` Hz drawn with `seed`.
    func chunks(count: Int, frequency: Double, seed: UInt64) throws -> ChunkSet {
        switch self {
        case .arm:
            return try RobotArmGenerator(frequency: frequency).chunks(count: count, seed: seed)
        case .bimanualArm:
            let left = try RobotArmGenerator(frequency: frequency).chunks(count: count, seed: seed)
            let right = try RobotArmGenerator(frequency: frequency).chunks(count: count, seed: seed ^ 0x5EED)
            return try left.concatenatingDimensions(with: right)
        case .lasa(let folder):
            return try FoundationsData.lasaChunks(folder: folder, count: count, frequency: frequency, seed: seed)
        }
    }

    /// LASA demonstrations resampled to `frequency`, cut into one-second chunks; `count` drawn with `seed`.
    static func lasaChunks(folder: URL, count: Int, frequency: Double, seed: UInt64) throws -> ChunkSet {
        throw ActionDataError.invalidParameter("the LASA loader is not built yet")
    }
}
