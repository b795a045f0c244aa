import _OpenBLAS
import Support

/// The codebooks of a residual vector quantiser and their exponential-moving-average updates.
///
/// Quantising a latent `z`: layer 0 picks the code nearest to `z` (squared Euclidean distance,
/// ties to the lower index), layer `l` the code nearest to the residual `r_l = z - q_0 - ... -
/// q_{l-1}`; the quantised latent is `q_0 + ... + q_{N-1}`. Layer 0's codes are coarse (primary),
/// the later ones refine what the earlier ones left (secondary).
///
/// Codebooks are not trained by gradients but by moving averages of the residuals assigned to
/// them. For layer `l` and a batch in which code `k` was picked `n_k` times for residuals summing
/// to `s_k`, with decay `g`:
///
///     N_k <- g N_k + (1 - g) n_k        S_k <- g S_k + (1 - g) s_k        e_k = S_k / N_k
///
/// The averages start at `N_k = 1` and `S_k = e_k` (not at zero), so a code that is not picked
/// decays in both and keeps its place instead of being divided by a vanishing count; once its
/// count falls to ``countFloor`` it is parked there (`S_k = e_k · floor`), which also keeps every
/// value out of the denormal range, where floating-point arithmetic is a hundred times slower.
/// (The usual Laplace smoothing of the counts is not needed: no count reaches zero.) Optionally a
/// code whose `N_k` falls below a threshold is replaced by a residual drawn at random from the
/// batch ("dead-code replacement").
public struct ResidualQuantizer: Equatable, Sendable {
    /// Residual layers `N`.
    public let layers: Int
    /// Codes per layer `K`.
    public let codebookSize: Int
    /// Width of each code `D`.
    public let dim: Int
    /// Codebooks, `codebooks[l][k * D + d]`.
    public var codebooks: [[Float]]
    /// Moving-average assignment counts `N_k` per layer.
    public var counts: [[Float]]
    /// Moving-average residual sums `S_k` per layer, laid out like the codebooks.
    public var sums: [[Float]]
    /// The smallest moving-average count; a code unused for long is parked at it.
    public static let countFloor: Float = 1e-6

    /// Codebooks drawn from a standard normal (counts 1, sums equal to the codes).
    public init(layers: Int, codebookSize: Int, dim: Int, rng: inout SeededGenerator) {
        self.layers = layers; self.codebookSize = codebookSize; self.dim = dim
        codebooks = (0..<layers).map { _ in (0..<(codebookSize * dim)).map { _ in Float(rng.nextGaussian()) } }
        counts = Array(repeating: Array(repeating: 1, count: codebookSize), count: layers)
        sums = codebooks
    }

    /// Given codebooks (counts 1, sums equal to the codes).
    public init(codebooks: [[Float]], dim: Int) {
        precondition(!codebooks.isEmpty && dim > 0 && codebooks.allSatisfy { $0.count == codebooks[0].count && $0.count % dim == 0 })
        layers = codebooks.count; codebookSize = codebooks[0].count / dim; self.dim = dim
        self.codebooks = codebooks
        counts = Array(repeating: Array(repeating: 1, count: codebookSize), count: layers)
        sums = codebooks
    }

    /// The nearest code of layer `layer` to each of the `rows` vectors in `x` (`rows x D`).
    public func nearest(_ x: [Float], rows: Int, layer: Int) -> [Int] {
        Self.nearest(x, rows: rows, codebook: codebooks[layer], size: codebookSize, dim: dim)
    }

    /// The nearest of `size` codes (`size x dim`) to each row of `x`, by `|e|^2 - 2 x.e` from one sgemm.
    public static func nearest(_ x: [Float], rows: Int, codebook: [Float], size: Int, dim: Int) -> [Int] {
        if rows == 0 { return [] }
        var scores = [Float](repeating: 0, count: rows * size)
        x.withUnsafeBufferPointer { xp in codebook.withUnsafeBufferPointer { cp in scores.withUnsafeMutableBufferPointer { sp in
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(size), Int32(dim), 1,
                        xp.baseAddress, Int32(dim), cp.baseAddress, Int32(dim), 0, sp.baseAddress, Int32(size))
        } } }
        var norms = [Float](repeating: 0, count: size)
        for k in 0..<size {
            var s: Float = 0
            for d in 0..<dim { let v = codebook[k * dim + d]; s += v * v }
            norms[k] = s
        }
        var out = [Int](repeating: 0, count: rows)
        for r in 0..<rows {
            var best = 0, bestD = Float.infinity
            for k in 0..<size {
                let d = norms[k] - 2 * scores[r * size + k]
                if d < bestD { bestD = d; best = k }
            }
            out[r] = best
        }
        return out
    }

    /// The codes of every layer for `rows` latents (`codes[l][r]`), and the running sums of the
    /// chosen codes (`partial[l]` = `q_0 + ... + q_l`, `rows x D`).
    public func quantize(_ z: [Float], rows: Int) -> (codes: [[Int]], partial: [[Float]]) {
        precondition(z.count == rows * dim, "quantize: \(z.count) values are not \(rows) x \(dim)")
        var residual = z
        var sum = [Float](repeating: 0, count: z.count)
        var codes: [[Int]] = [], partial: [[Float]] = []
        for l in 0..<layers {
            let c = nearest(residual, rows: rows, layer: l)
            let book = codebooks[l]
            for r in 0..<rows {
                let base = c[r] * dim
                for d in 0..<dim {
                    sum[r * dim + d] += book[base + d]
                    residual[r * dim + d] -= book[base + d]
                }
            }
            codes.append(c); partial.append(sum)
        }
        return (codes, partial)
    }

    /// The quantised latents `q_0 + ... + q_{N-1}` for `codes[l][r]` (`rows x D`); only the first
    /// `codes.count` layers are summed, so `[primary]` alone gives the coarse reconstruction.
    public func latents(codes: [[Int]]) -> [Float] {
        let rows = codes.first?.count ?? 0
        var out = [Float](repeating: 0, count: rows * dim)
        for (l, c) in codes.enumerated() {
            let book = codebooks[l]
            for r in 0..<rows {
                for d in 0..<dim { out[r * dim + d] += book[c[r] * dim + d] }
            }
        }
        return out
    }

    /// One moving-average step of layer `layer` from `rows` residuals `x` assigned to `codes`.
    // region: rvq-ema-update
    public mutating func update(layer l: Int, residuals x: [Float], codes: [Int], decay: Float) {
        let K = codebookSize, D = dim
        var n = [Float](repeating: 0, count: K), s = [Float](repeating: 0, count: K * D)
        for (r, k) in codes.enumerated() {
            n[k] += 1
            for d in 0..<D { s[k * D + d] += x[r * D + d] }
        }
        for k in 0..<K {
            counts[l][k] = decay * counts[l][k] + (1 - decay) * n[k]
            if counts[l][k] < Self.countFloor {
                counts[l][k] = Self.countFloor
                for d in 0..<D { sums[l][k * D + d] = codebooks[l][k * D + d] * Self.countFloor }
                continue
            }
            for d in 0..<D { sums[l][k * D + d] = decay * sums[l][k * D + d] + (1 - decay) * s[k * D + d] }
            for d in 0..<D { codebooks[l][k * D + d] = sums[l][k * D + d] / counts[l][k] }
        }
    }
    // endregion: rvq-ema-update

    /// Replaces every code of layer `l` whose moving-average count is below `threshold` by one of
    /// the `rows` residuals `x`, drawn at random; returns how many were replaced.
    @discardableResult
    public mutating func replaceDeadCodes(layer l: Int, threshold: Float, residuals x: [Float], rows: Int, rng: inout SeededGenerator) -> Int {
        guard threshold > 0, rows > 0 else { return 0 }
        var replaced = 0
        for k in 0..<codebookSize where counts[l][k] < threshold {
            let r = rng.nextInt(below: rows)
            for d in 0..<dim { codebooks[l][k * dim + d] = x[r * dim + d] }
            for d in 0..<dim { sums[l][k * dim + d] = x[r * dim + d] }
            counts[l][k] = 1
            replaced += 1
        }
        return replaced
    }

    /// Sets layer `l`'s codebook (counts 1, sums equal to the codes).
    public mutating func setCodebook(layer l: Int, _ codes: [Float]) {
        precondition(codes.count == codebookSize * dim)
        codebooks[l] = codes; sums[l] = codes
        counts[l] = Array(repeating: 1, count: codebookSize)
    }

    /// Lloyd's k-means: `k` centres (`k x dim`) of the `rows` points `x`, started from `k` distinct
    /// points drawn at random (repeated when there are fewer points than centres); an emptied
    /// cluster keeps its centre.
    public static func kmeans(_ x: [Float], rows: Int, dim: Int, k: Int, iterations: Int, rng: inout SeededGenerator) -> [Float] {
        precondition(rows > 0 && x.count == rows * dim, "k-means needs points")
        var order = Array(0..<rows)
        rng.shuffle(&order)
        var centres = [Float](repeating: 0, count: k * dim)
        for c in 0..<k {
            let r = order[c % rows]
            for d in 0..<dim { centres[c * dim + d] = x[r * dim + d] }
        }
        for _ in 0..<iterations {
            let assign = nearest(x, rows: rows, codebook: centres, size: k, dim: dim)
            var sums = [Double](repeating: 0, count: k * dim), n = [Int](repeating: 0, count: k)
            for (r, c) in assign.enumerated() {
                n[c] += 1
                for d in 0..<dim { sums[c * dim + d] += Double(x[r * dim + d]) }
            }
            var moved = false
            for c in 0..<k where n[c] > 0 {
                for d in 0..<dim {
                    let v = Float(sums[c * dim + d] / Double(n[c]))
                    if v != centres[c * dim + d] { moved = true }
                    centres[c * dim + d] = v
                }
            }
            if !moved { break }
        }
        return centres
    }
}
