import Foundation

/// A reference line across a panel: a threshold, a budget or a pass mark that decides a claim.
///
/// A vertical reference sits at an x value and spans the full height of the plot area; a
/// horizontal one sits at a y value and spans the full width. It is drawn over the data, dashed
/// by default, and gets a legend entry with `label` (leave `inLegend` off for none). The axis it
/// sits on must have an explicit range that contains its value, so the line is never drawn
/// outside the plot.
public struct Reference: Sendable {
    /// Which way the line runs.
    public enum Orientation: String, Sendable, CaseIterable {
        /// A line at an x value, bottom to top.
        case vertical
        /// A line at a y value, left to right.
        case horizontal
    }

    /// Which way the line runs.
    public var orientation: Orientation
    /// Where it sits, in axis units.
    public var value: Double
    /// Legend text, e.g. "budget: 256-bin binning, 350 tokens/s".
    public var label: String
    /// Palette index; black (`Palette.reference`) by default.
    public var color: Int
    /// Dashed (default) or solid.
    public var dashed: Bool
    /// Whether the line gets a legend entry.
    public var inLegend: Bool
    /// Text written on the plot beside the line, in its colour (`nil` for none): above a
    /// horizontal line at its right end, right of a vertical line at its top. Use it to tell
    /// several lines of one colour apart (class boundaries, say) without the legend.
    public var note: String?

    /// Creates a reference line.
    public init(
        _ orientation: Orientation, at value: Double, label: String, color: Int = Palette.reference,
        dashed: Bool = true, inLegend: Bool = true, note: String? = nil
    ) {
        self.orientation = orientation
        self.value = value
        self.label = label
        self.color = color
        self.dashed = dashed
        self.inLegend = inLegend
        self.note = note
    }

    /// A vertical line at `x`.
    public static func vertical(_ x: Double, _ label: String, color: Int = Palette.reference, dashed: Bool = true) -> Reference {
        Reference(.vertical, at: x, label: label, color: color, dashed: dashed)
    }

    /// A horizontal line at `y`.
    public static func horizontal(_ y: Double, _ label: String, color: Int = Palette.reference, dashed: Bool = true) -> Reference {
        Reference(.horizontal, at: y, label: label, color: color, dashed: dashed)
    }
}

/// A marker shape for point-drawing series styles, filled or hollow.
public enum Marker: String, Sendable, CaseIterable {
    case circle, hollowCircle, square, hollowSquare, triangle, hollowTriangle, diamond, hollowDiamond

    /// gnuplot's point type for this marker.
    var pointType: Int {
        switch self {
        case .circle: return 7
        case .hollowCircle: return 6
        case .square: return 5
        case .hollowSquare: return 4
        case .triangle: return 9
        case .hollowTriangle: return 8
        case .diamond: return 13
        case .hollowDiamond: return 12
        }
    }
}

extension Axis {
    /// A log-axis range around positive `centres` (means), widened by `margin` on each side, and
    /// further to take in `bounds` (interval ends) but never beyond `reach` times the centres.
    ///
    /// Intervals of two or three seeds on a log scale can span many decades; this keeps the axis
    /// on the data (an interval running past the range is cut by the plot border, visibly open).
    public static func logRange(
        centres: [Double], bounds: [Double] = [], margin: Double = 1.5, reach: Double = 10
    ) -> ClosedRange<Double> {
        let positive = centres.filter { $0 > 0 && $0.isFinite }
        guard let lo = positive.min(), let hi = positive.max() else { return 0.1...10 }
        let inner = bounds.filter { $0 > 0 && $0.isFinite && $0 >= lo / reach && $0 <= hi * reach }
        return (min(lo, inner.min() ?? lo) / margin)...(max(hi, inner.max() ?? hi) * margin)
    }
}
