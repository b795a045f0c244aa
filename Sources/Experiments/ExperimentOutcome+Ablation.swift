import Foundation
import Metrics
import Support

/// One setting the claims are judged under: the judged one (no extra selection) or an ablation.
public struct ClaimSetting {
    /// The row label, e.g. `reference recipe` or `earlier recipe (ablation)`.
    public let label: String
    /// Selection keys added to every claim's `select`, e.g. `recipe = "earlier"`.
    public let select: [(key: String, value: ParameterValue)]

    public init(_ label: String, select: [(key: String, value: ParameterValue)] = []) {
        self.label = label; self.select = select
    }
}

extension ExperimentOutcome {
    /// A table deciding `claims` under each of `settings` by each claim's own pre-registered rule.
    ///
    /// An ablation's verdict is shown, never entered in the claims ledger: the ledger holds the
    /// runner's verdicts, which use the claims' `select` as written. Each setting's keys are added
    /// to the claim's `select` (a key the claim sets itself is an error: the experiment file and the
    /// ablation would disagree), and the experiment's statistic must read them.
    public func claimsTable(_ claims: [ClaimSpec], settings: [ClaimSetting], location: String) throws -> MarkdownTable {
        var rows: [[String]] = []
        for claim in claims {
            guard case .table(let base) = claim.select else { continue }
            for s in settings {
                if let clash = s.select.first(where: { k in base.contains { $0.key == k.key } }) {
                    throw ConfigError(location: "\(location): claims[id=\(claim.id)].select", key: clash.key,
                                      problem: "set by the claim and by the setting '\(s.label)'; the setting decides it")
                }
                let select = try ParameterReader(.table(base + s.select.map { ($0.key, $0.value) }),
                                                 location: "\(location): claims[id=\(claim.id)].select (\(s.label))")
                let cells = try statistic(claim.statistic, select)
                try select.finish()
                let v = Verdict(claim: claim, perSeed: Verdict.reduce(cells, claim.reduce))
                rows.append([claim.id, s.label, "`\(claim.ruleText)`", Format.interval(v.summary), v.seedsText, v.outcome.mark])
            }
        }
        return MarkdownTable(header: ["claim", "setting", "rule", "statistic (95 % interval)", "seeds holding", "verdict"], rows: rows,
                             align: ["l", "l", "l", "r", "r", "l"])
    }
}
