import Experiments
import Support

/// Which recipe a measurement used: the reference's (judged) or the book's earlier one (an ablation,
/// measured beside it and never judged).
///
/// A policy's earlier recipe is `[parameters.earlier_recipe]` (``VQBeTStudy/earlierRecipe(_:offsets:)``),
/// a tokenizer's `[parameters.earlier_settings]` (``TokenizerSettings``); its measurements carry
/// `recipe = earlier`, and ``claimSettings`` decides the claims again under it.
public enum Recipe: String, CaseIterable, Codable, CodingKeyRepresentable, Sendable {
    case reference, earlier

    /// The label of the recipe's rows and claims.
    public var label: String { self == .reference ? "reference recipe" : "earlier recipe (ablation)" }

    /// A claim's `recipe` selection (default: the reference recipe, the judged one); asking for the
    /// earlier recipe when it was not measured is an error naming the key and the missing `table`.
    public static func read(_ select: ParameterReader, earlierMeasured: Bool, table: String = "[parameters.earlier_recipe]") throws -> Recipe {
        let r = Recipe(rawValue: try select.string("recipe", default: Recipe.reference.rawValue, allowed: allCases.map(\.rawValue)))!
        guard r == .reference || earlierMeasured else {
            throw ConfigError(location: select.location, key: "recipe", problem: "the earlier recipe was not measured: the file sets no \(table)")
        }
        return r
    }

    /// The key of tokenizer `name`'s measurement under this recipe: `name`, or `name@earlier`.
    public func key(_ name: String) -> String { self == .reference ? name : "\(name)@\(rawValue)" }

    /// The row label of tokenizer `name`'s measurement under this recipe.
    public func label(_ name: String) -> String { self == .reference ? name : "\(name), \(label)" }

    /// The metric condition of tokenizer `name`'s measurement: its tokenizer, and `recipe = earlier` off the reference.
    public func condition(_ name: String) -> [(name: String, value: String)] {
        [("tokenizer", name)] + (self == .reference ? [] : [("recipe", rawValue)])
    }

    /// Every recipe as a setting of ``Experiments/ExperimentOutcome/claimsTable(_:settings:location:)``.
    public static var claimSettings: [ClaimSetting] {
        allCases.map { ClaimSetting($0.label, select: [("recipe", .string($0.rawValue))]) }
    }
}
