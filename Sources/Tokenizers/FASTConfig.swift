import Support

/// How FAST decoding treats a malformed token sequence.
public enum FASTDecodeMode: String, Sendable, CaseIterable {
    /// Any failure throws ``FASTDecodingError`` (after being counted).
    case strict
    /// Unknown ids are dropped, the coefficients truncated or zero-padded to `steps * dims`, and
    /// (with clipping) out-of-range normalised values clamped to the range limit (see
    /// ``FASTTokenizer``); every repair is counted and reported.
    case relaxed
}

/// The configuration of the FAST tokenizer; validates itself and names the bad field.
public struct FASTConfig: Equatable, Sendable, FieldListedConfig {
    /// The scale applied to DCT coefficients before rounding (the paper's default is 10).
    public var gamma: Double = 10
    /// The target vocabulary: base coefficient symbols plus BPE merges (1024 for single data sets).
    public var vocabulary: Int = 1024
    /// What decoding does with malformed sequences.
    public var decodeMode: FASTDecodeMode = .strict
    /// Clip the normalised values to [-1, 1] before the DCT, as OpenVLA's binning does (off: the
    /// FAST paper's and openpi's normalisation, where values beyond the percentiles pass through).
    public var clip = false

    /// Every field: its key and allowed values (the reader, ``validate(location:)`` and saved states use this list).
    public static let fields: [ConfigField<Self>] = [
        .double("gamma", \.gamma, in: 0.01...10_000),
        .int("vocabulary", \.vocabulary, in: 2...65_536),
        .choice("decode_mode", \.decodeMode),
        .bool("clip", \.clip),
    ]

    /// Every default value, in one place (the property declarations above).
    public static let defaults = FASTConfig()

    /// A configuration holding every default.
    public init() {}

    /// A configuration that changes the given fields and keeps the others' defaults; call
    /// ``validate(location:)`` before use when values come from outside.
    public init(gamma: Double = defaults.gamma, vocabulary: Int = defaults.vocabulary, decodeMode: FASTDecodeMode = defaults.decodeMode,
                clip: Bool = defaults.clip) {
        self.gamma = gamma; self.vocabulary = vocabulary; self.decodeMode = decodeMode; self.clip = clip
    }

    /// Throws a ``ConfigError`` naming the first field outside its allowed range.
    public func validate(location: String = "tokenizer fast") throws {
        try Self.fields.validate(self, location: location)
    }
}

/// Why a FAST token sequence could not be decoded (strict mode). Each case carries its counts.
public enum FASTDecodingError: Error, CustomStringConvertible, Equatable {
    /// `count` ids are outside `0..<vocabularySize`; the first is `id` at `position`.
    case unknownIds(count: Int, id: Int, position: Int, vocabularySize: Int)
    /// The (known) ids expand to `got` coefficients instead of `steps * dims`.
    case wrongCoefficientCount(expected: Int, got: Int)
    /// `count` decoded values lie outside the normalised range [-limit, limit] (worst `worst`).
    case outOfRange(count: Int, worst: Double, limit: Double)

    public var description: String {
        switch self {
        case let .unknownIds(c, id, p, v):
            return "tokenizer 'fast': unknown id: \(c) id(s) outside the vocabulary 0..<\(v), the first is \(id) at position \(p)"
        case let .wrongCoefficientCount(e, g):
            return "tokenizer 'fast': wrong coefficient count: the tokens expand to \(g) coefficients, the chunk needs \(e)"
        case let .outOfRange(c, w, l):
            return "tokenizer 'fast': out-of-range value: \(c) decoded value(s) outside the normalised range [-\(l), \(l)], worst \(w)"
        }
    }
}

/// What decoding one token sequence found and repaired.
public struct FASTDecodeReport: Equatable, Sendable {
    /// Ids outside the vocabulary (relaxed: dropped).
    public var unknownIds = 0
    /// Coefficients the known ids expanded to, and how many the chunk needs.
    public var coefficients = 0
    public var expectedCoefficients = 0
    /// Coefficients cut off the end (relaxed, too many) or zeros appended (relaxed, too few).
    public var truncated = 0
    public var padded = 0
    /// Normalised values outside [-limit, limit] (relaxed: clamped to the limit).
    public var outOfRange = 0

    public init() {}

    /// Whether the sequence decoded without any failure.
    public var isClean: Bool { unknownIds == 0 && coefficients == expectedCoefficients && outOfRange == 0 }
}

/// Running counts of everything FAST clipped, rejected or repaired since the last reset.
public struct FASTStatistics: Equatable, Sendable {
    /// Chunks encoded, the coefficients they held, and coefficients clipped to the fitted range at encoding (below / above).
    public var encodedChunks = 0
    public var encodedCoefficients = 0
    public var encodeClippedBelow = 0
    public var encodeClippedAbove = 0
    /// Total coefficients clipped at encoding.
    public var encodeClipped: Int { encodeClippedBelow + encodeClippedAbove }
    /// Token sequences decoded (successfully or not).
    public var decodedChunks = 0
    /// Failures by kind: sequences with the wrong coefficient count, unknown ids, out-of-range values.
    public var wrongCoefficientCount = 0
    public var unknownId = 0
    public var outOfRange = 0
    /// Relaxed repairs: sequences truncated or padded, and coefficients removed or added.
    public var truncatedChunks = 0
    public var paddedChunks = 0
    public var truncatedCoefficients = 0
    public var paddedCoefficients = 0

    public init() {}

    /// Adds another set of counts (e.g. from a worker thread).
    public mutating func add(_ o: FASTStatistics) {
        encodedChunks += o.encodedChunks; encodedCoefficients += o.encodedCoefficients; encodeClippedBelow += o.encodeClippedBelow; encodeClippedAbove += o.encodeClippedAbove
        decodedChunks += o.decodedChunks; wrongCoefficientCount += o.wrongCoefficientCount
        unknownId += o.unknownId; outOfRange += o.outOfRange
        truncatedChunks += o.truncatedChunks; paddedChunks += o.paddedChunks
        truncatedCoefficients += o.truncatedCoefficients; paddedCoefficients += o.paddedCoefficients
    }

    /// Records one decode's report.
    mutating func record(_ r: FASTDecodeReport) {
        decodedChunks += 1
        unknownId += r.unknownIds
        if r.coefficients != r.expectedCoefficients { wrongCoefficientCount += 1 }
        outOfRange += r.outOfRange
        if r.truncated > 0 { truncatedChunks += 1; truncatedCoefficients += r.truncated }
        if r.padded > 0 { paddedChunks += 1; paddedCoefficients += r.padded }
    }
}
