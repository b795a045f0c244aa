import ActionData
import Support

/// Shared machinery of the binning family: each dimension of each step becomes one token.
///
/// Subclasses decide how a value maps to a bin (``bin(_:dimension:)``) and what value a bin
/// decodes to (``value(ofBin:dimension:)``); this class does the layout (time-major: step 0's
/// dimensions, then step 1's, ...), the checks and the fitting bookkeeping. The token id is the
/// bin index, shared by all dimensions, so the vocabulary is the number of bins (as in RT-1/RT-2).
public class PerDimensionBinning: ActionTokenizer {
    public let name: String
    /// Bins per dimension.
    public let bins: Int
    public var vocabularySize: Int { bins }
    public internal(set) var isFitted = false
    /// Dimensions seen when fitting.
    public internal(set) var fittedDims = 0

    init(name: String, bins: Int) {
        self.name = name; self.bins = bins
    }

    public func tokensPerChunk(steps: Int, dims: Int) -> Int? { steps * dims }

    public func fit(_ data: ChunkSet) throws {
        guard data.count > 0 else { throw TokenizerError.emptyFittingSet(name) }
        try fitDimensions((0..<data.dims).map { data.values(dimension: $0).sorted() })
        fittedDims = data.dims
        isFitted = true
    }

    public func encode(_ chunk: ActionChunk) throws -> [Int] {
        try requireEncodable(chunk, fitted: fittedDims)
        var out = [Int](repeating: 0, count: chunk.values.count)
        for t in 0..<chunk.steps {
            for d in 0..<chunk.dims { out[t * chunk.dims + d] = bin(chunk[t, d], dimension: d) }
        }
        return out
    }

    public func decode(_ tokens: [Int], steps: Int, dims: Int) throws -> ActionChunk {
        try requireDecodable(tokens, steps: steps, dims: dims, fitted: fittedDims)
        var values = [Double](repeating: 0, count: tokens.count)
        for (i, id) in tokens.enumerated() { values[i] = value(ofBin: id, dimension: i % dims) }
        return try ActionChunk(steps: steps, dims: dims, values: values)
    }

    public func fittedState() throws -> ParameterValue {
        try requireFitted()
        return .table([("bins", .int(bins)), ("dims", .int(fittedDims))] + stateEntries().map { ($0.key, .array($0.values.map { .double($0) })) })
    }

    /// Rebuilds a fitted tokenizer from ``fittedState()``'s tree (`make` creates the unfitted one).
    static func restore<T: PerDimensionBinning>(_ p: ParameterReader, make: (BinningConfig) -> T) throws -> T {
        let config = try BinningConfig(saved: p)
        let t = make(config)
        let dims = try p.int("dims", in: 1...1_000_000)
        var arrays: [String: [Double]] = [:]
        for (key, count) in t.stateLayout(dims: dims) {
            let v = try p.doubles(key)
            guard v.count == count else {
                throw ConfigError(location: p.location, key: key, problem: "expected \(count) numbers for \(dims) dimensions and \(t.bins) bins, found \(v.count)")
            }
            arrays[key] = v
        }
        try p.finish()
        for (key, _) in t.stateLayout(dims: dims) {
            if let i = arrays[key]!.firstIndex(where: { !$0.isFinite }) {
                throw ConfigError(location: p.location, key: key, problem: "value \(i) is not a finite number")
            }
        }
        if let bad = t.stateProblem(arrays, dims: dims) {
            throw ConfigError(location: p.location, key: bad.key, problem: bad.problem)
        }
        t.restoreState(arrays, dims: dims)
        t.fittedDims = dims
        t.isFitted = true
        return t
    }

    // MARK: For subclasses

    /// The fitted arrays by name, flattened dimension-major.
    func stateEntries() -> [(key: String, values: [Double])] { fatalError("subclass must implement") }
    /// The names and lengths of the fitted arrays for `dims` dimensions.
    func stateLayout(dims: Int) -> [(key: String, count: Int)] { fatalError("subclass must implement") }
    /// What is wrong with finite arrays read back from a saved state (lengths already checked),
    /// or `nil` when a fitted tokenizer could have produced them.
    func stateProblem(_ arrays: [String: [Double]], dims: Int) -> (key: String, problem: String)? { nil }
    /// Installs arrays read back from a saved state (lengths and values already checked).
    func restoreState(_ arrays: [String: [Double]], dims: Int) { fatalError("subclass must implement") }

    /// Learns per-dimension parameters from each dimension's sorted fitting values.
    func fitDimensions(_ sorted: [[Double]]) throws { fatalError("subclass must implement") }
    /// The bin of value `x` in dimension `d`, in `0..<bins`.
    func bin(_ x: Double, dimension d: Int) -> Int { fatalError("subclass must implement") }
    /// The value bin `b` of dimension `d` decodes to.
    func value(ofBin b: Int, dimension d: Int) -> Double { fatalError("subclass must implement") }
}

/// The configuration shared by the binning tokenizers; validates itself and names the bad field.
public struct BinningConfig: Equatable, Sendable, FieldListedConfig {
    /// Bins per dimension (RT-1, RT-2 and OpenVLA use 256).
    public var bins = 256

    /// Every field: its key and allowed values (the reader, ``validate(location:)`` and saved states use this list).
    public static let fields: [ConfigField<Self>] = [
        .int("bins", \.bins, in: 2...65_536),
    ]

    /// Every default value, in one place (the property declarations above).
    public static let defaults = BinningConfig()

    /// A configuration holding every default.
    public init() {}

    /// A configuration with `bins` bins per dimension.
    public init(bins: Int = defaults.bins) { self.bins = bins }

    /// Throws a ``ConfigError`` naming the first field outside its allowed values.
    public func validate(location: String = "binning") throws {
        try Self.fields.validate(self, location: location)
    }
}
