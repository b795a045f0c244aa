extension ChunkSet {
    /// The chunks cut into consecutive `window`-step chunks, in order (a shorter tail is dropped).
    public func resampledWindows(_ window: Int) throws -> ChunkSet {
        guard window >= 1 else { throw ActionDataError.invalidParameter("a window needs at least one step, got \(window)") }
        var out: [ActionChunk] = []
        for c in chunks {
            for s in stride(from: 0, through: c.steps - window, by: window) {
                out.append(try ActionChunk(steps: window, dims: dims, values: Array(c.values[(s * dims)..<((s + window) * dims)])))
            }
        }
        return try ChunkSet(chunks: out, dimensionNames: dimensionNames, frequency: frequency)
    }
}
