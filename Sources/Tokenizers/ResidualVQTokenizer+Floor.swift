import ActionData
import Engine
import Metrics

extension ResidualVQTokenizer: MeasuresUnquantisedFloor {
    /// The unquantised floor: the same encoder and decoder, steps, batches and seed, trained on
    /// `fitting` with the quantiser bypassed (the decoder sees the encoder's latent itself, and
    /// there is no commitment term), then each of `measuring` encoded and decoded through them.
    ///
    /// A separate tokenizer of the same configuration is trained, so this one keeps its fit. The
    /// reconstructions' tokens are empty lists: the floor has no codes.
    public func unquantisedFloor(fitting: ChunkSet, measuring: [ChunkSet]) throws -> UnquantisedFloor {
        let twin = try ResidualVQTokenizer(config)
        twin.progress = progress
        let run = twin.train(try twin.standardisedFittingWindows(fitting), quantised: false)
        let reconstructions = try measuring.map { data -> Reconstruction in
            try requireDims(data.dims, fitted: twin.fittedDims, "measuring set has")
            let width = config.window * twin.fittedDims, n = windows(data.steps)
            let values = data.chunks.flatMap { twin.windowValues($0) }
            let x = Tape.noGrad {
                run.decoder(run.encoder(Tensor(shape: [values.count / width, width], scalars: twin.standardised(values)))).scalars
            }
            let decoded = try data.chunks.indices.map { i in
                try twin.chunk(fromStandardised: Array(x[(i * n * width)..<((i + 1) * n * width)]), steps: data.steps)
            }
            return try Reconstruction.compare(data, decoded: decoded, tokens: Array(repeating: [], count: data.count))
        }
        return UnquantisedFloor(reconstructions: reconstructions,
                                lossCurve: run.report.losses.map { FitLossPoint(step: $0.step, loss: $0.reconstruction) })
    }
}
