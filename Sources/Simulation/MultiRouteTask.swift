import Support

/// A reaching task with several routes around an obstacle, after BeT's multi-route toy task.
///
/// The agent starts left of a block and must reach a goal square right of it. Scripted
/// demonstrations pick one route at random with fixed probabilities, pass through its waypoints
/// and add Gaussian noise to every action. The state-wise mean of the demonstrations points into
/// the block (the routes above and below it cancel out), so a policy that averages the modes
/// stalls against it, while one that captures them takes each route.
public struct MultiRouteTask: Sendable {
    /// One way around the obstacle.
    public struct Route: Sendable, Equatable {
        /// Display name.
        public var name: String
        /// Points the demonstration passes through, in order, before heading to the goal.
        public var waypoints: [Point]
        /// Probability that a demonstration takes this route.
        public var probability: Double
    }

    /// The world the agent moves in.
    public var world: PlanarWorld
    /// Where every episode starts.
    public var start: Point
    /// The routes, with probabilities summing to 1.
    public var routes: [Route]
    /// Steps before an episode ends as a failure.
    public var stepLimit: Int
    /// Standard deviation of the noise added to each demonstrated action component.
    public var actionNoise: Double

    /// The default layout: a 4 x 4 block between start and goal; routes above (0.3), below (0.4)
    /// and wide above (0.3); displacements up to 0.5 per step; 60 steps.
    public static let standard = MultiRouteTask(
        world: PlanarWorld(bounds: Rect(minX: -1, minY: -9, maxX: 11, maxY: 9),
                           obstacles: [Rect(minX: 3, minY: -2, maxX: 7, maxY: 2)],
                           goal: Rect(minX: 9.5, minY: -0.5, maxX: 10.5, maxY: 0.5), maxStep: 0.5),
        start: Point(0, 0),
        routes: [
            Route(name: "above", waypoints: [Point(2.5, 3), Point(7.5, 3)], probability: 0.3),
            Route(name: "below", waypoints: [Point(2.5, -3), Point(7.5, -3)], probability: 0.4),
            Route(name: "wide above", waypoints: [Point(2, 6), Point(8, 6)], probability: 0.3),
        ],
        stepLimit: 60, actionNoise: 0.05)

    public init(world: PlanarWorld, start: Point, routes: [Route], stepLimit: Int, actionNoise: Double) {
        precondition(!routes.isEmpty && abs(routes.map(\.probability).reduce(0, +) - 1) < 1e-9, "route probabilities must sum to 1")
        precondition(world.isFree(start), "the start must be free")
        self.world = world; self.start = start; self.routes = routes
        self.stepLimit = stepLimit; self.actionNoise = actionNoise
    }

    /// The centre of the goal region.
    public var goalCentre: Point { Point((world.goal.minX + world.goal.maxX) / 2, (world.goal.minY + world.goal.maxY) / 2) }

    /// The route whose band the path `positions` passed through on its way around the obstacle,
    /// or `nil` when it never got past the obstacle's left edge.
    ///
    /// A path is assigned the route whose waypoints' height is closest to the path's height where
    /// it crosses the obstacle's middle (`x` at the centre of the first obstacle).
    public func route(of positions: [Point]) -> Int? {
        guard let block = world.obstacles.first else { return nil }
        let middle = (block.minX + block.maxX) / 2
        guard let crossing = positions.first(where: { $0.x >= middle }) else { return nil }
        let heights = routes.map { r in r.waypoints.map(\.y).reduce(0, +) / Double(r.waypoints.count) }
        return heights.indices.min { abs(heights[$0] - crossing.y) < abs(heights[$1] - crossing.y) }
    }
}
