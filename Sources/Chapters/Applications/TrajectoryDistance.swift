import Foundation

/// How far a rolled-out trajectory lies from a demonstration: the two measures the LASA
/// handwriting benchmark reports.
///
/// Trajectories are arrays of points (each point an array of coordinates, all of one length).
/// ``dtw(_:_:)`` aligns the two in time before it measures, so a rollout that draws the right
/// shape at another speed scores well; ``sweptErrorArea(_:_:)`` compares them point for point in
/// time, after the rollout is resampled to the demonstration's length, and counts the area between
/// the two paths in the plane.
enum TrajectoryDistance {
    /// The dynamic-time-warping distance: the least sum of Euclidean distances between matched
    /// points, over every alignment that matches both first points and both last points and steps
    /// forward in one trajectory, the other or both at once.
    ///
    /// Zero only for trajectories that are the same up to repeated points; symmetric. Costs
    /// `a.count * b.count` distances and keeps one row of partial sums.
    static func dtw(_ a: [[Double]], _ b: [[Double]]) throws -> Double {
        try check(a, b)
        var previous = [Double](repeating: .infinity, count: b.count + 1), row = previous
        previous[0] = 0
        for i in 1...a.count {
            row[0] = .infinity
            for j in 1...b.count {
                row[j] = distance(a[i - 1], b[j - 1]) + min(previous[j - 1], previous[j], row[j - 1])
            }
            swap(&previous, &row)
        }
        return previous[b.count]
    }

    /// The swept error area between planar trajectory `a` (resampled to `b`'s length by linear
    /// interpolation in time) and `b`: for each step, the area of the quadrilateral
    /// `a[i], a[i+1], b[i+1], b[i]` by the shoelace formula, summed.
    ///
    /// Where the two paths cross inside a step, the quadrilateral folds into two triangles of
    /// opposite orientation, and their areas are added, not cancelled: each triangle's area counts.
    static func sweptErrorArea(_ a: [[Double]], _ b: [[Double]]) throws -> Double {
        try check(a, b)
        guard a[0].count == 2 else { throw TrajectoryDistanceError.notPlanar(dimensions: a[0].count) }
        let r = resampled(a, count: b.count)
        var area = 0.0
        for i in 0..<(b.count - 1) {
            area += quadrilateralArea(r[i], r[i + 1], b[i + 1], b[i])
        }
        return area
    }

    /// `points` resampled to `count` points evenly spaced in time, by linear interpolation
    /// between neighbours (the first and last points are kept).
    static func resampled(_ points: [[Double]], count: Int) -> [[Double]] {
        precondition(!points.isEmpty && count > 0, "resampling needs points and a positive count")
        guard points.count > 1, count > 1 else { return Array(repeating: points[0], count: count) }
        return (0..<count).map { j in
            let t = Double(j) * Double(points.count - 1) / Double(count - 1)
            let k = min(Int(t), points.count - 2), f = t - Double(k)
            return zip(points[k], points[k + 1]).map { $0 + f * ($1 - $0) }
        }
    }

    /// The area enclosed by the closed path p → q → r → s → p: the shoelace area when the path
    /// does not cross itself; when side q-r crosses side s-p (a fold), the two triangles' areas
    /// added.
    static func quadrilateralArea(_ p: [Double], _ q: [Double], _ r: [Double], _ s: [Double]) -> Double {
        if let x = intersection(q, r, s, p) {
            return abs(shoelace([p, q, x])) + abs(shoelace([x, r, s]))
        }
        if let x = intersection(p, q, r, s) {
            return abs(shoelace([q, r, x])) + abs(shoelace([x, s, p]))
        }
        return abs(shoelace([p, q, r, s]))
    }

    /// The signed area of a polygon (positive counter-clockwise).
    static func shoelace(_ v: [[Double]]) -> Double {
        var twice = 0.0
        for i in v.indices {
            let (u, w) = (v[i], v[(i + 1) % v.count])
            twice += u[0] * w[1] - w[0] * u[1]
        }
        return twice / 2
    }

    /// Where segment a-b crosses segment c-d strictly inside both, or nil.
    static func intersection(_ a: [Double], _ b: [Double], _ c: [Double], _ d: [Double]) -> [Double]? {
        let (ex, ey, fx, fy) = (b[0] - a[0], b[1] - a[1], d[0] - c[0], d[1] - c[1])
        let denominator = ex * fy - ey * fx
        guard denominator != 0 else { return nil }
        let t = ((c[0] - a[0]) * fy - (c[1] - a[1]) * fx) / denominator
        let u = ((c[0] - a[0]) * ey - (c[1] - a[1]) * ex) / denominator
        guard t > 0, t < 1, u > 0, u < 1 else { return nil }
        return [a[0] + t * ex, a[1] + t * ey]
    }

    static func distance(_ p: [Double], _ q: [Double]) -> Double {
        zip(p, q).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
    }

    /// Both trajectories non-empty, every point of both with the same number of coordinates.
    static func check(_ a: [[Double]], _ b: [[Double]]) throws {
        guard !a.isEmpty, !b.isEmpty else { throw TrajectoryDistanceError.empty }
        let d = a[0].count
        guard d > 0, (a + b).allSatisfy({ $0.count == d }) else { throw TrajectoryDistanceError.mixedDimensions }
    }
}

/// Why two trajectories cannot be compared.
enum TrajectoryDistanceError: Error, Equatable, CustomStringConvertible {
    case empty, mixedDimensions, notPlanar(dimensions: Int)

    var description: String {
        switch self {
        case .empty: return "a trajectory has no points; expected at least one point in each"
        case .mixedDimensions: return "the points do not all have the same number of coordinates; expected one dimension throughout both trajectories"
        case .notPlanar(let d): return "the swept error area is defined for planar trajectories; expected 2 coordinates per point, found \(d)"
        }
    }
}
