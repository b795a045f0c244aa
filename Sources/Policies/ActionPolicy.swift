import ActionData
import Support

/// A policy that maps observation histories to chunks of actions, whatever its model.
///
/// VQ-BeT (``VQBeTPolicy``), a tokenizer with the token policy (``TokenizedPolicy``) and the
/// continuous policies all train on ``Demonstrations`` and act on the observations so far,
/// returning a whole chunk of actions that the caller executes before asking again (action
/// chunking). Closed-loop rollouts take `any ActionPolicy`, so they never depend on the model.
///
/// Deployment times one call of ``act(history:rng:)`` per chunk; ``costPerChunk`` says what that
/// call does, so policies of different kinds can be compared at equal cost.
public protocol ActionPolicy: AnyObject {
    /// Width of an observation and of an action.
    var observationDim: Int { get }
    var actionDim: Int { get }
    /// Actions per chunk returned by ``act(history:rng:)``.
    var chunkLength: Int { get }
    /// What one call of ``act(history:rng:)`` costs (the most it can cost, when it varies).
    var costPerChunk: ChunkCost { get }
    /// Trains on `demos` (deterministic for the policy's seed); `progress` receives reports while training.
    func train(_ demos: Demonstrations, progress: ((TrainingProgress) -> Void)?) throws
    /// The next ``chunkLength`` actions (`chunkLength x actionDim`) for `history`, the observations
    /// of the episode so far, the current one last; random choices come from `rng`.
    func act(history: [[Double]], rng: inout SeededGenerator) throws -> ActionChunk
}

/// What producing one chunk costs a policy: the unit deployment counts per call.
public enum ChunkCost: Equatable, Sendable, CustomStringConvertible {
    /// Autoregressive decoding of `n` tokens: one forward pass (with the KV cache) per token.
    case tokens(Int)
    /// An iterative continuous sampler (flow matching, diffusion): `n` evaluations of the network.
    case functionEvaluations(Int)
    /// `n` forward passes of a network that outputs the whole chunk at once.
    case forwardPasses(Int)

    public var description: String {
        switch self {
        case .tokens(let n): return "\(n) tokens"
        case .functionEvaluations(let n): return "\(n) function evaluations"
        case .forwardPasses(let n): return n == 1 ? "1 forward pass" : "\(n) forward passes"
        }
    }
}
