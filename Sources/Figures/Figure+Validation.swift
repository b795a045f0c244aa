import Foundation

extension Figure {
    /// Checks everything gnuplot would choke on or silently misdraw; throws `FigureError.invalidData`.
    ///
    /// Rejected: a name outside `[a-z0-9-]+`, no panels, a bad layout or size, empty or unnamed
    /// series, control characters in series names, NaN or infinite numbers, `low > high` in error
    /// bars and bands (a missing bound counts as `y`), a negative colour index, a non-finite or
    /// zero-width range, any non-positive value (data, range or tic) on a logarithmic axis, and a
    /// reference line that is not finite or lies outside its axis's explicit range (or has none).
    public func validate() throws {
        func fail(_ detail: String, series: String = "") -> FigureError {
            .invalidData(figure: name, series: series, detail: detail)
        }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        if name.isEmpty || !name.allSatisfy({ allowed.contains($0) }) {
            throw fail("figure name \"\(name)\" must match [a-z0-9-]+")
        }
        if panels.isEmpty { throw fail("a figure needs at least one panel") }
        if columns < 1 { throw fail("columns must be at least 1, got \(columns)") }
        if !(16...20_000).contains(width) || !(16...20_000).contains(height) {
            throw fail("size \(width)x\(height) must be between 16 and 20000 pixels per side")
        }
        for (number, panel) in panels.enumerated() {
            let where_ = "panel \(number + 1)"
            try panel.x.validate(named: "x axis of \(where_)", fail: { fail($0) })
            try panel.y.validate(named: "y axis of \(where_)", fail: { fail($0) })
            if panel.series.isEmpty { throw fail("\(where_) has no series") }
            for reference in panel.references {
                let axis = reference.orientation == .vertical ? panel.x : panel.y
                let letter = reference.orientation == .vertical ? "x" : "y"
                let at = "reference \"\(reference.label)\" of \(where_)"
                if !reference.value.isFinite { throw fail("\(at) sits at \(reference.value)") }
                if reference.color < 0 { throw fail("\(at) has a negative colour index") }
                guard let range = axis.range, range.contains(reference.value) else {
                    throw fail("\(at) at \(letter) = \(reference.value) needs an explicit \(letter) range that contains it")
                }
            }
            for series in panel.series {
                try series.validate(in: panel, fail: { fail($0, series: series.name) })
            }
        }
    }
}

extension Axis {
    /// Checks range and tics; `fail` builds the error from a detail message.
    func validate(named axisName: String, fail: (String) -> FigureError) throws {
        if let range {
            if !range.lowerBound.isFinite || !range.upperBound.isFinite {
                throw fail("\(axisName) range \(range) is not finite")
            }
            if range.lowerBound == range.upperBound {
                throw fail("\(axisName) range \(range) is empty")
            }
            if log && range.lowerBound <= 0 {
                throw fail("\(axisName) is logarithmic but its range starts at \(range.lowerBound)")
            }
        }
        for tic in tics ?? [] {
            if !tic.value.isFinite { throw fail("\(axisName) has a tic at \(tic.value)") }
            if log && tic.value <= 0 {
                throw fail("\(axisName) is logarithmic but has a tic at \(tic.value)")
            }
        }
    }
}

extension Series {
    /// Checks this series' points against its style and its panel's axes.
    func validate(in panel: Panel, fail: (String) -> FigureError) throws {
        if name.isEmpty { throw fail("series name is empty") }
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw fail("series name contains a control character")
        }
        if points.isEmpty { throw fail("series has no points") }
        if let color, color < 0 { throw fail("colour index \(color) is negative") }
        let needsBounds = style == .errorBars || style == .band
        for (i, point) in points.enumerated() {
            let at = "point \(i) (x = \(point.x))"
            let values: [(String, Double?)] = [
                ("x", point.x), ("y", point.y), ("low", point.low), ("high", point.high),
            ]
            for case let (column, value?) in values where !value.isFinite {
                throw fail("\(at): \(column) is \(value)")
            }
            if needsBounds {
                // A missing bound falls back to y: no bar above or below, the band pinches.
                let low = point.low ?? point.y, high = point.high ?? point.y
                if low > high { throw fail("\(at): low \(low) is above high \(high)") }
            }
            if panel.x.log && point.x <= 0 {
                throw fail("\(at): x = \(point.x) on a logarithmic x axis must be positive")
            }
            if panel.y.log {
                for case let (column, value?) in values.dropFirst() where value <= 0 {
                    throw fail("\(at): \(column) = \(value) on a logarithmic y axis must be positive")
                }
            }
        }
    }
}
