import ActionData
import Foundation
import Metrics
import Support

/// FAST's BPE shared across action sources (FAST+'s "universal" tokenizer).
///
/// Each source keeps its own percentile normalisation (a statistic of its data, as FAST+'s users
/// compute for their own robot), while the BPE merges and the coefficient alphabet are learned once
/// from a pool of sources. Sources may differ in dimensions and chunk length: the pool is a set of
/// integer coefficient sequences, one per chunk, each source normalised on its own percentiles.
extension FASTTokenizer {
    /// A shared BPE: the merges and the smallest coefficient of its alphabet.
    public struct SharedBPE: Sendable {
        public let model: BPEModel
        public let minCoefficient: Int
        /// The sources' chunks it was learned from, per source.
        public let chunksPerSource: [Int]
    }

    /// Learns FAST's BPE over every chunk of every set in `pool`, each set normalised on its own
    /// 1st and 99th percentiles; the alphabet spans the pooled coefficients' range.
    public static func sharedBPE(_ config: FASTConfig, pool: [ChunkSet]) throws -> SharedBPE {
        try config.validate()
        guard !pool.isEmpty, pool.allSatisfy({ $0.count > 0 }) else { throw TokenizerError.emptyFittingSet("fast (shared BPE)") }
        var flat: [Int32] = [], lengths: [Int] = []
        for set in pool {
            let coefficients = integerCoefficients(set.chunks, normaliser: normaliser(set, clip: config.clip), gamma: config.gamma)
            flat.append(contentsOf: coefficients)
            lengths.append(contentsOf: [Int](repeating: set.steps * set.dims, count: set.count))
        }
        let lo = flat.min()!, hi = flat.max()!
        let baseSize = Int(hi) - Int(lo) + 1
        guard baseSize <= config.vocabulary else {
            throw ConfigError(location: "tokenizer fast (shared BPE)", key: "vocabulary",
                              problem: "the pooled coefficients span \(baseSize) integers (\(lo)...\(hi)), more than the vocabulary \(config.vocabulary)")
        }
        let merges = BPEModel.learnMerges(flat.map { $0 - lo }, lengths: lengths, baseSize: baseSize, target: config.vocabulary)
        return SharedBPE(model: try BPEModel(baseSize: baseSize, merges: merges), minCoefficient: Int(lo), chunksPerSource: pool.map(\.count))
    }

    /// A fitted FAST tokenizer for `data`'s source that codes with `shared`'s BPE: only its
    /// percentile normalisation comes from `data`. Coefficients outside the shared alphabet are
    /// clipped to it when encoding and counted in ``stats`` (`encodeClipped`).
    public static func using(_ shared: SharedBPE, config: FASTConfig, normalisingOn data: ChunkSet) throws -> FASTTokenizer {
        try config.validate()
        guard data.count > 0 else { throw TokenizerError.emptyFittingSet("fast") }
        let t = FASTTokenizer(config)
        t.normaliser = normaliser(data, clip: config.clip)
        t.model = shared.model
        t.minCoefficient = shared.minCoefficient
        t.fittedDims = data.dims
        t.isFitted = true
        return t
    }

    /// The 1st and 99th percentiles of each dimension of `data` (as ``fit(_:)`` computes them).
    static func normaliser(_ data: ChunkSet, clip: Bool) -> FASTNormaliser {
        let sorted = (0..<data.dims).map { data.values(dimension: $0).sorted() }
        return FASTNormaliser(q01: sorted.map { Statistics.quantile(sorted: $0, 0.01) }, q99: sorted.map { Statistics.quantile(sorted: $0, 0.99) },
                              constant: sorted.map { $0.first! == $0.last! }, clip: clip)
    }
}
