import ActionData
import Support

extension VQBeTPolicy: ActionPolicy {
    /// Actions per chunk: the tokenizer's window.
    public var chunkLength: Int { window }

    /// One forward pass of the transformer gives every layer's code and the offsets at once.
    public var costPerChunk: ChunkCost { .forwardPasses(1) }

    /// The window of one history, codes sampled at ``VQBeTConfig/temperature`` (``act(_:temperature:rng:)`` with one history).
    public func act(history: [[Double]], rng: inout SeededGenerator) throws -> ActionChunk {
        try ActionChunk(steps: window, dims: actionDim, values: act([history], rng: &rng).windows[0])
    }
}
