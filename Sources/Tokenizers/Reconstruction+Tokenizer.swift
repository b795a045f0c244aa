import ActionData
import Metrics

extension Reconstruction {
    /// Encodes and decodes every chunk of `data` with `tokenizer`, and measures the round trip.
    public static func measure(_ tokenizer: any ActionTokenizer, on data: ChunkSet) throws -> Reconstruction {
        let pairs = try data.chunks.map { chunk -> (tokens: [Int], decoded: ActionChunk) in
            let ids = try tokenizer.encode(chunk)
            return (ids, try tokenizer.decode(ids, steps: chunk.steps, dims: chunk.dims))
        }
        return try compare(data, decoded: pairs.map(\.decoded), tokens: pairs.map(\.tokens))
    }
}
