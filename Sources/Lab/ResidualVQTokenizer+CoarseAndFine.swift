import ActionData
import Foundation
import Tokenizers

/// A residual VQ's mean squared reconstruction error (action units²) with its primary code alone and with every code.
public struct CoarseAndFineError: Codable, Equatable, Sendable {
    public var primary: Double, all: Double
}

extension ResidualVQTokenizer {
    /// Mean squared reconstruction error of `data` with the primary code alone and with every code.
    public func coarseAndFine(_ data: ChunkSet) throws -> CoarseAndFineError {
        var primary = 0.0, all = 0.0, n = 0
        for chunk in data.chunks {
            let codes = try self.codes(of: chunk)
            let coarse = try self.chunk(fromStandardised: decodeStandardised(codes: [codes[0]]), steps: chunk.steps)
            let fine = try self.chunk(fromStandardised: decodeStandardised(codes: codes), steps: chunk.steps)
            for i in 0..<chunk.values.count {
                primary += pow(coarse.values[i] - chunk.values[i], 2); all += pow(fine.values[i] - chunk.values[i], 2)
            }
            n += chunk.values.count
        }
        return CoarseAndFineError(primary: primary / Double(n), all: all / Double(n))
    }
}

extension UnquantisedFloor {
    /// The first measuring set's mean squared error over every value (action units²), comparable
    /// with ``CoarseAndFineError``: the mean of the squared per-dimension RMSEs.
    public var meanSquaredError: Double {
        let rmse = reconstructions[0].rmse
        return rmse.map { $0 * $0 }.reduce(0, +) / Double(rmse.count)
    }
}
