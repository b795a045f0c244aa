import Foundation
import Support
import Metrics

/// Number formatting for tables and verdicts: a fixed number of significant digits, no surprises.
public enum Format {
    /// `x` with `significant` digits; fixed-point between 1e-3 and 1e6, scientific outside.
    public static func number(_ x: Double, significant: Int = 3) -> String {
        guard x.isFinite else { return x.isNaN ? "n/a" : (x > 0 ? "∞" : "-∞") }
        if x == 0 { return "0" }
        let mag = abs(x)
        if mag < 1e-3 || mag >= 1e6 { return String(format: "%.\(max(0, significant - 1))e", x) }
        let decimals = max(0, significant - 1 - Int(log10(mag).rounded(.down)))
        return String(format: "%.\(decimals)f", x)
    }

    /// `centre [low, high]` for a seed summary; on the ordinal scale, the centre class (see ``SeedSummary``) and every
    /// seed's class, e.g. `2 (seeds: 3, 2, 2)`.
    public static func interval(_ s: SeedSummary, significant: Int = 3) -> String {
        if s.scale == .ordinal {
            func cls(_ x: Double) -> String { x.isFinite ? String(Int(x)) : number(x) }
            return "\(cls(s.mean)) (seed\(s.n == 1 ? "" : "s"): \(s.values.map(cls).joined(separator: ", ")))"
        }
        let centre = number(s.mean, significant: significant)
        guard s.n > 1 else { return "\(centre) (1 seed)" }
        return "\(centre) [\(number(s.low, significant: significant)), \(number(s.high, significant: significant))]"
    }

    /// A proportion's summary in percent, e.g. `89.3 [77.8, 100] %`.
    public static func percentInterval(_ s: SeedSummary, significant: Int = 3) -> String {
        interval(s.scaled(by: 100), significant: significant) + " %"
    }

    /// A parameter value as written in an experiment file: shortest form, e.g. 10, 0.1, 1e-05.
    public static func parameter(_ x: Double) -> String { String(format: "%g", x) }

    /// A table's entries as `key = value` pairs in order (values as canonical JSON), e.g. `train_steps = 3000, clip = true`.
    public static func settings(_ table: ParameterValue) -> String {
        guard case .table(let entries) = table else { return table.canonicalJSON }
        return entries.map { "\($0.key) = \($0.value.canonicalJSON)" }.joined(separator: ", ")
    }

    /// An integer with commas between groups of three digits, e.g. 65536 -> `65,536`.
    public static func integer(_ n: Int) -> String {
        var digits = String(n.magnitude), out = ""
        while digits.count > 3 { out = "," + digits.suffix(3) + out; digits.removeLast(3) }
        return (n < 0 ? "-" : "") + digits + out
    }

    /// A percentage of a fraction, e.g. 0.001 -> `0.1 %`.
    public static func percent(_ fraction: Double) -> String { parameter(fraction * 100) + " %" }
}
