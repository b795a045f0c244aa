import Foundation

extension Figure {
    /// The gnuplot `index` of each series, per panel: series are numbered in panel order from 0.
    var dataIndices: [[Int]] {
        var next = 0
        return panels.map { panel in
            panel.series.map { _ in
                defer { next += 1 }
                return next
            }
        }
    }

    /// The text of `<name>.dat`: every series as one gnuplot index block.
    ///
    /// A short header comes first, then one block per series in panel order. Each block opens
    /// with comments naming its index, panel, series, style and columns; blocks are separated by
    /// exactly two blank lines (gnuplot's `index` separator). Numbers use `Figure.format(_:)`, so
    /// the same input always gives the same bytes.
    public func dataText() -> String {
        var out = "# \(name).dat: data for the figure \(quoted(title)), written by VLA Workbench.\n"
        out += "# One gnuplot index block per series (panel order), separated by two blank lines;\n"
        out += "# \(name).gp plots block N with '\(name).dat' index N.\n"
        let indices = dataIndices
        for (p, panel) in panels.enumerated() {
            for (s, series) in panel.series.enumerated() {
                let index = indices[p][s]
                if index > 0 { out += "\n\n" }
                out += "# index \(index): panel \(p + 1) \(quoted(panel.title)), series "
                out += "\(quoted(series.name)) (\(series.style.rawValue))\n"
                out += "# columns: \(series.columns.joined(separator: " "))\n"
                let wide = series.columns.count == 4
                for point in series.points {
                    out += Figure.format(point.x) + " " + Figure.format(point.y)
                    if wide {
                        out += " " + Figure.format(point.low ?? point.y)
                        out += " " + Figure.format(point.high ?? point.y)
                    }
                    out += "\n"
                }
            }
        }
        return out
    }

    /// Formats a number for the data file: `%.12g`, with negative zero written as `0`.
    public static func format(_ value: Double) -> String {
        value == 0 ? "0" : String(format: "%.12g", value)
    }
}

/// Double-quotes `text` for a comment line (no escaping beyond flattening line breaks).
private func quoted(_ text: String) -> String {
    "\"" + text.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ")
        + "\""
}
