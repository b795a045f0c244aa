import Support

/// FAST's didactic data set: cubic splines through 4 random points, sampled at any number of steps.
///
/// Each sample draws 4 control values `y0...y3` uniformly in [-1, 1) with a
/// ``SeededGenerator`` and places them at the fixed times 0, 1/3, 2/3 and 1 (the ``knots``). A
/// cubic spline through those points is evaluated at `steps` equally spaced times in [0, 1]
/// (`k / (steps - 1)`; a single step is at time 0), giving one `steps x 1` chunk. The 4 control
/// values are kept as the sample's condition: a model that sees them can predict the whole
/// chunk, which is what makes the task didactic (the difficulty lies only in the tokenization).
///
/// The spline's end conditions are a choice (``Boundary``); the default is not-a-knot, the
/// default of `scipy.interpolate.CubicSpline`. With 4 points not-a-knot gives the unique cubic
/// polynomial through them; `.natural` (zero second derivative at both ends) gives a piecewise
/// cubic that bends less near the ends.
public enum DidacticSplines {
    /// The end conditions of the cubic spline.
    public enum Boundary: String, Sendable, CaseIterable {
        /// Zero second derivative at both ends (`bc_type="natural"` in SciPy).
        case natural
        /// Continuous third derivative at the second and second-to-last knots (`"not-a-knot"`).
        case notAKnot = "not-a-knot"
    }

    /// The times of the 4 control points.
    public static let knots: [Double] = [0, 1.0 / 3.0, 2.0 / 3.0, 1]

    /// `count` samples of `steps` steps each, drawn with `seed`.
    ///
    /// Returns the chunks (`steps x 1`, dimension `y`, `frequency` = `steps`: one chunk is one
    /// second) and, per chunk, its condition: the 4 control values at the ``knots``. The same seed
    /// gives the same samples on every machine; the control values do not depend on `steps`.
    public static func sample(count: Int, steps: Int, seed: UInt64, boundary: Boundary = .notAKnot) throws
        -> (chunks: ChunkSet, conditions: [[Double]])
    {
        guard count > 0 else { throw ActionDataError.empty("asked for \(count) spline samples") }
        guard steps > 0, steps <= 100_000 else {
            throw ActionDataError.invalidParameter("steps must be in 1...100000, got \(steps)")
        }
        var rng = SeededGenerator(seed: seed).derived("didactic-splines")
        var chunks: [ActionChunk] = []
        var conditions: [[Double]] = []
        chunks.reserveCapacity(count)
        conditions.reserveCapacity(count)
        for _ in 0..<count {
            let controls = (0..<4).map { _ in rng.nextUniform(-1, 1) }
            let values = evaluate(controls: controls, steps: steps, boundary: boundary)
            chunks.append(try ActionChunk(steps: steps, dims: 1, values: values))
            conditions.append(controls)
        }
        let set = try ChunkSet(chunks: chunks, dimensionNames: ["y"], frequency: Double(steps))
        return (set, conditions)
    }

    /// The spline through `controls` (values at the ``knots``) at `steps` equally spaced times in [0, 1].
    public static func evaluate(controls: [Double], steps: Int, boundary: Boundary = .notAKnot) -> [Double] {
        precondition(controls.count == knots.count, "a didactic spline has \(knots.count) control values")
        precondition(steps > 0, "steps must be positive")
        let spline = CubicSpline(x: knots, y: controls, boundary: boundary)
        return (0..<steps).map { k in spline.value(at: steps == 1 ? 0 : Double(k) / Double(steps - 1)) }
    }
}

/// An interpolating cubic spline in second-derivative form, for natural or not-a-knot ends.
struct CubicSpline {
    let x: [Double]
    let y: [Double]
    /// Second derivatives at the knots.
    let m: [Double]

    /// Builds the spline through (`x[i]`, `y[i]`); `x` increasing, at least 4 knots for not-a-knot.
    init(x: [Double], y: [Double], boundary: DidacticSplines.Boundary) {
        precondition(x.count == y.count && x.count >= 2, "a spline needs matching knots and values")
        self.x = x; self.y = y
        let n = x.count
        let h = (0..<(n - 1)).map { x[$0 + 1] - x[$0] }
        let slope = (0..<(n - 1)).map { (y[$0 + 1] - y[$0]) / h[$0] }
        // Rows i = 1...n-2: h[i-1] m[i-1] + 2 (h[i-1] + h[i]) m[i] + h[i] m[i+1] = 6 (slope[i] - slope[i-1]).
        var a = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        var b = [Double](repeating: 0, count: n)
        for i in 1..<(n - 1) {
            a[i][i - 1] = h[i - 1]; a[i][i] = 2 * (h[i - 1] + h[i]); a[i][i + 1] = h[i]
            b[i] = 6 * (slope[i] - slope[i - 1])
        }
        if boundary == .notAKnot && n >= 4 {
            // The third derivative, (m[i+1] - m[i]) / h[i], is continuous at x[1] and x[n-2].
            a[0][0] = h[1]; a[0][1] = -(h[0] + h[1]); a[0][2] = h[0]
            a[n - 1][n - 3] = h[n - 2]; a[n - 1][n - 2] = -(h[n - 3] + h[n - 2]); a[n - 1][n - 1] = h[n - 3]
        } else {
            a[0][0] = 1; a[n - 1][n - 1] = 1  // natural: m = 0 at both ends
        }
        m = CubicSpline.solve(a, b)
    }

    /// The spline's value at `t` (the end pieces extend past the first and last knots).
    func value(at t: Double) -> Double {
        var i = 0
        while i < x.count - 2 && t > x[i + 1] { i += 1 }
        let h = x[i + 1] - x[i]
        let left = x[i + 1] - t, right = t - x[i]
        return m[i] * left * left * left / (6 * h) + m[i + 1] * right * right * right / (6 * h)
            + (y[i] / h - m[i] * h / 6) * left + (y[i + 1] / h - m[i + 1] * h / 6) * right
    }

    /// Solves the small dense system `a z = b` by Gaussian elimination with partial pivoting.
    static func solve(_ matrix: [[Double]], _ rhs: [Double]) -> [Double] {
        var a = matrix, b = rhs
        let n = b.count
        for col in 0..<n {
            let pivot = (col..<n).max { abs(a[$0][col]) < abs(a[$1][col]) }!
            if pivot != col { a.swapAt(pivot, col); b.swapAt(pivot, col) }
            for row in (col + 1)..<n where a[row][col] != 0 {
                let f = a[row][col] / a[col][col]
                for k in col..<n { a[row][k] -= f * a[col][k] }
                b[row] -= f * b[col]
            }
        }
        var z = [Double](repeating: 0, count: n)
        for row in stride(from: n - 1, through: 0, by: -1) {
            var s = b[row]
            for k in (row + 1)..<n { s -= a[row][k] * z[k] }
            z[row] = s / a[row][row]
        }
        return z
    }
}
