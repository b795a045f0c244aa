import Figures
import Simulation

extension MultiRouteControl {
    /// One panel of ``pathsFigure(name:title:panels:)``: a policy's title, its palette colour and its paths.
    public struct PathsPanel {
        public var title: String, color: Int, paths: [[Point]]
        public init(title: String, color: Int, paths: [[Point]]) { self.title = title; self.color = color; self.paths = paths }
    }

    /// Closed-loop paths in the plane, one panel per policy in its colour, with the task's block
    /// (black) and goal (green) drawn as outlines.
    public static func pathsFigure(name: String = "paths", title: String = "Closed-loop paths on the multi-route task",
                                   task: MultiRouteTask = .standard, panels: [PathsPanel]) -> Figure {
        func outline(_ r: Rect) -> [Series.Point] {
            [(r.minX, r.minY), (r.maxX, r.minY), (r.maxX, r.maxY), (r.minX, r.maxY), (r.minX, r.minY)].map { Series.Point(x: $0.0, y: $0.1) }
        }
        let drawn = panels.map { p -> Panel in
            var series: [Series] = task.world.obstacles.map { Series("block", style: .line, points: outline($0), color: Palette.reference, inLegend: false) }
            series.append(Series("goal", style: .line, points: outline(task.world.goal), color: Palette.goal, inLegend: false))
            for (i, path) in p.paths.enumerated() {
                series.append(Series("episode \(i + 1)", style: .line, points: path.map { Series.Point(x: $0.x, y: $0.y) }, color: p.color, inLegend: false))
            }
            return Panel(title: p.title, x: Axis("x", range: -1...11), y: Axis("y", range: -8...8), series: series, legend: .hidden)
        }
        return Figure(name: name, title: title, panels: drawn, columns: drawn.count, width: 400 * drawn.count, height: 460)
    }
}
