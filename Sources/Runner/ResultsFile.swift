import Experiments
import Foundation
import Literate
import Support
import Metrics

/// An experiment's `results.json`: the one type the runner writes and every reader reads back
/// (the cache check, `workbench verify`, the claims ledger).
///
/// Every summary (`mean`, `std`, `ci95`) is written for readers outside Swift; readers here rebuild
/// it from the per-seed values on the entry's scale with ``SeedSummary``, so every reader formats a
/// result the same way. Non-finite numbers are written as `null` and read back as NaN.
///
/// Older files are read too: an absent `scale` means `linear`, an absent `seeds_holding` is
/// counted from the per-seed values and the rule, absent `timings` and `near_threshold` are empty
/// and false, and a missing interval is fine.
public struct ResultsFile: Codable, Sendable {
    /// `chapter/name`.
    public var experiment: String
    public var title: String
    public var profile: String
    public var seeds: [Int]
    /// The resolved parameters the run used (seeds included).
    public var config: ParameterValue
    /// Measurements per condition, one value per seed.
    public var metrics: [Series]
    /// Wall-clock measurements, kept apart: verdicts, the cache and `workbench verify` never read them.
    public var timings: [Series]
    public var claims: [ClaimResult]
    /// Every file of the results folder (figures, their scripts and data, results.json and .md).
    public var files: [String]
    /// SHA-256 of every file but results.json, as written, so a file from another run or edited
    /// by hand is found (`workbench check`); empty in files written before it was recorded.
    public var fileHashes: [String: String] = [:]
    public var provenance: ProvenanceRecord
    /// Path relative to the root, for messages (not stored in the file).
    public var path = ""

    /// One measured quantity under one condition.
    public struct Series: Codable, Sendable {
        /// The condition's labels, e.g. `[tokenizer: minmax, fraction: 0.01]`, in the experiment's order
        /// (written as a JSON object; read back in the file's key order).
        public var condition: [(name: String, value: String)]
        public var metric: String
        public var unit: String
        public var scale: StatisticScale
        public var perSeed: [Double]

        /// Centre and 95 % interval over the seeds on the metric's scale.
        public var summary: SeedSummary { SeedSummary(perSeed, scale: scale) }
        /// `metric` and the condition's labels, e.g. `relative_rmse (tokenizer=minmax, fraction=0.01)`.
        public var key: String {
            condition.isEmpty ? metric : "\(metric) (\(condition.map { "\($0.name)=\($0.value)" }.joined(separator: ", ")))"
        }
    }

    /// One judged claim, with its rule as the run applied it.
    public struct ClaimResult: Codable, Sendable {
        public var id: String
        public var statement: String
        public var rule: Rule
        /// The reduced statistic of each seed.
        public var perSeed: [Double]
        /// How many seeds' values satisfy the rule on their own.
        public var seedsHolding: Int
        /// Whether a rerun elsewhere could plausibly flip the verdict (see ``Verdict/nearThreshold``).
        public var nearThreshold: Bool
        /// `supported`, `not supported` or `inconclusive`.
        public var verdict: String

        public var scale: StatisticScale { rule.scale }
        /// The per-seed values summarised on the rule's scale.
        public var summary: SeedSummary { SeedSummary(perSeed, scale: rule.scale) }
        /// The rule in words, as ``ClaimSpec/ruleText`` gives it.
        public var ruleText: String {
            ClaimSpec.ruleText(statistic: rule.statistic, reduce: rule.reduce, compare: rule.compare, threshold: rule.threshold)
        }
        /// `2 of 3`, with the near-threshold mark, as the results snippets show it.
        public var seedsText: String { Verdict.seedsText(holding: seedsHolding, of: perSeed.count, near: nearThreshold) }
        /// The verdict with its mark, as the results snippets show it.
        public var markedVerdict: String { Verdict.Outcome(rawValue: verdict)?.mark ?? verdict }
    }

    /// A claim's decision rule.
    public struct Rule: Codable, Sendable {
        public var statistic: String
        public var select: ParameterValue
        public var reduce: String
        public var compare: ClaimSpec.Comparison
        public var threshold: Double
        public var scale: StatisticScale
    }

    /// Where the numbers came from.
    public struct ProvenanceRecord: Codable, Sendable {
        public var gitCommit: String
        public var gitDirty: Bool
        public var toolchain: String
        public var cpuModel: String
        public var blasKernel: String
        public var engineTargetCPU: String
        public var codeSHA256: String
        public var inputDataSHA256: String
        public var experimentFile: String
        /// Everything that determines the result (see ``ChapterRunner``): a matching key reuses it.
        public var cacheKey: String

        enum CodingKeys: String, CodingKey {
            case gitCommit = "git_commit", gitDirty = "git_dirty", toolchain, cpuModel = "cpu_model", blasKernel = "blas_kernel"
            case engineTargetCPU = "engine_target_cpu", codeSHA256 = "code_sha256", inputDataSHA256 = "input_data_sha256"
            case experimentFile = "experiment_file", cacheKey = "cache_key"
        }

        /// Reads a record, with `unknown` (or empty) for fields older files lack.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            func text(_ key: CodingKeys, _ fallback: String = "unknown") throws -> String { try c.decodeIfPresent(String.self, forKey: key) ?? fallback }
            gitCommit = try text(.gitCommit); gitDirty = try c.decodeIfPresent(Bool.self, forKey: .gitDirty) ?? false
            toolchain = try text(.toolchain); cpuModel = try text(.cpuModel); blasKernel = try text(.blasKernel)
            engineTargetCPU = try text(.engineTargetCPU); codeSHA256 = try text(.codeSHA256, ""); inputDataSHA256 = try text(.inputDataSHA256, "")
            experimentFile = try text(.experimentFile, ""); cacheKey = try text(.cacheKey, "")
        }

        init(gitCommit: String, gitDirty: Bool, toolchain: String, cpuModel: String, blasKernel: String, engineTargetCPU: String,
             codeSHA256: String, inputDataSHA256: String, experimentFile: String, cacheKey: String) {
            self.gitCommit = gitCommit; self.gitDirty = gitDirty; self.toolchain = toolchain; self.cpuModel = cpuModel
            self.blasKernel = blasKernel; self.engineTargetCPU = engineTargetCPU; self.codeSHA256 = codeSHA256
            self.inputDataSHA256 = inputDataSHA256; self.experimentFile = experimentFile; self.cacheKey = cacheKey
        }
    }

    /// `provenance.git_commit`.
    public var gitCommit: String { provenance.gitCommit }
    /// `provenance.code_sha256`.
    public var codeHash: String { provenance.codeSHA256 }

    /// The claim with `id`, if the run judged it.
    public func claim(_ id: String) -> ClaimResult? { claims.first { $0.id == id } }
}

// MARK: Building, writing and reading

extension ResultsFile {
    /// The results of one run, as the runner writes them.
    init(file: ExperimentFile, profile: Profile, seeds: [UInt64], config: ParameterValue, outcome: ExperimentOutcome,
         verdicts: [Verdict], provenance: Provenance, cacheKey: String, files: [String]) {
        func series(_ m: MetricSeries) -> Series {
            Series(condition: m.condition, metric: m.metric, unit: m.unit, scale: m.scale, perSeed: m.perSeed)
        }
        self.init(
            experiment: file.id, title: file.title, profile: profile.rawValue, seeds: seeds.map { Int($0) }, config: config,
            metrics: outcome.metrics.filter { !$0.isWallClock }.map(series),
            timings: outcome.metrics.filter(\.isWallClock).map(series),
            claims: verdicts.map { v in
                ClaimResult(id: v.claim.id, statement: v.claim.statement,
                            rule: Rule(statistic: v.claim.statistic, select: v.claim.select, reduce: v.claim.reduce.rawValue,
                                       compare: v.claim.compare, threshold: v.claim.threshold, scale: v.claim.scale),
                            perSeed: v.perSeed, seedsHolding: v.seedsHolding, nearThreshold: v.nearThreshold, verdict: v.outcome.rawValue)
            },
            files: files,
            provenance: ProvenanceRecord(
                gitCommit: provenance.gitCommit, gitDirty: provenance.gitDirty, toolchain: provenance.toolchain,
                cpuModel: provenance.machine.cpuModel, blasKernel: provenance.machine.blasKernel,
                engineTargetCPU: provenance.machine.engineTargetCPU, codeSHA256: provenance.codeHash,
                inputDataSHA256: outcome.inputDataHash, experimentFile: file.path, cacheKey: cacheKey),
            path: WorkbenchPaths.resultsJSON(file.id))
    }

    /// The file's bytes: pretty-printed JSON with sorted keys (the same bytes for the same results).
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self) + Data("\n".utf8)
    }

    /// Parses `data`, the contents of the results file at `path`; the error names the file and the field.
    public init(data: Data, path: String) throws {
        do {
            self = try JSONDecoder().decode(ResultsFile.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw ConfigError(location: Self.location(path, context.codingPath), key: key.stringValue, problem: "missing")
        } catch let DecodingError.typeMismatch(type, context) {
            throw ConfigError(location: Self.location(path, context.codingPath.dropLast()), key: context.codingPath.last?.stringValue ?? "",
                              problem: "expected \(type): \(context.debugDescription)")
        } catch let DecodingError.valueNotFound(type, context) {
            throw ConfigError(location: Self.location(path, context.codingPath.dropLast()), key: context.codingPath.last?.stringValue ?? "",
                              problem: "expected \(type), found null")
        } catch let DecodingError.dataCorrupted(context) {
            throw ConfigError(location: Self.location(path, context.codingPath.dropLast()), key: context.codingPath.last?.stringValue ?? "",
                              problem: context.debugDescription)
        }
        self.path = path
    }

    /// The results of experiment `id` (`chapter/name`) under `root`, or `nil` when it was never run.
    public static func load(root: URL, experiment id: String) throws -> ResultsFile? {
        let path = WorkbenchPaths.resultsJSON(id)
        guard let data = try? Data(contentsOf: root.appendingPathComponent(path)) else { return nil }
        return try ResultsFile(data: data, path: path)
    }

    /// `path: claims[2].rule` for a decoding path.
    static func location(_ path: String, _ codingPath: some Collection<any CodingKey>) -> String {
        let parts = codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return parts.isEmpty ? path : "\(path): \(parts.hasPrefix(".") ? String(parts.dropFirst()) : parts)"
    }
}

// MARK: Field coding (summaries written for outside readers, old files read)

extension ResultsFile {
    enum CodingKeys: String, CodingKey {
        case experiment, title, profile, seeds, config, metrics, timings, claims, files, provenance
        case fileHashes = "file_sha256"
    }

    /// Reads a file, old ones too: absent `title`, `seeds`, `config`, `timings` and `files` are empty.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        experiment = try c.decode(String.self, forKey: .experiment)
        title = try c.decodeIfPresent(String.self, forKey: .title) ?? ""
        profile = try c.decode(String.self, forKey: .profile)
        seeds = try c.decodeIfPresent([Int].self, forKey: .seeds) ?? []
        config = try c.decodeIfPresent(ParameterValue.self, forKey: .config) ?? .table([])
        metrics = try c.decode([Series].self, forKey: .metrics)
        timings = try c.decodeIfPresent([Series].self, forKey: .timings) ?? []
        claims = try c.decode([ClaimResult].self, forKey: .claims)
        files = try c.decodeIfPresent([String].self, forKey: .files) ?? []
        fileHashes = try c.decodeIfPresent([String: String].self, forKey: .fileHashes) ?? [:]
        provenance = try c.decode(ProvenanceRecord.self, forKey: .provenance)
    }

    // `encode(to:)` is the one Swift synthesizes from `CodingKeys`: every field as it is.
}

extension ResultsFile.Series {
    enum CodingKeys: String, CodingKey { case condition, metric, unit, scale, perSeed = "per_seed", mean, std, ci95 }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if case .table(let labels)? = try c.decodeIfPresent(ParameterValue.self, forKey: .condition) {
            condition = labels.map { key, value in
                if case .string(let s) = value { return (key, s) }
                return (key, value.canonicalJSON)
            }
        } else {
            condition = []
        }
        metric = try c.decode(String.self, forKey: .metric)
        unit = try c.decodeIfPresent(String.self, forKey: .unit) ?? ""
        scale = try c.decodeIfPresent(StatisticScale.self, forKey: .scale) ?? .linear
        perSeed = try c.decodeNumbers(forKey: .perSeed)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ParameterValue.table(condition.map { ($0.name, .string($0.value)) }), forKey: .condition)
        try c.encode(metric, forKey: .metric)
        try c.encode(unit, forKey: .unit)
        try c.encode(scale, forKey: .scale)
        try c.encodeNumbers(perSeed, forKey: .perSeed)
        try c.encodeSummary(summary, mean: .mean, std: .std, ci95: .ci95)
    }
}

extension ResultsFile.ClaimResult {
    enum CodingKeys: String, CodingKey {
        case id, statement, rule, perSeed = "per_seed", scale, mean, std, ci95, seedsHolding = "seeds_holding"
        case nearThreshold = "near_threshold", verdict
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        statement = try c.decode(String.self, forKey: .statement)
        rule = try c.decode(ResultsFile.Rule.self, forKey: .rule)
        // The scale sat beside the summary in some files and in the rule in others.
        if let s = try c.decodeIfPresent(StatisticScale.self, forKey: .scale) { rule.scale = s }
        perSeed = try c.decodeNumbers(forKey: .perSeed)
        guard !perSeed.isEmpty else {
            throw DecodingError.dataCorruptedError(forKey: .perSeed, in: c, debugDescription: "no per-seed values")
        }
        let r = rule
        seedsHolding = try c.decodeIfPresent(Int.self, forKey: .seedsHolding)
            ?? perSeed.filter { $0.isFinite && r.compare.holds($0, r.threshold) }.count
        nearThreshold = try c.decodeIfPresent(Bool.self, forKey: .nearThreshold) ?? false
        verdict = try c.decode(String.self, forKey: .verdict)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(statement, forKey: .statement)
        try c.encode(rule, forKey: .rule)
        try c.encodeNumbers(perSeed, forKey: .perSeed)
        try c.encode(rule.scale, forKey: .scale)
        try c.encodeSummary(summary, mean: .mean, std: .std, ci95: .ci95)
        try c.encode(seedsHolding, forKey: .seedsHolding)
        try c.encode(nearThreshold, forKey: .nearThreshold)
        try c.encode(verdict, forKey: .verdict)
    }
}

extension ResultsFile.Rule {
    enum CodingKeys: String, CodingKey { case statistic, select, reduce, compare, threshold, scale }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        statistic = try c.decode(String.self, forKey: .statistic)
        select = try c.decodeIfPresent(ParameterValue.self, forKey: .select) ?? .table([])
        reduce = try c.decodeIfPresent(String.self, forKey: .reduce) ?? ClaimSpec.Reduction.mean.rawValue
        compare = try c.decode(ClaimSpec.Comparison.self, forKey: .compare)
        threshold = try c.decode(Double.self, forKey: .threshold)
        scale = try c.decodeIfPresent(StatisticScale.self, forKey: .scale) ?? .linear
    }
}

extension KeyedEncodingContainer {
    /// Numbers with non-finite values as `null`.
    mutating func encodeNumbers(_ values: [Double], forKey key: Key) throws {
        try encode(values.map { $0.isFinite ? $0 : nil }, forKey: key)
    }

    /// `mean`, `std` and, except on the ordinal scale, `ci95` of `s`.
    mutating func encodeSummary(_ s: SeedSummary, mean: Key, std: Key, ci95: Key) throws {
        try encode(s.mean.isFinite ? s.mean : nil, forKey: mean)
        try encode(s.std.isFinite ? s.std : nil, forKey: std)
        if s.scale != .ordinal { try encodeNumbers([s.low, s.high], forKey: ci95) }
    }
}

extension KeyedDecodingContainer {
    /// Numbers with `null` read as NaN.
    func decodeNumbers(forKey key: Key) throws -> [Double] {
        try decode([Double?].self, forKey: key).map { $0 ?? .nan }
    }
}

extension ResultsFile {
    /// Every results folder under `output/` whose files are not the set its results.json records:
    /// a listed file missing, or one whose content differs from its recorded hash (left by
    /// another run, or edited by hand).
    public static func checkOutputs(root: URL) -> [LiterateProblem] {
        let fm = FileManager.default
        let output = root.appendingPathComponent(WorkbenchPaths.outputFolder)
        var problems: [LiterateProblem] = []
        for chapter in ((try? fm.contentsOfDirectory(atPath: output.path)) ?? []).sorted() where !chapter.hasPrefix(".") {
            for name in ((try? fm.contentsOfDirectory(atPath: output.appendingPathComponent(chapter).path)) ?? []).sorted() where !name.hasPrefix(".") {
                let id = "\(chapter)/\(name)", dir = output.appendingPathComponent(id)
                guard let data = try? Data(contentsOf: dir.appendingPathComponent("results.json")),
                      let results = try? ResultsFile(data: data, path: WorkbenchPaths.resultsJSON(id)) else { continue }
                let rerun = "rerun `swift run chapter-\(chapter)`"
                for f in results.files {
                    let path = "\(WorkbenchPaths.outputFolder(id))/\(f)"
                    guard let content = try? Data(contentsOf: dir.appendingPathComponent(f)) else {
                        problems.append(LiterateProblem(kind: .missingSource, file: path, line: 0, marker: "", message: "listed in results.json but missing; \(rerun)"))
                        continue
                    }
                    if let recorded = results.fileHashes[f], recorded != StableHash.sha256Hex(content) {
                        problems.append(LiterateProblem(kind: .stale, file: path, line: 0, marker: "",
                                                        message: "differs from the file its results.json records (written by another run, or edited); \(rerun)"))
                    }
                }
            }
        }
        return problems
    }
}
