import ActionData
import Foundation
import Policies
import Support
import Tokenizers
import XCTest
@testable import Lab

/// The latency harness: what it counts per chunk, the order it calls contenders in, its quartiles.
final class ChunkLatencyTests: XCTestCase {
    /// An objective that counts its network's evaluations (the oracle for the reported count).
    struct Counting: ChunkObjective {
        final class Counter: @unchecked Sendable { var calls = 0 }
        let inner: FlowMatching, counter = Counter()
        var name: String { inner.name }
        var functionEvaluations: Int { inner.functionEvaluations }
        var scaling: ActionScaling { inner.scaling }
        var settings: ParameterValue { inner.settings }
        func trainingBatch(_ x0: [Float], width: Int, rng: inout SeededGenerator) -> ObjectiveBatch { inner.trainingBatch(x0, width: width, rng: &rng) }
        func sample(rows: Int, width: Int, rng: inout SeededGenerator, network: ([Float], [Float]) throws -> [Float]) rethrows -> [Float] {
            try inner.sample(rows: rows, width: width, rng: &rng) { counter.calls += 1; return try network($0, $1) }
        }
    }

    static var tiny: TokenPolicyConfig {
        var c = TokenPolicyConfig.defaults
        c.dModel = 16; c.heads = 2; c.layers = 1; c.mlpRatio = 2; c.trainingSteps = 5; c.batchSize = 8; c.warmupSteps = 1
        return c
    }

    /// A fixed-length token policy reports its length in tokens per chunk; a flow policy reports
    /// its network evaluations, which equal the evaluations counted, warm-up included.
    func testCountsTokensAndFunctionEvaluations() throws {
        let data = try RobotArmGenerator(frequency: 10).chunks(count: 32, seed: 1)
        let binning = MinMaxBinning()
        try binning.fit(data)
        let length = binning.tokensPerChunk(steps: data.steps, dims: data.dims)!
        let policy = try TokenPolicy(config: Self.tiny, vocabulary: binning.vocabularySize, prefixLength: 4, conditionDim: 2, maxLength: length, seed: 1)
        let condition = [Float](repeating: 0.1, count: 8)

        var settings = FlowMatchingConfig(); settings.inferenceSteps = 4
        let counting = Counting(inner: try FlowMatching(settings))
        let model = try ContinuousChunkModel(objective: counting, config: Self.tiny, prefixLength: 4, conditionDim: 2,
                                             chunkLength: data.steps, actionDim: data.dims, seed: 2)
        try model.train(conditions: Array(repeating: condition, count: data.count), chunks: data.chunks.map(\.values))
        counting.counter.calls = 0

        let results = try ChunkLatency.measure([
            .tokens("binning", policy: policy, tokenizer: binning, condition: condition, length: .fixed(length), steps: data.steps, dims: data.dims),
            .continuous("flow", model: model, condition: condition, seed: 3),
        ], repetitions: 3, warmUp: 1)
        XCTAssertEqual(results.map(\.name), ["binning", "flow"])
        XCTAssertEqual(results[0].tokens, Double(length))
        XCTAssertNil(results[0].functionEvaluations)
        XCTAssertEqual(results[1].functionEvaluations, 4)
        XCTAssertNil(results[1].tokens)
        XCTAssertEqual(counting.counter.calls, (1 + 3) * 4, "every sampled chunk evaluated the network 4 times")
        XCTAssertEqual(results.map(\.repetitions), [3, 3])
        for r in results { XCTAssertTrue(r.fastest <= r.lowerQuartile && r.lowerQuartile <= r.median && r.median <= r.upperQuartile && r.upperQuartile <= r.slowest) }
    }

    /// Contenders are called in turn, each repetition starting one later; the quartiles are those
    /// of the samples (by hand: model seconds 3, 1, 2 and a 0.5-second decode give totals with
    /// median 2.5 and quartiles 2 and 3; the model's median is 2).
    func testAlternatesContendersAndSummarisesByQuartiles() throws {
        var order: [Int] = []
        let seconds: [[Double]] = [[3, 1, 2], [5, 5, 5], [0.5, 0.25, 1]]
        var calls = [0, 0, 0]
        let probes = (0..<3).map { i in
            ChunkLatency.Probe(name: "p\(i)") {
                order.append(i)
                defer { calls[i] += 1 }
                return .init(modelSeconds: seconds[i][calls[i]], decodeSeconds: 0.5)
            }
        }
        let r = try ChunkLatency.measure(probes, repetitions: 3, warmUp: 0)
        XCTAssertEqual(order, [0, 1, 2, 1, 2, 0, 2, 0, 1])
        XCTAssertEqual(r[0].median, 2.5); XCTAssertEqual(r[0].lowerQuartile, 2); XCTAssertEqual(r[0].upperQuartile, 3)
        XCTAssertEqual(r[0].fastest, 1.5); XCTAssertEqual(r[0].slowest, 3.5)
        XCTAssertEqual(r[0].modelMedian, 2); XCTAssertEqual(r[0].decodeMedian, 0.5)
        XCTAssertEqual(r[2].median, 1)
    }
}
