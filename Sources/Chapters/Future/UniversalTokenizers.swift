import ActionData
import Foundation
import Lab
import Metrics
import Support
import Tokenizers
import Experiments

/// Future chapter: whether one tokenizer serves every robot (FAST+'s promise), and whether a VQ
/// trained on synthetic motions serves real ones (the audit's suggestion for VQ tokenizers).
///
/// 1. Leave one out: per seed, FAST's BPE is learned on the other sources' chunks (each source
///    normalised on its own percentiles, as FAST+ users do for their robot) and applied to the
///    held-out source's chunks, against FAST fitted on that source alone: tokens per chunk, chunks
///    whose round trip fails (a coefficient outside the shared alphabet, or strict decoding
///    refused) and the round-trip error.
/// 2. Synthetic to real: VQ-BeT's residual VQ (LeRobot's settings) trained on synthetic planar
///    motions is applied to LASA's held-out demonstrations, as trained and with LASA's own mean and
///    spread, against the same VQ trained on LASA's other demonstrations: reconstruction with the
///    primary code alone and with every code.
public struct UniversalTokenizers: Experiment {
    public let chapter = "future"
    public let name = "universal"
    public init() {}

    public var inputs: [ExperimentInput] { [.lasa] }
    public var statistics: [String: [String]] {
        ["token_ratio": ["sources"], "transfer_failures": ["sources"], "vq_ratio": ["variant", "layers"]]
    }

    /// An action source of the leave-one-out pool.
    enum Source: String, CaseIterable, Codable {
        case arm, wipe, bimanual = "arm-14", splines, lasa
    }

    public struct Config {
        let sources: [Source]
        let frequency: Double               // every source's one-second chunks at this rate
        let fitChunks: Int, evalChunks: Int
        let fast: FASTConfig
        let vq: ResidualVQConfig
        let syntheticChunks: Int
    }

    public func configure(_ p: ParameterReader) throws -> Config {
        let sources = try p.strings("sources", allowed: Source.allCases.map(\.rawValue)).map { Source(rawValue: $0)! }
        guard sources.count >= 3, Set(sources).count == sources.count else {
            throw ConfigError(location: p.location, key: "sources", problem: "expected at least three distinct sources (one held out, at least two pooled)")
        }
        let fast = try FASTConfig(try p.table("fast", required: true))
        let vq = try VQBeTStudy.residualVQ(p)
        return Config(sources: sources, frequency: try p.double("frequency", in: 1...1000),
                      fitChunks: try p.int("fit_chunks", in: 1...10_000_000), evalChunks: try p.int("eval_chunks", in: 1...10_000_000),
                      fast: fast, vq: vq, syntheticChunks: try p.int("synthetic_chunks", in: 1...10_000_000))
    }

    /// The leave-one-out splits of `count` sources: each held out once, the others pooled, in order.
    static func leaveOneOut(_ count: Int) -> [(heldOut: Int, pool: [Int])] {
        (0..<count).map { h in (h, (0..<count).filter { $0 != h }) }
    }

    /// One source's fitting and measuring chunks for `seed` (LASA: demonstrations 0-4 and 5-6).
    static func sets(_ source: Source, frequency: Double, fit: Int, eval: Int, seed: UInt64, lasa: URL?) throws -> (fit: ChunkSet, eval: ChunkSet)? {
        let rng = SeededGenerator(seed: seed).derived("universal \(source.rawValue)")
        switch source {
        case .arm: return try DataSource.arm.split(fit: fit, eval: eval, frequency: frequency, seed: rng)
        case .bimanual: return try DataSource.bimanualArm.split(fit: fit, eval: eval, frequency: frequency, seed: rng)
        case .wipe:
            let g = RobotArmGenerator(frequency: frequency, family: .wipe)
            return (try g.chunks(count: fit, seed: rng.derived("fit").seed), try g.chunks(count: eval, seed: rng.derived("eval").seed))
        case .splines:
            let steps = Int(frequency.rounded())
            return (try DidacticSplines.sample(count: fit, steps: steps, seed: rng.derived("fit").seed).chunks,
                    try DidacticSplines.sample(count: eval, steps: steps, seed: rng.derived("eval").seed).chunks)
        case .lasa:
            guard let lasa else { return nil }
            return try DataSource.lasa(lasa).split(fit: fit, eval: eval, frequency: frequency, seed: rng)
        }
    }

    /// Synthetic planar motions: two independent didactic splines side by side per chunk.
    static func syntheticPlanar(count: Int, steps: Int, seed: UInt64) throws -> ChunkSet {
        let rng = SeededGenerator(seed: seed).derived("synthetic planar motions")
        let x = try DidacticSplines.sample(count: count, steps: steps, seed: rng.derived("x").seed).chunks
        let y = try DidacticSplines.sample(count: count, steps: steps, seed: rng.derived("y").seed).chunks
        return try x.concatenatingDimensions(with: y)
    }

    /// What FAST did on one held-out source, with the shared BPE and with its own.
    struct FASTRow: Codable {
        var source: String
        var tokensShared: Double, tokensOwn: Double
        var failuresShared: Double, failuresOwn: Double
        var errorShared: Double, errorOwn: Double
    }

    /// What the residual VQs reconstructed of LASA's held-out chunks (mean squared error, mm²/s²).
    struct VQCell: Codable {
        var own: CoarseAndFineError, synthetic: CoarseAndFineError, restandardised: CoarseAndFineError
    }

    struct Cell: Codable {
        var fast: [FASTRow]
        var vq: VQCell?
        var dataHash: String
    }

    public func run(_ c: Config, context: RunContext) throws -> ExperimentOutcome {
        let lasa = context.inputs["lasa"]
        let sources = c.sources.filter { $0 != .lasa || lasa != nil }
        if sources.count < c.sources.count { context.progress.say("LASA is not installed (scripts/install-deps.sh, or --input lasa=DIR): left out of the pool, no VQ transfer") }
        context.progress.begin(total: context.seeds.count * 2, "universal: FAST leave-one-out over \(sources.count) sources, and the residual VQ from synthetic motions to LASA")
        let units = context.seeds.flatMap { s in [(seed: s, vq: false), (seed: s, vq: true)] }
        let measured = try context.cells(units, label: { "seed \($0.seed) · \($0.vq ? "residual VQ" : "FAST")" }, cost: { $0.vq ? 6 : 1 }) { u -> Cell in
            u.vq ? try measureVQ(c, seed: u.seed, lasa: lasa, context: context) : try measureFAST(c, sources: sources, seed: u.seed, lasa: lasa, context: context)
        }
        let cells = context.seeds.indices.map { i in Cell(fast: measured[2 * i].fast, vq: measured[2 * i + 1].vq, dataHash: measured[2 * i].dataHash) }
        return try outcome(c, sources: sources, cells: cells, claims: context.claims, inputHash: StableHash.sha256Hex(cells.map(\.dataHash).joined()))
    }

    func measureFAST(_ c: Config, sources: [Source], seed: UInt64, lasa: URL?, context: RunContext) throws -> Cell {
        let sets = try sources.map { try Self.sets($0, frequency: c.frequency, fit: c.fitChunks, eval: c.evalChunks, seed: seed, lasa: lasa)! }
        var rows: [FASTRow] = []
        for (h, pool) in Self.leaveOneOut(sources.count) {
            let shared = try FASTTokenizer.sharedBPE(c.fast, pool: pool.map { sets[$0].fit })
            let universal = try FASTTokenizer.using(shared, config: c.fast, normalisingOn: sets[h].fit)
            let own = FASTTokenizer(c.fast)
            try own.fit(sets[h].fit)
            let a = try Self.roundTrip(universal, sets[h].eval), b = try Self.roundTrip(own, sets[h].eval)
            rows.append(FASTRow(source: sources[h].rawValue, tokensShared: a.tokens, tokensOwn: b.tokens, failuresShared: a.failures, failuresOwn: b.failures,
                                errorShared: a.error, errorOwn: b.error))
            context.progress.say("  seed \(seed) · \(sources[h].rawValue) held out · \(Format.number(a.tokens)) tokens per chunk with the shared BPE, \(Format.number(b.tokens)) with its own")
        }
        context.progress.step("seed \(seed) · FAST leave-one-out over \(sources.count) sources")
        return Cell(fast: rows, vq: nil, dataHash: StableHash.sha256Hex(sets.map { $0.fit.contentHash + $0.eval.contentHash }.joined()))
    }

    /// Tokens per chunk, the share of chunks whose round trip fails, and the round-trip error of `tok` on `data`.
    static func roundTrip(_ tok: FASTTokenizer, _ data: ChunkSet) throws -> (tokens: Double, failures: Double, error: Double) {
        var tokens = 0, failures = 0
        var decoded: [[Double]] = []
        for chunk in data.chunks {
            tok.resetStatistics()
            let ids = try tok.encode(chunk)
            tokens += ids.count
            let clipped = tok.stats.encodeClipped > 0
            if let back = try? tok.decode(ids, steps: chunk.steps, dims: chunk.dims, mode: .strict) {
                decoded.append(back.chunk.values)
                if clipped { failures += 1 }
            } else {
                failures += 1
                decoded.append(SplinePrediction.decodeForEvaluation(tok, ids, steps: chunk.steps, dims: chunk.dims).chunk.values)
            }
        }
        return (Double(tokens) / Double(data.count), Double(failures) / Double(data.count), NormalisedError.of(decoded, truth: data))
    }

    func measureVQ(_ c: Config, seed: UInt64, lasa: URL?, context: RunContext) throws -> Cell {
        guard let lasa, let real = try Self.sets(.lasa, frequency: c.frequency, fit: c.fitChunks, eval: c.evalChunks, seed: seed, lasa: lasa) else {
            context.progress.step("seed \(seed) · residual VQ: no LASA data")
            return Cell(fast: [], vq: nil, dataHash: "")
        }
        let synthetic = try Self.syntheticPlanar(count: c.syntheticChunks, steps: real.fit.steps, seed: seed)
        let rng = SeededGenerator(seed: seed)
        func fitted(_ data: ChunkSet, _ label: String) throws -> ResidualVQTokenizer {
            var config = c.vq
            config.seed = rng.derived("residual VQ \(label)").seed
            let vq = try ResidualVQTokenizer(config)
            vq.progress = { context.progress.say("  seed \(seed) · residual VQ on \(label) · \($0)") }
            try vq.fit(data)
            return vq
        }
        let own = try fitted(real.fit, "LASA"), transferred = try fitted(synthetic, "synthetic motions")
        let cell = VQCell(own: try own.coarseAndFine(real.eval), synthetic: try transferred.coarseAndFine(real.eval),
                          restandardised: try transferred.restandardised(on: real.fit).coarseAndFine(real.eval))
        context.progress.step("seed \(seed) · residual VQ · primary-code error from synthetic motions \(Format.number(cell.restandardised.primary / cell.own.primary)) times LASA's own")
        return Cell(fast: [], vq: cell, dataHash: synthetic.contentHash)
    }
}
