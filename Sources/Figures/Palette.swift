import Foundation

/// The book's one palette: a fixed colour per tokenizer, the same in every chapter.
///
/// Series pick a colour by index into `colors`. Tokenizers get theirs with
/// `Palette.tokenizer(_:)`, keyed by the registry names, so FAST is the same orange in the
/// foundations, data, evaluation and architectures figures. The hues are chosen to be told apart
/// at a glance (one blue, one sky blue, one orange, no two oranges or two greens), mostly from the
/// colour-blind-safe Okabe-Ito set. `neutral` (grey) is for things drawn but not judged or
/// not a tokenizer (a merged line, an unjudged setting); `reference` (black) is for thresholds,
/// budgets and ground truth.
public enum Palette {
    /// One entry of the palette: the key it is known by and its colour as `#RRGGBB`.
    public struct Entry: Sendable, Equatable {
        /// Tokenizer registry name (or role: `flow`, `diffusion`, `neutral`, `reference`).
        public let key: String
        /// Colour as `#RRGGBB`.
        public let color: String
    }

    /// Every colour in index order: the tokenizers, the continuous policies to come, then neutral
    /// grey and reference black.
    public static let entries: [Entry] = [
        Entry(key: "minmax", color: "#0072B2"),      // blue
        Entry(key: "openvla", color: "#56B4E9"),     // sky blue
        Entry(key: "equal-mass", color: "#009E73"),  // bluish green
        Entry(key: "verlet", color: "#7B3294"),      // purple
        Entry(key: "rvq", color: "#CC79A7"),         // reddish purple (pink)
        Entry(key: "fast", color: "#E69F00"),        // orange
        Entry(key: "beast", color: "#C0392B"),       // red
        Entry(key: "flow", color: "#8C6D31"),        // brown, reserved for flow-matching policies
        Entry(key: "diffusion", color: "#9AA52B"),   // olive, reserved for diffusion policies
        Entry(key: "neutral", color: "#8C8C8C"),     // grey
        Entry(key: "reference", color: "#000000"),   // black
    ]

    /// The colours as `#RRGGBB`, in index order (`Series.color` indexes this list).
    public static let colors: [String] = entries.map(\.color)

    /// Other names a tokenizer goes by in the book, mapped to its palette key.
    public static let aliases: [String: String] = ["vq-bet": "rvq", "residual-vq": "rvq"]

    /// Policies by slug, mapped to palette keys: VQ-BeT in its tokenizer's (the residual VQ's)
    /// pink, the per-step binning policy in binning's blue, flow matching in its brown, the
    /// mode-averaging regression in grey. VQ-BeT's ablations (without offset head in purple, the
    /// single-layer VQ in blue) appear in figures that show no other tokenizer, so they borrow two
    /// tokenizer hues far from pink and from each other.
    public static let policyVariants: [String: String] = ["vq-bet": "rvq", "no-offset": "verlet", "single-vq": "minmax",
                                                          "binning": "minmax", "flow": "flow", "regression": "neutral"]

    /// The palette index of policy variant `slug` (see `policyVariants`); grey for an unknown one.
    public static func policy(_ slug: String) -> Int { tokenizer(policyVariants[slug] ?? slug) }

    /// Index of green for goal regions in task drawings (equal-mass's green; those drawings show no
    /// tokenizer).
    public static let goal = entries.firstIndex { $0.key == "equal-mass" }!

    /// Index of grey, for series drawn but not judged, or lines that stand for several tokenizers.
    public static let neutral = entries.firstIndex { $0.key == "neutral" }!
    /// Index of black, for thresholds, budgets and ground truth.
    public static let reference = entries.firstIndex { $0.key == "reference" }!

    /// The palette index of tokenizer `name` (a registry name or an alias), or `nil` if it has none.
    public static func index(forTokenizer name: String) -> Int? {
        let key = aliases[name] ?? name
        return entries.firstIndex { $0.key == key }
    }

    /// The palette index of tokenizer `name`; grey for a name the palette does not know.
    public static func tokenizer(_ name: String) -> Int { index(forTokenizer: name) ?? neutral }

    /// The colour for palette index `index`, wrapping around.
    public static func color(_ index: Int) -> String {
        colors[((index % colors.count) + colors.count) % colors.count]
    }
}
