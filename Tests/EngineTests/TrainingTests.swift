import XCTest
import Foundation
@testable import Engine

/// Training, determinism, memory release, checkpoints and decoding.
final class TrainingTests: XCTestCase {
    let config = GPTConfig(vocabSize: 10, contextLength: 16, dModel: 16, heads: 2, layers: 1, mlpRatio: 2, conditionDim: 2)
    let sequence = [0, 3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]
    let condition = Tensor(shape: [1, 2, 2], scalars: [0.1, -0.2, 0.3, 0.4])

    /// Trains on one fixed sequence; returns the model and the final loss.
    func overfit(steps: Int, seed: UInt64) throws -> (GPT, Float) {
        let gpt = GPT(config, seed: seed)
        let opt = AdamW(gpt.parameters, learningRate: 1e-2, weightDecay: 0)
        let schedule = LearningRateSchedule.warmupCosine(peak: 1e-2, warmup: 10, total: steps, floor: 1e-3)
        var last: Float = .infinity
        for s in 0..<steps {
            opt.learningRate = schedule.rate(at: s)
            let loss = try gpt.loss(tokens: Array(sequence.dropLast()), targets: Array(sequence.dropFirst()), batch: 1, condition: condition)
            last = loss.item
            loss.backward()
            GradientClipping.clipGlobalNorm(gpt.parameters, maxNorm: 1)
            opt.step()
            opt.zeroGrad()
            XCTAssertEqual(Tape.current.count, 0, "tape must be empty after backward")
        }
        return (gpt, last)
    }

    func testOverfitsAndIsDeterministic() throws {
        let (a, lossA) = try overfit(steps: 150, seed: 11)
        XCTAssertLessThan(lossA, 0.02, "a tiny GPT should memorise one sequence")
        let (b, _) = try overfit(steps: 150, seed: 11)
        for ((name, p), (_, q)) in zip(a.namedParameters(), b.namedParameters()) {
            XCTAssertEqual(p.scalars, q.scalars, "\(name) differs between identical runs")
        }
        // The memorised continuation comes back under greedy decoding, with and without the cache.
        var sampler = Sampler(.greedy)
        let cached = try a.generate(prompts: [[sequence[0]]], condition: condition, newTokens: 11, sampler: &sampler)
        let full = try a.generate(prompts: [[sequence[0]]], condition: condition, newTokens: 11, sampler: &sampler, useCache: false)
        XCTAssertEqual(cached[0], Array(sequence.dropFirst()))
        XCTAssertEqual(full[0], cached[0])
        // Constrained decoding never emits a forbidden id.
        let onlyEven = try a.generate(prompts: [[sequence[0]]], condition: condition, newTokens: 11, sampler: &sampler) { _, _ in
            (0..<10).map { $0 % 2 == 0 }
        }
        XCTAssertTrue(onlyEven[0].allSatisfy { $0 % 2 == 0 })
    }

    func testKVCacheMatchesFullRecompute() throws {
        let gpt = GPT(GPTConfig(vocabSize: 9, contextLength: 12, dModel: 8, heads: 2, layers: 2, conditionDim: 2), seed: 5)
        let cond = Tensor(shape: [2, 1, 2], scalars: [0.5, -1, 2, 0.25])
        let tokens = [[1, 2, 3, 4, 5, 6, 7], [8, 7, 6, 5, 4, 3, 2]]
        let caches = gpt.makeCaches(batch: 2)
        var logits = try gpt.step(tokens: tokens.flatMap { $0.prefix(3) }, batch: 2, condition: cond, caches: caches)
        for t in 3...7 {
            let full = try gpt.lastLogits(tokens: tokens.flatMap { $0.prefix(t) }, batch: 2, condition: cond)
            for (x, y) in zip(logits.scalars, full.scalars) { XCTAssertEqual(x, y, accuracy: 1e-5) }
            if t < 7 { logits = try gpt.step(tokens: tokens.map { $0[t] }, batch: 2, caches: caches) }
        }
        XCTAssertEqual(Tape.current.count, 0)
    }

    func testSamplerRespectsTopKAndSeed() {
        let logits: [Float] = [0, 5, 4, 3, -1]
        var a = Sampler(.topK(2, temperature: 1), seed: 9), b = Sampler(.topK(2, temperature: 1), seed: 9)
        let drawsA = (0..<200).map { _ in logits.withUnsafeBufferPointer { a.pick($0.baseAddress!, count: 5) } }
        let drawsB = (0..<200).map { _ in logits.withUnsafeBufferPointer { b.pick($0.baseAddress!, count: 5) } }
        XCTAssertEqual(drawsA, drawsB)
        XCTAssertEqual(Set(drawsA), [1, 2])
        var t = Sampler(.temperature(1), seed: 1)
        let masked = (0..<50).map { _ in logits.withUnsafeBufferPointer { t.pick($0.baseAddress!, count: 5, allowed: [true, false, false, true, true]) } }
        XCTAssertTrue(masked.allSatisfy { [0, 3, 4].contains($0) })
        var g = Sampler(.greedy)
        XCTAssertEqual(logits.withUnsafeBufferPointer { g.pick($0.baseAddress!, count: 5) }, 1)
    }

    func testSafetensorsRoundTripAndNoGrad() throws {
        let gpt = GPT(config, seed: 2)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("engine-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try gpt.save(to: url, metadata: ["note": "test"])
        let (read, meta) = try SafeTensors.read(url)
        XCTAssertEqual(meta["note"], "test")
        let copy = GPT(config, seed: 3)
        try copy.load(read)
        for ((n, p), (_, q)) in zip(gpt.namedParameters(), copy.namedParameters()) { XCTAssertEqual(p.scalars, q.scalars, n) }
        _ = try Tape.noGrad { try gpt.loss(tokens: [1, 2], targets: [2, 3], batch: 1, condition: Tensor.zeros([1, 1, 2])) }
        XCTAssertEqual(Tape.current.count, 0, "no-grad mode records nothing")
    }

    func testGradientsAccumulateAndClip() {
        let w = Tensor(shape: [2], scalars: [3, 4], requiresGrad: true)
        (w * 2).sum().backward()
        (w * 2).sum().backward()
        XCTAssertEqual(w.grad!, [4, 4])
        let norm = GradientClipping.clipGlobalNorm([w], maxNorm: 1)
        XCTAssertEqual(norm, Float(32).squareRoot(), accuracy: 1e-5)
        XCTAssertEqual(w.grad![0], 0.70710678, accuracy: 1e-5)
    }

    func testSinusoidalEmbeddingAndDropoutLayer() {
        let e = SinusoidalEmbedding.embed([0, 1], dim: 4)
        XCTAssertEqual(e.shape, [2, 4])
        XCTAssertEqual(e.scalars[0...3].map { $0 }, [0, 0, 1, 1])
        XCTAssertEqual(e[1, 0], sinf(1), accuracy: 1e-6)
        XCTAssertEqual(e[1, 1], sinf(0.01), accuracy: 1e-6)  // 10000^(-1/2)
        let drop = Dropout(0.5, rng: SeededGeneratorBox(seed: 3))
        let x = Tensor(shape: [1000], repeating: 1, requiresGrad: true)
        let y = drop(x).scalars
        XCTAssertTrue(y.allSatisfy { $0 == 0 || $0 == 2 })
        XCTAssertEqual(Double(y.filter { $0 == 0 }.count), 500, accuracy: 60)
        drop.training = false
        XCTAssertTrue(drop(x) === x)
        Tape.current.reset()
    }

    func testScheduleAndSoftmaxStability() {
        let s = LearningRateSchedule.warmupCosine(peak: 1, warmup: 4, total: 14, floor: 0.1)
        XCTAssertEqual(s.rate(at: 0), 0.25)
        XCTAssertEqual(s.rate(at: 3), 1)
        XCTAssertEqual(s.rate(at: 9), 0.55, accuracy: 1e-6)
        XCTAssertEqual(s.rate(at: 20), 0.1)
        XCTAssertEqual(LearningRateSchedule.constant(0.3).rate(at: 7), 0.3)
        let big = Tensor(shape: [1, 3], scalars: [1000, 1001, -1000])
        XCTAssertTrue(big.softmax().scalars.allSatisfy { $0.isFinite })
        XCTAssertEqual(big.logSoftmax().scalars[1], -logf(1 + expf(-1)), accuracy: 1e-4)
    }
}

/// Files for the Python side of the checkpoint cross-check (opt-in).
final class SafeTensorsCrossCheckTests: XCTestCase {
    /// Writes a small GPT's checkpoint and `expected.json` (every tensor's shape and values, and the
    /// metadata) into $SAFETENSORS_CROSSCHECK_DIR.
    ///
    /// Then `python3 scripts/engine/check_safetensors.py DIR` loads the checkpoint with the Python
    /// `safetensors` package and compares it with the JSON.
    func testWriteCheckpointForPythonWhenRequested() throws {
        guard let dir = ProcessInfo.processInfo.environment["SAFETENSORS_CROSSCHECK_DIR"] else {
            throw XCTSkip("set SAFETENSORS_CROSSCHECK_DIR to write a checkpoint for the Python cross-check")
        }
        let folder = URL(fileURLWithPath: dir)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let gpt = GPT(GPTConfig(vocabSize: 7, contextLength: 6, dModel: 8, heads: 2, layers: 1, conditionDim: 2), seed: 3)
        let metadata = ["written_by": "VLA Workbench engine", "model": "tiny conditioned GPT"]
        try gpt.save(to: folder.appendingPathComponent("swift_gpt.safetensors"), metadata: metadata)
        var expected: [String: Any] = ["__metadata__": metadata]
        for (name, t) in gpt.namedParameters() {
            expected[name] = ["shape": t.shape, "values": t.scalars.map(Double.init)]
        }
        let json = try JSONSerialization.data(withJSONObject: expected, options: [.sortedKeys])
        try json.write(to: folder.appendingPathComponent("expected.json"))
    }
}
