import ActionData
import Foundation

extension ResidualVQTokenizer {
    /// The same fitted networks and codebooks with the per-dimension standardisation taken from
    /// `data` instead of the fitting set: how a VQ trained on one source (e.g. simulated motions) is
    /// applied to another without learning anything from it but its mean and spread.
    ///
    /// The copy shares nothing mutable with `self` that either changes afterwards (the networks and
    /// codebooks are only read by encoding and decoding).
    public func restandardised(on data: ChunkSet) throws -> ResidualVQTokenizer {
        try requireFitted()
        guard data.dims == fittedDims else {
            throw TokenizerError.shapeMismatch(name, "fitted on \(fittedDims) dimensions, asked to standardise on \(data.dims)")
        }
        let copy = try ResidualVQTokenizer(config)
        _ = try copy.standardisedFittingWindows(data)
        copy.encoder = encoder; copy.decoder = decoder; copy.quantizer = quantizer; copy.training = training
        copy.isFitted = true
        return copy
    }
}
