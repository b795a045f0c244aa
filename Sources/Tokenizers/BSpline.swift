import Foundation

/// A clamped uniform B-spline basis on [0, 1]: degree `P`, `N` control points (`N > P`).
///
/// The knot vector has `N + P + 1` entries: `P + 1` knots at 0, the `N - P - 1` interior knots
/// `j / (N - P)` for `j = 1 ..< N - P`, and `P + 1` knots at 1. Clamping makes the curve start
/// at the first control point and end at the last. The basis functions are non-negative and sum
/// to one at every `u` (partition of unity), so a curve is a moving weighted average of its
/// control points. Intervals are half-open, `[t_k, t_k+1)`, except that `u = 1` belongs to the
/// last non-empty interval, so the last basis function is 1 there (as in scipy).
public struct BSplineBasis: Equatable, Sendable {
    /// Polynomial degree `P` (4 in the BEAST reference configuration; 3 is cubic).
    public let degree: Int
    /// Number of control points (basis functions) `N`.
    public let controlPoints: Int
    /// The clamped uniform knot vector, `N + P + 1` non-decreasing values from 0 to 1.
    public let knots: [Double]

    /// Creates the basis; throws unless `0 <= degree < controlPoints`.
    public init(degree: Int, controlPoints: Int) throws {
        guard degree >= 0 else { throw BSplineError.invalidBasis("degree must be >= 0, got \(degree)") }
        guard controlPoints > degree else {
            throw BSplineError.invalidBasis("a clamped B-spline of degree \(degree) needs at least \(degree + 1) control points, got \(controlPoints)")
        }
        self.degree = degree
        self.controlPoints = controlPoints
        let intervals = controlPoints - degree
        knots = [Double](repeating: 0, count: degree + 1)
            + (1..<intervals).map { Double($0) / Double(intervals) }
            + [Double](repeating: 1, count: degree + 1)
    }

    /// The normalised sample times `u_t = t / (T - 1)` of a `T`-step chunk; a single step sits at 0.
    ///
    /// Every chunk spans [0, 1] whatever its length, so chunks of different lengths share one
    /// curve: a chunk of `2T - 1` steps samples the same curve as a `T`-step chunk, plus midpoints.
    public static func sampleTimes(steps: Int) -> [Double] {
        steps <= 1 ? [0] : (0..<steps).map { Double($0) / Double(steps - 1) }
    }

    /// The knot interval `k` with `t_k <= u < t_k+1`, `P <= k < N`; `u >= 1` gives `N - 1`.
    func span(_ u: Double) -> Int {
        if u >= 1 { return controlPoints - 1 }
        var lo = degree, hi = controlPoints - 1           // knots[lo] <= u < knots[hi + 1]
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if knots[mid] <= u { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    /// The `P + 1` basis functions that can be non-zero at `u`, and the index of the first.
    ///
    /// This is the Cox–de Boor recursion `B_i,p = w B_i,p-1 + (1 - w') B_i+1,p-1`, evaluated
    /// degree by degree on the non-zero triangle only (the NURBS Book's algorithm A2.2). `u` is
    /// clamped to [0, 1].
    public func nonZeroBasis(at u: Double) -> (first: Int, values: [Double]) {
        let u = min(max(u, 0), 1)
        let k = span(u), p = degree
        var b = [Double](repeating: 0, count: p + 1)
        var left = [Double](repeating: 0, count: p + 1), right = [Double](repeating: 0, count: p + 1)
        b[0] = 1
        if p > 0 {
            for j in 1...p {
                left[j] = u - knots[k + 1 - j]
                right[j] = knots[k + j] - u
                var saved = 0.0
                for r in 0..<j {
                    let temp = b[r] / (right[r + 1] + left[j - r])
                    b[r] = saved + right[r + 1] * temp
                    saved = left[j - r] * temp
                }
                b[j] = saved
            }
        }
        return (k - p, b)
    }

    /// All `N` basis function values at `u` (zeros outside the `P + 1` supported ones).
    public func values(at u: Double) -> [Double] {
        var out = [Double](repeating: 0, count: controlPoints)
        let (first, b) = nonZeroBasis(at: u)
        for (i, v) in b.enumerated() { out[first + i] = v }
        return out
    }

    /// The `T x N` design matrix `Phi[t][n] = B_n(u_t)`, row-major, at ``sampleTimes(steps:)``.
    public func designMatrix(steps: Int) -> [Double] {
        Self.sampleTimes(steps: steps).flatMap { values(at: $0) }
    }

    /// The `T x D` curve values (row-major) of `N x D` control points (row-major) at `T` samples.
    public func evaluate(controlPoints c: [Double], dims: Int, steps: Int) -> [Double] {
        precondition(c.count == controlPoints * dims, "expected \(controlPoints) x \(dims) control points")
        var out = [Double](repeating: 0, count: steps * dims)
        for (t, u) in Self.sampleTimes(steps: steps).enumerated() {
            let (first, b) = nonZeroBasis(at: u)
            for (i, w) in b.enumerated() where w != 0 {
                let row = (first + i) * dims
                for d in 0..<dims { out[t * dims + d] += w * c[row + d] }
            }
        }
        return out
    }
}

/// Ridge least-squares fitting of control points for one (steps, basis, lambda), solved once.
///
/// For a `T x D` chunk `A` the control points are `C = (Phi^T Phi + lambda I)^-1 Phi^T A`, all `D`
/// dimensions at once. The `N x T` projection `(Phi^T Phi + lambda I)^-1 Phi^T` depends only on
/// `T`, the basis and `lambda`, so it is computed once by a Cholesky solve and reused for every
/// chunk. With `lambda = 0` the system is singular unless the samples pin down every control
/// point (at least `N` steps), and the initialiser throws.
public struct BSplineRidgeFit: Sendable {
    /// The spline basis.
    public let basis: BSplineBasis
    /// Steps `T` per chunk.
    public let steps: Int
    /// The ridge weight `lambda >= 0`.
    public let lambda: Double
    /// The `T x N` design matrix, row-major.
    public let design: [Double]
    /// The `N x T` projection `(Phi^T Phi + lambda I)^-1 Phi^T`, row-major.
    public let projection: [Double]

    /// Builds the design matrix and solves the normal equations for `steps` samples.
    public init(basis: BSplineBasis, steps: Int, lambda: Double) throws {
        guard steps >= 1 else { throw BSplineError.invalidBasis("a chunk needs at least one step, got \(steps)") }
        guard lambda >= 0, lambda.isFinite else { throw BSplineError.invalidBasis("lambda must be finite and >= 0, got \(lambda)") }
        let n = basis.controlPoints, t = steps
        let phi = basis.designMatrix(steps: steps)
        var gram = [Double](repeating: 0, count: n * n)              // Phi^T Phi + lambda I
        for r in 0..<t {
            for i in 0..<n where phi[r * n + i] != 0 {
                for j in 0..<n { gram[i * n + j] += phi[r * n + i] * phi[r * n + j] }
            }
        }
        for i in 0..<n { gram[i * n + i] += lambda }
        var phiT = [Double](repeating: 0, count: n * t)               // Phi^T, N x T
        for r in 0..<t { for i in 0..<n { phiT[i * t + r] = phi[r * n + i] } }
        guard let solved = choleskySolve(gram, n: n, rhs: phiT, columns: t) else {
            throw BSplineError.singularSystem(
                "Phi^T Phi + lambda I is singular for \(steps) steps, \(n) control points, degree \(basis.degree), lambda \(lambda); use lambda > 0 or at least \(n) steps")
        }
        self.basis = basis; self.steps = steps; self.lambda = lambda
        design = phi; projection = solved
    }

    /// The `N x D` control points (row-major) of a `T x D` chunk's values (row-major).
    public func controlPoints(of values: [Double], dims: Int) -> [Double] {
        precondition(values.count == steps * dims, "expected \(steps) x \(dims) values")
        let n = basis.controlPoints
        var out = [Double](repeating: 0, count: n * dims)
        for i in 0..<n {
            for r in 0..<steps {
                let w = projection[i * steps + r]
                if w == 0 { continue }
                for d in 0..<dims { out[i * dims + d] += w * values[r * dims + d] }
            }
        }
        return out
    }
}

/// A thread-safe cache of ``BSplineRidgeFit`` solves keyed by (steps, control points, degree, lambda).
final class BSplineFitCache: @unchecked Sendable {
    private struct Key: Hashable { let steps, controlPoints, degree: Int; let lambda: Double }
    private var fits: [Key: BSplineRidgeFit] = [:]
    private let lock = NSLock()

    /// The cached solve for `steps`, computing it on first use.
    func fit(basis: BSplineBasis, steps: Int, lambda: Double) throws -> BSplineRidgeFit {
        let key = Key(steps: steps, controlPoints: basis.controlPoints, degree: basis.degree, lambda: lambda)
        lock.lock(); defer { lock.unlock() }
        if let f = fits[key] { return f }
        let f = try BSplineRidgeFit(basis: basis, steps: steps, lambda: lambda)
        fits[key] = f
        return f
    }
}

/// Errors from building a spline basis or solving for control points.
public enum BSplineError: Error, CustomStringConvertible, Equatable {
    case invalidBasis(String)
    case singularSystem(String)

    public var description: String {
        switch self {
        case .invalidBasis(let s): return "invalid B-spline: \(s)"
        case .singularSystem(let s): return "B-spline fit has no unique solution: \(s)"
        }
    }
}

/// Solves `G X = B` for a symmetric positive definite `n x n` matrix `G` (row-major) and an
/// `n x columns` right-hand side, by Cholesky factorisation `G = L L^T`; `nil` when a pivot is not
/// positive relative to the largest diagonal entry (singular or indefinite).
func choleskySolve(_ g: [Double], n: Int, rhs: [Double], columns: Int) -> [Double]? {
    var l = [Double](repeating: 0, count: n * n)
    let scale = (0..<n).map { g[$0 * n + $0] }.max() ?? 0
    guard scale > 0 else { return nil }
    for j in 0..<n {
        var diag = g[j * n + j]
        for k in 0..<j { diag -= l[j * n + k] * l[j * n + k] }
        guard diag > 1e-12 * scale else { return nil }
        let ljj = diag.squareRoot()
        l[j * n + j] = ljj
        for i in (j + 1)..<n {
            var s = g[i * n + j]
            for k in 0..<j { s -= l[i * n + k] * l[j * n + k] }
            l[i * n + j] = s / ljj
        }
    }
    var x = rhs
    for c in 0..<columns {
        for i in 0..<n {                                   // forward: L y = b
            var s = x[i * columns + c]
            for k in 0..<i { s -= l[i * n + k] * x[k * columns + c] }
            x[i * columns + c] = s / l[i * n + i]
        }
        for i in stride(from: n - 1, through: 0, by: -1) { // backward: L^T x = y
            var s = x[i * columns + c]
            for k in (i + 1)..<n { s -= l[k * n + i] * x[k * columns + c] }
            x[i * columns + c] = s / l[i * n + i]
        }
    }
    return x
}
