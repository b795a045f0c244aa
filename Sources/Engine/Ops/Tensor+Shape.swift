/// Reshape (a view), transpose, concatenation, slicing and row gathers.
extension Tensor {
    /// The same values under a new shape; shares storage (no copy). One dimension may be -1.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var s = newShape
        if let i = s.firstIndex(of: -1) {
            let known = s.enumerated().filter { $0.offset != i }.map(\.element).reduce(1, *)
            s[i] = count / max(known, 1)
        }
        precondition(s.reduce(1, *) == count, "cannot reshape \(shape) to \(newShape)")
        let out = Tensor(shape: s, storage: storage)
        return Tape.record(out, inputs: [self]) { [self] out in
            let dy = out.gradStorage!.base, g = self.gradPtr()
            for i in 0..<self.count { g[i] += dy[i] }
        }
    }

    /// Swaps the last two dimensions (materialised copy).
    public func transposedLast2() -> Tensor {
        precondition(shape.count >= 2, "transpose needs rank ≥ 2, got \(shape)")
        let r = shape[shape.count - 2], c = lastDim, batch = count / max(r * c, 1)
        let out = Tensor.empty(Array(shape.dropLast(2)) + [c, r])
        for b in 0..<batch {
            let x = ptr + b * r * c, y = out.ptr + b * r * c
            for i in 0..<r { for j in 0..<c { y[j * r + i] = x[i * c + j] } }
        }
        return Tape.record(out, inputs: [self]) { [self] out in
            let dy = out.gradStorage!.base, g = self.gradPtr()
            for b in 0..<batch {
                let d = dy + b * r * c, gx = g + b * r * c
                for i in 0..<r { for j in 0..<c { gx[i * c + j] += d[j * r + i] } }
            }
        }
    }

    /// Concatenates tensors along `axis`; all other dimensions must agree.
    public static func concat(_ parts: [Tensor], axis: Int) -> Tensor {
        precondition(!parts.isEmpty, "concat needs at least one tensor")
        let rank = parts[0].shape.count
        let ax = axis < 0 ? axis + rank : axis
        for p in parts {
            precondition(p.shape.count == rank && p.shape.enumerated().allSatisfy { $0.offset == ax || $0.element == parts[0].shape[$0.offset] },
                         "concat along \(axis): shapes \(parts.map(\.shape)) disagree off-axis")
        }
        let outer = parts[0].shape.prefix(ax).reduce(1, *)
        let inner = parts[0].shape.suffix(from: ax + 1).reduce(1, *)
        let widths = parts.map { $0.shape[ax] * inner }
        let total = widths.reduce(0, +)
        var outShape = parts[0].shape
        outShape[ax] = parts.map { $0.shape[ax] }.reduce(0, +)
        let out = Tensor.empty(outShape)
        var off = 0
        for (p, w) in zip(parts, widths) {
            for o in 0..<outer { (out.ptr + o * total + off).update(from: p.ptr + o * w, count: w) }
            off += w
        }
        return Tape.record(out, inputs: parts) { out in
            let dy = out.gradStorage!.base
            var off = 0
            for (p, w) in zip(parts, widths) {
                if p.requiresGrad {
                    let g = p.gradPtr()
                    for o in 0..<outer {
                        let src = dy + o * total + off, dst = g + o * w
                        for j in 0..<w { dst[j] += src[j] }
                    }
                }
                off += w
            }
        }
    }

    /// The sub-range `range` of dimension `axis` (a copy).
    public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
        let ax = axis < 0 ? axis + shape.count : axis
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[ax], "slice \(range) out of bounds for axis \(axis) of \(shape)")
        let outer = shape.prefix(ax).reduce(1, *)
        let inner = shape.suffix(from: ax + 1).reduce(1, *)
        let full = shape[ax] * inner, w = range.count * inner, start = range.lowerBound * inner
        var outShape = shape
        outShape[ax] = range.count
        let out = Tensor.empty(outShape)
        for o in 0..<outer { (out.ptr + o * w).update(from: ptr + o * full + start, count: w) }
        return Tape.record(out, inputs: [self]) { [self] out in
            let dy = out.gradStorage!.base, g = self.gradPtr()
            for o in 0..<outer {
                let src = dy + o * w, dst = g + o * full + start
                for j in 0..<w { dst[j] += src[j] }
            }
        }
    }

    /// Rows of a `[N, D]` table picked by `indices` (shape `indexShape`): the embedding lookup.
    /// Output shape is `indexShape + [D]`; the backward pass scatters-adds into the table.
    public static func gather(_ table: Tensor, indices: [Int], indexShape: [Int]) -> Tensor {
        precondition(table.shape.count == 2, "gather needs a [N, D] table, got \(table.shape)")
        precondition(indexShape.reduce(1, *) == indices.count, "index shape \(indexShape) does not hold \(indices.count) indices")
        let n = table.shape[0], d = table.shape[1]
        let out = Tensor.empty(indexShape + [d])
        for (r, i) in indices.enumerated() {
            precondition(i >= 0 && i < n, "index \(i) out of range 0..<\(n)")
            (out.ptr + r * d).update(from: table.ptr + i * d, count: d)
        }
        return Tape.record(out, inputs: [table]) { out in
            let dy = out.gradStorage!.base, g = table.gradPtr()
            for (r, i) in indices.enumerated() {
                let src = dy + r * d, dst = g + i * d
                for j in 0..<d { dst[j] += src[j] }
            }
        }
    }
}
