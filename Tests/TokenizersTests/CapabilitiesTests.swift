import ActionData
import Support
import XCTest
@testable import Tokenizers

/// The optional capabilities: which tokenizers have them, and that they report what the concrete
/// counters say (the clip shares exactly as the token-stasis experiment computed them before).
final class CapabilitiesTests: XCTestCase {
    func testRegisteredTokenizersDeclareTheirCapabilities() throws {
        func has(_ name: String) throws -> [String] {
            let t = try TokenizerRegistry.make(name)
            return [t is any ReportsProgress ? "progress" : nil, t is any ReportsCodeUsage ? "usage" : nil,
                    t is any ReportsClipStatistics ? "clip" : nil, t is any RelaxedDecoding ? "relaxed" : nil,
                    t is any Windowed ? "windowed" : nil].compactMap { $0 }
        }
        XCTAssertEqual(try has("rvq"), ["progress", "usage", "windowed"])
        XCTAssertEqual(try has("fast"), ["clip", "relaxed"])
        XCTAssertEqual(try has("beast"), ["clip"])
        for name in ["minmax", "openvla", "equal-mass", "verlet"] { XCTAssertEqual(try has(name), [], name) }
    }

    func testFASTClipShareIsClippedCoefficientsOverEncodedValues() throws {
        let fit = try RobotArmGenerator(frequency: 20).chunks(count: 100, seed: 3)
        let tok = FASTTokenizer(FASTConfig(decodeMode: .relaxed))
        try tok.fit(fit)
        // Chunks four times longer than the fitting ones, held at the 99th or 1st percentile: their
        // DC coefficient is twice any seen in fitting (see FASTTests.testEncodeClippingIsCounted).
        let held = (0..<6).map { i in (0..<80).flatMap { _ in (0..<7).map { d in i % 2 == 0 ? tok.percentiles(dimension: d).q99 : tok.percentiles(dimension: d).q01 } } }
        let wild = try ChunkSet(chunks: held.map { try ActionChunk(steps: 80, dims: 7, values: $0) })
        let clipping: any ReportsClipStatistics = tok
        clipping.resetClipStatistics()
        for chunk in wild.chunks { _ = try tok.roundTrip(chunk) }
        XCTAssertGreaterThan(tok.stats.encodeClipped, 0)
        XCTAssertEqual(clipping.clipCount, ClipCount(clipped: tok.stats.encodeClipped, counted: 6 * 80 * 7))
        // Bit for bit the share token stasis recorded: clipped / (chunks x steps x dims).
        XCTAssertEqual(clipping.clipCount.share, Double(tok.stats.encodeClipped) / Double(wild.count * wild.steps * wild.dims))
        clipping.resetClipStatistics()
        XCTAssertEqual(tok.stats, FASTStatistics())
        XCTAssertEqual(clipping.clipCount.share, 0)
    }

    func testBEASTClipShareIsItsClipRate() throws {
        let data = try RobotArmGenerator(frequency: 20).chunks(count: 60, seed: 5)
        let tok = try BEASTTokenizer()
        try tok.fit(data)
        let clipping: any ReportsClipStatistics = tok
        clipping.resetClipStatistics()
        _ = try tok.encode(try ActionChunk(steps: 20, dims: 7, values: data.chunks[0].values.map { $0 * 50 + 1 }))
        XCTAssertGreaterThan(tok.stats.clipped, 0)
        XCTAssertEqual(clipping.clipCount, ClipCount(clipped: tok.stats.clipped, counted: tok.stats.controlPoints))
        XCTAssertEqual(clipping.clipCount.share, tok.stats.clipRate)
        clipping.resetClipStatistics()
        XCTAssertEqual(tok.stats, BEASTStats())
    }

    func testFASTRelaxedDecodingIsItsRelaxedMode() throws {
        let fit = try RobotArmGenerator(frequency: 20).chunks(count: 50, seed: 8)
        let tok = FASTTokenizer()
        try tok.fit(fit)
        let good = try tok.encode(fit.chunks[0])
        let broken = Array(good.prefix(2))
        let relaxed = try (tok as any RelaxedDecoding).decodeRelaxed(broken, steps: 20, dims: 7)
        let mode = try tok.decode(broken, steps: 20, dims: 7, mode: .relaxed)
        XCTAssertEqual(relaxed.chunk, mode.chunk)
        XCTAssertFalse(relaxed.clean)
        XCTAssertThrowsError(try tok.decode(broken, steps: 20, dims: 7), "strict decoding rejects it")
        XCTAssertTrue(try (tok as any RelaxedDecoding).decodeRelaxed(good, steps: 20, dims: 7).clean)
    }

    func testResidualVQWindowAndProgressReports() throws {
        let tok = try ResidualVQTokenizer(ResidualVQConfig(layers: 2, codebookSize: 4, window: 5, latentDim: 4, hidden: [8], trainSteps: 20, batchSize: 16, seed: 1))
        XCTAssertEqual((tok as any Windowed).window, 5)
        var reports: [TrainingProgress] = []
        (tok as any ReportsProgress).progress = { reports.append($0) }
        try tok.fit(try RobotArmGenerator(frequency: 10).chunks(count: 20, seed: 2))
        // The first step, then every tenth of the run: the same points as the fit's loss log.
        XCTAssertEqual(reports.map(\.step), tok.training.losses.map(\.step))
        XCTAssertEqual(reports.map(\.loss), tok.training.losses.map(\.loss))
        XCTAssertEqual(reports.map { $0.terms[0].value }, tok.training.losses.map(\.reconstruction))
        XCTAssertEqual(reports.last?.totalSteps, 20)
        XCTAssertEqual(reports.last?.eta, 0)
    }
}
