/// An axis-aligned rectangle `[minX, maxX] x [minY, maxY]`.
public struct Rect: Sendable, Equatable {
    public var minX: Double, minY: Double, maxX: Double, maxY: Double

    /// A rectangle from its corners (`minX <= maxX`, `minY <= maxY`).
    public init(minX: Double, minY: Double, maxX: Double, maxY: Double) {
        precondition(minX <= maxX && minY <= maxY, "rectangle corners out of order")
        self.minX = minX; self.minY = minY; self.maxX = maxX; self.maxY = maxY
    }

    /// Whether the point lies inside or on the border.
    public func contains(_ p: Point) -> Bool { p.x >= minX && p.x <= maxX && p.y >= minY && p.y <= maxY }
}

/// A point (or displacement) in the plane.
public struct Point: Sendable, Equatable, Codable {
    public var x: Double, y: Double
    public init(_ x: Double, _ y: Double) { self.x = x; self.y = y }
}

/// A point agent in a bounded plane with rectangular obstacles and a goal region.
///
/// An action is a displacement; each component is clipped to `±maxStep`. A step whose end point
/// lies outside the bounds or inside an obstacle is refused (the agent stays put and the step
/// counts as a collision), so a policy that steers into a wall stalls there. Movement is checked
/// at the end point only, so `maxStep` must stay below the thinnest obstacle.
public struct PlanarWorld: Sendable {
    /// The region the agent may occupy.
    public var bounds: Rect
    /// Regions the agent may not enter.
    public var obstacles: [Rect]
    /// Reaching any point of this region ends the episode with success.
    public var goal: Rect
    /// Largest displacement per step in each coordinate.
    public var maxStep: Double

    public init(bounds: Rect, obstacles: [Rect], goal: Rect, maxStep: Double) {
        precondition(maxStep > 0, "maxStep must be positive")
        self.bounds = bounds; self.obstacles = obstacles; self.goal = goal; self.maxStep = maxStep
    }

    /// Whether the agent may stand at `p`.
    public func isFree(_ p: Point) -> Bool { bounds.contains(p) && !obstacles.contains { $0.contains(p) } }

    /// The agent's next position after `action` from `p`, and whether the move was refused.
    ///
    /// Non-finite action components are treated as 0 (and count as a refused move).
    public func step(from p: Point, action: Point) -> (position: Point, collided: Bool) {
        guard action.x.isFinite, action.y.isFinite else { return (p, true) }
        let dx = Swift.min(Swift.max(action.x, -maxStep), maxStep)
        let dy = Swift.min(Swift.max(action.y, -maxStep), maxStep)
        let next = Point(p.x + dx, p.y + dy)
        return isFree(next) ? (next, false) : (p, true)
    }
}
