import ActionData
import Tokenizers
import XCTest
@testable import Lab

/// The residual VQ's reconstruction error by code depth.
final class CoarseAndFineTests: XCTestCase {
    func testEveryCodeMatchesTheRoundTripAndThePrimaryCodeAloneDecodesLayerZero() throws {
        let data = try RobotArmGenerator(frequency: 10).chunks(count: 30, seed: 4).resampledWindows(5)
        let tok = try ResidualVQTokenizer(ResidualVQConfig(layers: 2, codebookSize: 8, window: 5, latentDim: 8, hidden: [16], trainSteps: 40, batchSize: 32, seed: 2))
        try tok.fit(data)
        let error = try tok.coarseAndFine(data)
        let primary = error.primary, all = error.all
        // Independent path for every code: the tokenizer's own encode/decode round trip.
        var sq = 0.0, n = 0
        for chunk in data.chunks {
            let back = try tok.roundTrip(chunk)
            for i in chunk.values.indices { sq += (back.values[i] - chunk.values[i]) * (back.values[i] - chunk.values[i]) }
            n += chunk.values.count
        }
        XCTAssertEqual(all, sq / Double(n), accuracy: 1e-12 * max(1, all))
        // The primary code alone: the decoder applied to layer 0's code only.
        var sq0 = 0.0
        for chunk in data.chunks {
            let c = try tok.codes(of: chunk)
            let coarse = try tok.chunk(fromStandardised: tok.decodeStandardised(codes: [c[0]]), steps: 5)
            for i in chunk.values.indices { sq0 += (coarse.values[i] - chunk.values[i]) * (coarse.values[i] - chunk.values[i]) }
        }
        XCTAssertEqual(primary, sq0 / Double(n), accuracy: 1e-12 * max(1, primary))
        XCTAssertNotEqual(primary, all, "the second layer changes the decoding")
    }
}
