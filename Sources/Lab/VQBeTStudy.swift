import Experiments
import Policies
import Support
import Tokenizers

/// The one reader of the settings every experiment that trains VQ-BeT on the multi-route task
/// shares (the architectures chapter's anatomy, the training chapter's codebook size).
///
/// The residual VQ comes from `[parameters.tokenizer]` (``ResidualVQConfig``'s keys), the policy
/// from `[parameters.policy]` (``VQBeTConfig``'s keys). Neither table sets a seed: the experiment
/// draws them per seed.
public enum VQBeTStudy {
    /// Layers of the residual VQ: a primary code and at least one secondary (the coarse-to-fine
    /// question needs both; `K` codes per layer give `K^layers` combinations).
    public static let residualLayers = 2...8

    /// `[parameters.tokenizer]` as a residual VQ of ``residualLayers`` layers; `setByExperiment`
    /// names further keys the experiment sets itself, each with how (rejected before the seed).
    public static func residualVQ(_ p: ParameterReader, setByExperiment: [(key: String, how: String)] = []) throws -> ResidualVQConfig {
        let t = try p.table("tokenizer", required: true)
        for (key, how) in setByExperiment { try t.reject(key, because: how) }
        try t.reject("seed", because: "drawn per seed by the experiment")
        let config = try ResidualVQConfig(t)
        guard residualLayers.contains(config.layers) else {
            throw ConfigError(location: t.location, key: "layers",
                              problem: "expected an integer in \(residualLayers.lowerBound)...\(residualLayers.upperBound) (a primary code and at least one secondary), found \(config.layers)")
        }
        return config
    }

    /// `[parameters.policy]` as VQ-BeT, whose offset head the experiment sets (`offsets` says how).
    public static func policy(_ p: ParameterReader, offsets: String) throws -> VQBeTConfig {
        let q = try p.table("policy", required: true)
        try q.reject("seed", because: "drawn per seed by the experiment")
        try q.reject("offsets", because: offsets)
        return try VQBeTConfig(q)
    }

    /// `[parameters.earlier_recipe]`, the policy recipe of the book's earlier runs, measured beside
    /// the reference recipe as an ablation (never judged); `nil` when the file has no such table.
    ///
    /// Its `policy` table holds the ``VQBeTConfig`` keys that differ from `[parameters.policy]` and
    /// is laid over it; the reader is returned so the caller reads its own keys and finishes it.
    public static func earlierRecipe(_ p: ParameterReader, offsets: String) throws -> (policy: VQBeTConfig, table: ParameterReader)? {
        guard p.value("earlier_recipe") != nil else { return nil }
        let e = try p.table("earlier_recipe")
        guard let over = e.value("policy"), case .table = over else {
            throw ConfigError(location: e.location, key: "policy", problem: "expected a table of the policy's keys that differ from [parameters.policy]")
        }
        let q = try ParameterReader((p.value("policy") ?? .table([])).merged(with: over), location: "\(e.location).policy")
        try q.reject("seed", because: "drawn per seed by the experiment")
        try q.reject("offsets", because: offsets)
        return (try VQBeTConfig(q), e)
    }

    /// Scripted demonstrations to train on (`train_demos`, 2...100 000) and to hold out
    /// (`test_demos`, 1...100 000), and closed-loop `episodes` (1...1 000 000), read in that order.
    public static func demonstrations(_ p: ParameterReader) throws -> (train: Int, test: Int, episodes: Int) {
        (try p.int("train_demos", in: 2...100_000), try p.int("test_demos", in: 1...100_000), try p.int("episodes", in: 1...1_000_000))
    }
}
