import ActionData
import Metrics
import Support

// Optional capabilities of a tokenizer, beyond ``ActionTokenizer``. An experiment asks for a
// capability (`tok as? any ReportsCodeUsage`), never for a concrete tokenizer type, so a new
// tokenizer gains a measurement by conforming, without any experiment changing.
//
// Seeded fitting is not a protocol: whether a tokenizer's fit draws from a `seed` setting is
// registry metadata (``TokenizerDescriptor/seeded``), because the seed has to be in the settings
// table before the tokenizer is built (the table is what cell caches and results record).

/// A tokenizer whose fit is a long training run that reports its progress.
public protocol ReportsProgress: AnyObject {
    /// Receives a report per logged training step while fitting (`nil`: silent).
    var progress: ((TrainingProgress) -> Void)? { get set }
    /// The last fit's logged steps with the loss that shows whether training has converged (the
    /// residual VQ: its L1 reconstruction term), so a reader can see that the curve is flat.
    var fitLossCurve: [FitLossPoint] { get }
}

/// One logged step of a tokenizer's fit and its loss.
public struct FitLossPoint: Codable, Equatable, Sendable {
    public var step: Int, loss: Double
    public init(step: Int, loss: Double) { self.step = step; self.loss = loss }
}

extension Array where Element == FitLossPoint {
    /// The logged loss nearest to step `step`, or NaN when nothing was logged.
    public func loss(nearestTo step: Int) -> Double {
        self.min { abs($0.step - step) < abs($1.step - step) }?.loss ?? .nan
    }
}

/// A tokenizer made of discrete codes in layers, whose use of its codes can be counted.
public protocol ReportsCodeUsage {
    /// Code usage over `data`: windows per code and layer, and distinct code combinations.
    func usage(_ data: ChunkSet) throws -> CodeUsage
}

/// A tokenizer that clips values to a fitted range while encoding and counts what it clipped.
public protocol ReportsClipStatistics: AnyObject {
    /// Sets the clipping counters (and any other running counters of the tokenizer) back to zero.
    func resetClipStatistics()
    /// What was clipped while encoding since fitting, restoring or the last reset.
    var clipCount: ClipCount { get }
}

/// A tokenizer that can decode a damaged token sequence by repairing it instead of throwing.
public protocol RelaxedDecoding {
    /// The chunk decoded with repairs, and whether the sequence was clean (strict decoding would accept it).
    func decodeRelaxed(_ tokens: [Int], steps: Int, dims: Int) throws -> (chunk: ActionChunk, clean: Bool)
}

/// A tokenizer that cuts a chunk into windows of a fixed number of steps.
public protocol Windowed {
    /// Steps per window.
    var window: Int { get }
}

/// How many encoded numbers a tokenizer clipped to its fitted range, out of how many.
public struct ClipCount: Equatable, Sendable {
    /// Numbers clipped, and numbers encoded (values, coefficients or control points: the tokenizer says which).
    public var clipped: Int, counted: Int

    public init(clipped: Int, counted: Int) { self.clipped = clipped; self.counted = counted }

    /// `clipped / counted` (0 when nothing was encoded).
    public var share: Double { counted == 0 ? 0 : Double(clipped) / Double(counted) }
}

/// A learned tokenizer whose autoencoder can be trained with its quantiser bypassed, so that a
/// reader can tell quantisation error from autoencoder error.
public protocol MeasuresUnquantisedFloor {
    /// The round trip of each of `measuring` through a fresh encoder and decoder of this
    /// tokenizer's settings (architecture, steps, batches, seed) trained once on `fitting` with no
    /// quantiser: the error the decoder reaches before any code is chosen. The tokenizer itself is
    /// not changed.
    func unquantisedFloor(fitting: ChunkSet, measuring: [ChunkSet]) throws -> UnquantisedFloor
}

/// What a tokenizer's autoencoder reaches with its quantiser bypassed.
public struct UnquantisedFloor: Sendable {
    /// The round trip of each measuring set, in order (no tokens: the floor has no codes).
    public var reconstructions: [Reconstruction]
    /// The floor's training loss at its logged steps (the same loss as ``ReportsProgress/fitLossCurve``).
    public var lossCurve: [FitLossPoint]
    public init(reconstructions: [Reconstruction], lossCurve: [FitLossPoint]) {
        self.reconstructions = reconstructions; self.lossCurve = lossCurve
    }
}
