import Foundation
import _OpenBLAS

/// The orthonormal DCT-II along time (and its inverse, the DCT-III), applied to batches with BLAS.
///
/// For a length `T` the basis is the `T x T` matrix `C[k][n] = s_k cos(pi k (2n + 1) / (2T))` with
/// `s_0 = sqrt(1/T)` and `s_k = sqrt(2/T)` otherwise, which is `scipy.fft.dct(type=2, norm="ortho")`.
/// `C` is orthogonal, so the inverse is `C^T` and the transform preserves Euclidean norms.
///
/// A batch of `count` chunks of `steps x dims` values (time-major, as in ``ActionChunk``) is
/// transformed by one matrix product: the batch is laid out as a `steps x (count * dims)` matrix
/// (row `t` holds every chunk's dimensions at step `t`), multiplied by `C` (or `C^T`) with
/// `cblas_dgemm`, and laid back out. Coefficient `k` of dimension `d` sits where step `k` of
/// dimension `d` was.
public enum DCT {
    /// The `steps x steps` DCT-II basis, row-major (`basis[k * steps + n]`), cached per length.
    public static func basis(steps: Int) -> [Double] {
        precondition(steps > 0, "a DCT needs at least one step")
        cacheLock.lock(); defer { cacheLock.unlock() }
        if let b = cache[steps] { return b }
        var b = [Double](repeating: 0, count: steps * steps)
        let t = Double(steps)
        for k in 0..<steps {
            let s = k == 0 ? (1 / t).squareRoot() : (2 / t).squareRoot()
            for n in 0..<steps { b[k * steps + n] = s * cos(Double.pi * Double(k) * Double(2 * n + 1) / (2 * t)) }
        }
        cache[steps] = b
        return b
    }

    /// DCT-II (orthonormal) along time of every chunk in `values` (`count` chunks of `steps x dims`).
    public static func forward(_ values: [Double], steps: Int, dims: Int) -> [Double] {
        transform(values, steps: steps, dims: dims, inverse: false)
    }

    /// The inverse of ``forward(_:steps:dims:)``: the orthonormal DCT-III along time.
    public static func inverse(_ coefficients: [Double], steps: Int, dims: Int) -> [Double] {
        transform(coefficients, steps: steps, dims: dims, inverse: true)
    }

    private static func transform(_ x: [Double], steps: Int, dims: Int, inverse: Bool) -> [Double] {
        let per = steps * dims
        precondition(per > 0 && x.count % per == 0, "\(x.count) values are not whole chunks of \(steps) x \(dims)")
        let count = x.count / per, columns = count * dims
        guard count > 0 else { return [] }
        var input = [Double](repeating: 0, count: x.count), output = input
        for c in 0..<count {
            for t in 0..<steps {
                for d in 0..<dims { input[t * columns + c * dims + d] = x[c * per + t * dims + d] }
            }
        }
        let b = basis(steps: steps)
        input.withUnsafeBufferPointer { i in
            output.withUnsafeMutableBufferPointer { o in
                multiply(basis: b, inverse: inverse, steps: steps, columns: columns, i.baseAddress!, o.baseAddress!)
            }
        }
        var out = [Double](repeating: 0, count: x.count)
        for c in 0..<count {
            for t in 0..<steps {
                for d in 0..<dims { out[c * per + t * dims + d] = output[t * columns + c * dims + d] }
            }
        }
        return out
    }

    /// `output = C * input` (or `C^T * input` when `inverse`), both `steps x columns`, row-major.
    static func multiply(basis: [Double], inverse: Bool, steps: Int, columns: Int,
                         _ input: UnsafePointer<Double>, _ output: UnsafeMutablePointer<Double>) {
        useOneBLASThread()
        let t = Int32(steps), n = Int32(columns)
        basis.withUnsafeBufferPointer { c in
            cblas_dgemm(CblasRowMajor, inverse ? CblasTrans : CblasNoTrans, CblasNoTrans,
                        t, n, t, 1, c.baseAddress, t, input, n, 0, output, n)
        }
    }

    /// Puts OpenBLAS back on one thread when anything set it otherwise. The tokenizers split
    /// batches over their own threads; a threaded dgemm partitions the columns by its own rule, so
    /// a chunk's coefficients would depend on the batch it was transformed in.
    static func useOneBLASThread() {
        guard openblas_get_num_threads() != 1 else { return }
        cacheLock.lock()
        defer { cacheLock.unlock() }
        if openblas_get_num_threads() != 1 { openblas_set_num_threads(1) }
    }

    nonisolated(unsafe) private static var cache: [Int: [Double]] = [:]
    private static let cacheLock = NSLock()
}
