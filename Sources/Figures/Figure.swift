import Foundation

/// A figure: one or more panels laid out on a grid, rendered to `<name>.png` and `<name>.svg`.
///
/// The model is plain data; `FigureRenderer` turns it into a data file, a gnuplot script and the
/// images. Panels fill the grid row by row, `columns` per row.
public struct Figure: Sendable {
    /// File stem for every output, `[a-z0-9-]+`.
    public var name: String
    /// Title printed above all panels (empty for none).
    public var title: String
    /// Panels in reading order.
    public var panels: [Panel]
    /// Panels per row; rows follow from `panels.count`.
    public var columns: Int
    /// Image width in pixels (PNG) and points (SVG).
    public var width: Int
    /// Image height in pixels (PNG) and points (SVG).
    public var height: Int

    /// Creates a multi-panel figure; `columns` defaults to all panels in one row.
    public init(
        name: String, title: String, panels: [Panel], columns: Int? = nil,
        width: Int = 900, height: Int = 540
    ) {
        self.name = name
        self.title = title
        self.panels = panels
        self.columns = columns ?? max(panels.count, 1)
        self.width = width
        self.height = height
    }

    /// Creates a single-panel figure; the figure title is the only title.
    public init(
        name: String, title: String, x: Axis, y: Axis, series: [Series],
        legend: LegendPosition = .topRight, references: [Reference] = [], width: Int = 900,
        height: Int = 540
    ) {
        self.init(
            name: name, title: title,
            panels: [Panel(title: "", x: x, y: y, series: series, legend: legend, references: references)],
            columns: 1, width: width, height: height)
    }

    /// Number of rows in the multiplot layout.
    public var rows: Int { columns > 0 ? (panels.count + columns - 1) / columns : 0 }
}

/// One plot area: two axes and the series drawn on them.
public struct Panel: Sendable {
    /// Title above the panel (empty for none).
    public var title: String
    /// Horizontal axis.
    public var x: Axis
    /// Vertical axis.
    public var y: Axis
    /// Series in legend order (bands are drawn first, then boxes, then the rest; see README).
    public var series: [Series]
    /// Where the legend goes.
    public var legend: LegendPosition
    /// Reference lines (thresholds, budgets) drawn across the whole plot area, over the data.
    public var references: [Reference]

    /// Creates a panel.
    public init(
        title: String = "", x: Axis, y: Axis, series: [Series], legend: LegendPosition = .topRight,
        references: [Reference] = []
    ) {
        self.title = title
        self.x = x
        self.y = y
        self.series = series
        self.legend = legend
        self.references = references
    }
}

/// Where a panel's legend (gnuplot's key) is placed.
public enum LegendPosition: String, Sendable, CaseIterable {
    case topLeft, topRight, bottomLeft, bottomRight
    /// To the right of the plot area, outside it.
    case outsideRight
    /// Below the plot area, in a horizontal row.
    case below
    /// No legend.
    case hidden
}

/// An axis: a label with an optional unit, linear or logarithmic, optional range and tics.
public struct Axis: Sendable {
    /// What the axis measures, e.g. "time".
    public var label: String
    /// Unit shown in parentheses after the label, e.g. "s".
    public var unit: String?
    /// Logarithmic (base 10) scale; every value on this axis must then be positive.
    public var log: Bool
    /// Fixed range; `nil` lets gnuplot autoscale.
    public var range: ClosedRange<Double>?
    /// Explicit tic marks (value and text); `nil` for gnuplot's automatic tics.
    public var tics: [(value: Double, label: String)]?

    /// Creates an axis.
    public init(
        _ label: String, unit: String? = nil, log: Bool = false,
        range: ClosedRange<Double>? = nil, tics: [(value: Double, label: String)]? = nil
    ) {
        self.label = label
        self.unit = unit
        self.log = log
        self.range = range
        self.tics = tics
    }

    /// The label as drawn: "label (unit)", or just "label" without a unit.
    public var renderedLabel: String {
        guard let unit, !unit.isEmpty else { return label }
        return label.isEmpty ? "(\(unit))" : "\(label) (\(unit))"
    }
}

/// A named set of points drawn in one style and colour.
public struct Series: Sendable {
    /// How a series is drawn.
    public enum Style: String, Sendable, CaseIterable {
        /// Straight segments between points.
        case line
        /// Segments with a marker at each point.
        case linePoints
        /// Markers only.
        case points
        /// Markers with vertical error bars (with caps) from `low` to `high`.
        case errorBars
        /// Translucent filled area between `low` and `high`, drawn under all other series.
        case band
        /// Histogram bars from zero to `y`, 80 % of the point spacing wide.
        case boxes
        /// Staircase: horizontal to the next x, then vertical.
        case steps
    }

    /// One data point; `low` and `high` are used by `.errorBars` and `.band` (missing = `y`).
    public struct Point: Sendable, Equatable {
        public var x: Double
        public var y: Double
        public var low: Double?
        public var high: Double?

        /// Creates a point.
        public init(x: Double, y: Double, low: Double? = nil, high: Double? = nil) {
            self.x = x
            self.y = y
            self.low = low
            self.high = high
        }
    }

    /// Legend text.
    public var name: String
    /// Drawing style.
    public var style: Style
    /// Points in drawing order.
    public var points: [Point]
    /// Index into `Palette.colors` (wrapping); `nil` means the series' position in its panel.
    public var color: Int?
    /// Dashed line (line-like styles; ignored for `.band` and `.boxes`).
    public var dashed: Bool
    /// Whether the series gets a legend entry (e.g. `false` for error bars drawn over a named line).
    public var inLegend: Bool
    /// Marker shape for point-drawing styles; `nil` for the style's default (filled circles, hollow
    /// circles for `.points`).
    public var marker: Marker?

    /// Creates a series from points.
    public init(
        _ name: String, style: Style = .line, points: [Point], color: Int? = nil,
        dashed: Bool = false, inLegend: Bool = true, marker: Marker? = nil
    ) {
        self.name = name
        self.style = style
        self.points = points
        self.color = color
        self.dashed = dashed
        self.inLegend = inLegend
        self.marker = marker
    }

    /// Creates a series from parallel x and y arrays (extra values on either side are dropped).
    public init(
        _ name: String, style: Style = .line, x: [Double], y: [Double], color: Int? = nil,
        dashed: Bool = false
    ) {
        self.init(
            name, style: style, points: zip(x, y).map { Point(x: $0, y: $1) }, color: color,
            dashed: dashed)
    }

    /// Columns written to the data file for this series' style.
    var columns: [String] {
        switch style {
        case .errorBars, .band: return ["x", "y", "low", "high"]
        default: return ["x", "y"]
        }
    }
}
