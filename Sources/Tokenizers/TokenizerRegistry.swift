import Support

/// One registered tokenizer: its name, what it is, and how to build it from parameters.
public struct TokenizerDescriptor: Sendable {
    /// Stable registry name, used in experiment files and on the command line.
    public let name: String
    /// Short human title (e.g. "Min-max binning (RT-1/RT-2)").
    public let title: String
    /// Family, for grouping in tables: binning, signal, learned, continuous.
    public let family: String
    /// Builds an unfitted tokenizer from its configuration table (unknown keys are errors).
    public let make: @Sendable (ParameterReader) throws -> any ActionTokenizer
    /// Rebuilds a fitted tokenizer from the tree its `fittedState()` returned.
    public let restore: @Sendable (ParameterReader) throws -> any ActionTokenizer
    /// Whether fitting draws random numbers from a `seed` setting (experiments vary it with their seed).
    public let seeded: Bool

    public init(name: String, title: String, family: String, seeded: Bool = false,
                make: @escaping @Sendable (ParameterReader) throws -> any ActionTokenizer,
                restore: @escaping @Sendable (ParameterReader) throws -> any ActionTokenizer) {
        self.name = name; self.title = title; self.family = family; self.seeded = seeded; self.make = make; self.restore = restore
    }

    /// `settings` with `seed` added when this tokenizer's fit is random and the table sets no seed.
    public func settings(_ settings: ParameterValue, seed: UInt64) -> ParameterValue {
        guard seeded, settings["seed"] == nil else { return settings }
        return settings.merged(with: .table([("seed", .int(Int(seed & UInt64(Int.max))))]))
    }
}

/// The single registry from names to tokenizer implementations.
///
/// Adding a tokenizer means writing one file that conforms to ``ActionTokenizer`` and adding
/// one line here.
public enum TokenizerRegistry {
    /// Every registered tokenizer, in the order tables and figures list them.
    public static let all: [TokenizerDescriptor] = [
        TokenizerDescriptor(name: "minmax", title: "Min-max binning (RT-1/RT-2)", family: "binning",
                            make: { MinMaxBinning(try BinningConfig($0)) },
                            restore: { try PerDimensionBinning.restore($0, make: MinMaxBinning.init) }),
        TokenizerDescriptor(name: "openvla", title: "Percentile-normalised binning (OpenVLA)", family: "binning",
                            make: { OpenVLABinning(try BinningConfig($0)) },
                            restore: { try PerDimensionBinning.restore($0, make: OpenVLABinning.init) }),
        TokenizerDescriptor(name: "equal-mass", title: "Equal-mass binning (quantile formula)", family: "binning",
                            make: { EqualMassBinning(try BinningConfig($0)) },
                            restore: { try PerDimensionBinning.restore($0, make: EqualMassBinning.init) }),
        TokenizerDescriptor(name: "verlet", title: "Verlet delta tokens (MotionLM)", family: "delta",
                            make: { try VerletTokenizer(try VerletConfig($0)) },
                            restore: { try VerletTokenizer.restore($0) }),
        TokenizerDescriptor(name: "beast", title: "B-spline control-point tokens (BEAST)", family: "signal",
                            make: { try BEASTTokenizer(try BEASTConfig($0)) },
                            restore: { try BEASTTokenizer.restore($0) }),
        TokenizerDescriptor(name: "fast", title: "FAST: DCT + byte-pair encoding (Pertsch et al. 2025)", family: "signal",
                            make: { FASTTokenizer(try FASTConfig($0)) },
                            restore: { try FASTTokenizer.restore($0) }),
        TokenizerDescriptor(name: "rvq", title: "Residual VQ autoencoder (VQ-BeT)", family: "learned", seeded: true,
                            make: { try ResidualVQTokenizer(try ResidualVQConfig($0)) },
                            restore: { try ResidualVQTokenizer.restore($0) }),
    ]

    /// Registered names, in order.
    public static var names: [String] { all.map(\.name) }

    /// The descriptor for `name`, or an error listing the registered names.
    public static func descriptor(_ name: String) throws -> TokenizerDescriptor {
        guard let d = all.first(where: { $0.name == name }) else {
            throw TokenizerError.unknownTokenizer(name, available: names)
        }
        return d
    }

    /// A new unfitted tokenizer `name`, configured by `parameters` (defaults when `nil`).
    public static func make(_ name: String, parameters: ParameterReader? = nil) throws -> any ActionTokenizer {
        try descriptor(name).make(parameters ?? .empty(location: "tokenizer \(name)"))
    }
}
