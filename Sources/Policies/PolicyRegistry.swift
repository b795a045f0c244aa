import Support

/// The continuous chunk policies by name, each with its settings' reader.
///
/// A name maps to a ``ChunkObjective`` built from a settings table (its configuration's keys,
/// unknown keys and bad values rejected with the key named); ``ContinuousChunkModel`` and
/// ``ContinuousPolicy`` take any of them. The token policies (``TokenizedPolicy``, VQ-BeT) are
/// built from a tokenizer instead (the tokenizers' own registry).
public enum PolicyRegistry {
    /// One registered method.
    public struct Entry: Sendable {
        /// Registry name, e.g. `flow`.
        public let name: String
        /// One line for listings.
        public let summary: String
        /// Builds the objective from its settings table.
        public let make: @Sendable (ParameterReader) throws -> any ChunkObjective
    }

    /// Every method, in a fixed order.
    public static let all: [Entry] = [
        Entry(name: "flow", summary: "flow matching (pi0): Euler from noise to actions, 10 steps by default") {
            try FlowMatching(FlowMatchingConfig($0))
        },
        Entry(name: "diffusion", summary: "diffusion (Diffusion Policy): DDPM training, 100 timesteps, DDIM 10 steps by default") {
            try Diffusion(DiffusionConfig($0))
        },
        Entry(name: "regression", summary: "regression with an MSE loss: one pass, the mode-averaging baseline") {
            try $0.finish()
            return Regression()
        },
    ]

    /// The registered names, in order.
    public static var names: [String] { all.map(\.name) }

    /// The objective `name` with the settings in `parameters`; throws a ``ConfigError`` naming an unknown name or a bad key.
    public static func make(_ name: String, parameters: ParameterReader) throws -> any ChunkObjective {
        guard let entry = all.first(where: { $0.name == name }) else {
            throw ConfigError(location: parameters.location, key: "policy", problem: "expected one of \(names.joined(separator: ", ")), found \"\(name)\"")
        }
        return try entry.make(parameters)
    }
}
