import Foundation

/// A progress report from a long fit or training run, for the caller to print.
///
/// Every model that trains for many steps reports through this one type: the residual VQ
/// tokenizer's fit, the token policy's and VQ-BeT's training. `phase` says which run it is;
/// `terms` holds the parts of the loss a run logs beside the total (e.g. the residual VQ's L1
/// reconstruction, VQ-BeT's code and offset losses), in the order they are printed.
public struct TrainingProgress: Sendable, Equatable, CustomStringConvertible {
    /// A named part of the loss.
    public struct Term: Sendable, Equatable {
        public var name: String, value: Double
        public init(_ name: String, _ value: Double) { self.name = name; self.value = value }
    }

    /// Which run this is (e.g. `rvq`, `policy`, `vq-bet`).
    public var phase: String
    /// Steps completed, and steps in the run.
    public var step: Int, totalSteps: Int
    /// The loss the run reports at this step (each run says which: the last minibatch's, or a mean since the last report).
    public var loss: Double
    /// Parts of the loss logged beside it.
    public var terms: [Term]
    /// Seconds since the run started, and the estimated seconds left at the current pace.
    public var elapsed: Double, eta: Double

    public init(phase: String, step: Int, totalSteps: Int, loss: Double, terms: [Term] = [], elapsed: Double, eta: Double) {
        self.phase = phase; self.step = step; self.totalSteps = totalSteps; self.loss = loss; self.terms = terms
        self.elapsed = elapsed; self.eta = eta
    }

    /// `elapsed` and the ETA at the current pace after `step` of `totalSteps` steps.
    public init(phase: String, step: Int, totalSteps: Int, loss: Double, terms: [Term] = [], elapsed: Double) {
        self.init(phase: phase, step: step, totalSteps: totalSteps, loss: loss, terms: terms, elapsed: elapsed,
                  eta: elapsed / Double(step) * Double(totalSteps - step))
    }

    /// One line, e.g. `rvq step 40/400 · loss 0.1234 (L1 0.1000) · 3 s elapsed · ETA 27 s`.
    public var description: String {
        let parts = terms.isEmpty ? "" : " (" + terms.map { $0.name + String(format: " %.4f", $0.value) }.joined(separator: ", ") + ")"
        return phase + String(format: " step %d/%d · loss %.4f", step, totalSteps, loss) + parts
            + String(format: " · %.0f s elapsed · ETA %.0f s", elapsed, eta)
    }
}
