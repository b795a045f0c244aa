import Experiments
import Foundation
import Metrics
import Support

/// What `workbench verify` found: per claim, the reference and rerun values and whether the
/// verdict held; per metric, how far the rerun's centre moved in half-widths of the reference interval.
public struct VerificationReport: Sendable {
    /// What the rerun was compared with.
    public enum Basis: Sendable, Equatable {
        /// The committed `output/<chapter>/`, made with the same profile.
        case committed
        /// A fresh run of the requested profile in the scratch copy, because of `reason`.
        case freshRun(reason: String)
    }

    /// One claim, before and after.
    public struct ClaimComparison: Sendable {
        public let id: String
        public let statement: String
        /// The reference's value with its interval (or per-seed classes), and its verdict.
        public let reference: String, referenceVerdict: String
        /// The rerun's value and verdict; `nil` when the rerun did not judge the claim.
        public let rerun: String?, rerunVerdict: String?
        /// Whether the rerun reached the same verdict.
        public var held: Bool { rerunVerdict == referenceVerdict }
    }

    /// One metric, before and after.
    public struct MetricMove: Sendable {
        /// `experiment: metric (condition)`.
        public let key: String
        public let reference: SeedSummary, rerun: SeedSummary
        /// |rerun centre − reference centre| / half-width of the reference interval: 0 when the centre
        /// did not move, ∞ when it moved against a zero-width interval, `nil` when it moved and the
        /// reference has no finite interval (one seed, ordinal scale).
        public let move: Double?
    }

    /// One experiment's comparison.
    public struct ExperimentComparison: Sendable {
        public let id: String
        public let claims: [ClaimComparison]
        public let metrics: [MetricMove]
        /// Metrics present in only one of the two runs.
        public let unmatched: [String]
        /// Whether both runs were made from the same source code (provenance `code_sha256`).
        public let sameCode: Bool
    }

    public let chapter: String
    public let profile: String
    public let basis: Basis
    public let experiments: [ExperimentComparison]

    /// Whether every claim reached the same verdict in the rerun.
    public var allVerdictsHeld: Bool { experiments.allSatisfy { $0.claims.allSatisfy(\.held) } }

    /// Compares one experiment's reference results with its rerun.
    public static func compare(_ reference: ResultsFile, _ rerun: ResultsFile) -> ExperimentComparison {
        let claims = reference.claims.map { c -> ClaimComparison in
            let r = rerun.claim(c.id)
            return ClaimComparison(id: c.id, statement: c.statement, reference: Format.interval(c.summary), referenceVerdict: c.verdict,
                                   rerun: r.map { Format.interval($0.summary) }, rerunVerdict: r?.verdict)
        }
        var rerunMetrics: [String: ResultsFile.Series] = [:]
        for m in rerun.metrics { rerunMetrics[m.key] = m }
        var moves: [MetricMove] = [], unmatched: [String] = []
        for m in reference.metrics {
            guard let r = rerunMetrics.removeValue(forKey: m.key) else { unmatched.append("\(m.key) (reference only)"); continue }
            moves.append(MetricMove(key: "\(reference.experiment): \(m.key)", reference: m.summary, rerun: r.summary,
                                    move: move(from: m.summary, to: r.summary)))
        }
        unmatched += rerun.metrics.map(\.key).filter { rerunMetrics[$0] != nil }.map { "\($0) (rerun only)" }
        return ExperimentComparison(id: reference.experiment, claims: claims, metrics: moves, unmatched: unmatched,
                                    sameCode: reference.codeHash == rerun.codeHash)
    }

    /// How far `b`'s centre lies from `a`'s, in half-widths of `a`'s interval (see ``MetricMove/move``).
    static func move(from a: SeedSummary, to b: SeedSummary) -> Double? {
        if a.mean == b.mean || (a.mean.isNaN && b.mean.isNaN) { return 0 }
        let half = (a.high - a.low) / 2
        guard half.isFinite else { return nil }
        return half > 0 ? abs(b.mean - a.mean) / half : .infinity
    }
}

extension VerificationReport: CustomStringConvertible {
    /// The report as printed by `workbench verify`.
    public var description: String {
        var lines: [String] = []
        switch basis {
        case .committed:
            lines.append("Reference: the committed \(WorkbenchPaths.outputFolder(chapter))/ (profile \(profile)); the rerun must reach the same verdicts.")
        case .freshRun(let reason):
            lines.append("Reference: a fresh \(profile) run in a scratch copy, because \(reason); the rerun (same seeds) must reproduce it.")
        }
        for e in experiments {
            lines.append("")
            lines.append("\(e.id)\(e.sameCode ? "" : " (the reference was made from different source code)")")
            for c in e.claims {
                lines.append("  [\(c.held ? "held" : "CHANGED")] \(c.id): \(c.referenceVerdict) -> \(c.rerunVerdict ?? "not judged")")
                lines.append("      reference \(c.reference); rerun \(c.rerun ?? "none")")
            }
            for u in e.unmatched { lines.append("  metric \(u)") }
        }
        let all = experiments.flatMap(\.metrics)
        let still = all.filter { $0.move == 0 }.count
        let within = all.filter { ($0.move ?? .infinity) > 0 && ($0.move ?? .infinity) <= 1 }.count
        let beyond = all.filter { ($0.move ?? 0) > 1 }.count
        let noInterval = all.filter { $0.move == nil }.count
        lines.append("")
        lines.append("Metrics: \(all.count) compared: \(still) did not move, \(within) moved within one half-width of the reference interval, \(beyond) moved further, \(noInterval) moved but have no reference interval (one seed or ordinal).")
        let largest = all.filter { ($0.move ?? 0) > 0 }.sorted { $0.move! > $1.move! }.prefix(5)
        if !largest.isEmpty {
            lines.append("Largest moves, in half-widths of the reference interval:")
            for m in largest {
                lines.append("  \(Format.number(m.move!)) — \(m.key): \(Format.interval(m.reference)) -> \(Format.interval(m.rerun))")
            }
        }
        let unmeasured = all.filter { $0.move == nil }
        if !unmeasured.isEmpty {
            lines.append("Moved without a reference interval\(unmeasured.count > 5 ? " (first 5 of \(unmeasured.count))" : ""):")
            for m in unmeasured.prefix(5) {
                lines.append("  \(m.key): \(Format.interval(m.reference)) -> \(Format.interval(m.rerun))")
            }
        }
        let claims = experiments.flatMap(\.claims)
        let held = claims.filter(\.held).count
        lines.append("Verdicts: \(held) of \(claims.count) held\(held == claims.count ? "." : "; changed: " + claims.filter { !$0.held }.map(\.id).joined(separator: ", "))")
        return lines.joined(separator: "\n")
    }
}
