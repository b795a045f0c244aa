import ActionData
import Engine
import Foundation
import Support
import Tokenizers

/// VQ-BeT (arXiv 2403.03181): a transformer over recent observations that predicts the residual VQ
/// codes of the next action window, one categorical per layer, and an offset for every (layer, code).
///
/// - Input: the last ``VQBeTConfig/history`` observations (standardised with the training set's
///   mean and deviation; before the episode's start the first observation is repeated), each
///   mapped to the model width by a linear layer plus a learned position embedding, through
///   pre-norm causal transformer blocks. Every position is trained to predict the window that
///   starts at its time step (positions before the episode's start are left out of the losses).
/// - Code head: `N x K` logits; the loss is the focal loss of each layer's code, weighted
///   ``VQBeTConfig/primaryWeight`` for layer 0 and ``VQBeTConfig/secondaryWeight`` for the others.
/// - Offset head: an MLP with `N x K x W·D` outputs, a correction of the decoded window for every
///   layer and code. The corrections of the chosen codes are gathered and summed; the L1 loss
///   compares decoded window + summed corrections with the demonstrated window (in the tokenizer's
///   standardised units). When training, the chosen codes are the ones the policy draws from its
///   own distributions at its temperature, as LeRobot trains them (``VQBeTOffsetCodes/sampled``),
///   or the demonstrated window's codes (``VQBeTOffsetCodes/demonstrated``).
/// - The tokenizer is fitted beforehand and frozen; the policy only reads its codes and decoder.
/// - Sequential selection (``VQBeTConfig/sequentialSelect``, LeRobot's `sequentially_select`):
///   layer `l`'s logits also receive a learned row per earlier layer's code, which is a linear
///   layer over the hidden state and the one-hot earlier codes, as in LeRobot's secondary head.
///   Training conditions on the demonstrated codes (LeRobot conditions on its sampled primary
///   code), acting on the codes already drawn. Off, every layer is drawn independently.
/// - Acting: each layer's code is sampled from its softmax at ``VQBeTConfig/temperature``
///   (the most likely code at 0), the codes are decoded, the corrections added when the offset
///   head is on, and the whole window is returned in action units.
public final class VQBeTPolicy: Module {
    public let config: VQBeTConfig
    /// The frozen action tokenizer.
    public let tokenizer: ResidualVQTokenizer
    public let observationDim: Int, actionDim: Int
    /// The observation histories it sees, standardised with the training demonstrations' statistics.
    public private(set) var observationHistory: ObservationHistory
    let inProj: Linear, position: Embedding, blocks: [TransformerBlock], lnF: LayerNorm
    let codeHead: Linear, offsetHead: MLP
    /// With sequential selection: for layer `l`, earlier layer `j` and code `c`, the `K` logits
    /// added to layer `l`'s, at row ``conditionRow(layer:earlier:code:)``.
    let condition: Embedding?
    /// Losses logged during ``train(_:progress:)``: step, total, code (focal) and offset parts.
    public private(set) var log: [(step: Int, loss: Double, codes: Double, offset: Double)] = []

    var layers: Int { tokenizer.config.layers }
    var codes: Int { tokenizer.config.codebookSize }
    var window: Int { tokenizer.config.window }
    var windowWidth: Int { window * actionDim }

    /// Builds an untrained policy over a fitted tokenizer for `demos`' widths.
    public init(_ config: VQBeTConfig, tokenizer: ResidualVQTokenizer, observationDim: Int, actionDim: Int) throws {
        try config.validate()
        guard tokenizer.isFitted else { throw TokenizerError.notFitted(tokenizer.name) }
        guard tokenizer.fittedDims == actionDim else {
            throw PolicyError.mismatch("the tokenizer was fitted on \(tokenizer.fittedDims)-dimensional actions, the policy acts in \(actionDim)")
        }
        self.config = config; self.tokenizer = tokenizer
        self.observationDim = observationDim; self.actionDim = actionDim
        observationHistory = ObservationHistory(length: config.history, dims: observationDim)
        let rng = SeededGeneratorBox(seed: config.seed)
        let d = config.dModel
        inProj = Linear(observationDim, d, rng: rng)
        position = Embedding(config.history, d, rng: rng)
        blocks = (0..<config.blocks).map { i in TransformerBlock(dModel: d, heads: config.heads, rng: SeededGeneratorBox(rng.gen.derived("block\(i)"))) }
        lnF = LayerNorm(d)
        let N = tokenizer.config.layers, K = tokenizer.config.codebookSize
        codeHead = Linear(d, N * K, std: Defaults.initStd, rng: rng)
        offsetHead = MLP([d, 4 * d, N * K * tokenizer.config.window * actionDim], activation: .gelu, std: Defaults.initStd, rng: rng)
        condition = config.sequentialSelect && N > 1 ? Embedding(K * N * (N - 1) / 2, K, rng: rng) : nil
    }

    /// The row of ``condition`` that layer `l` adds for earlier layer `j < l` holding code `c`.
    func conditionRow(layer l: Int, earlier j: Int, code c: Int) -> Int { (l * (l - 1) / 2 + j) * codes + c }

    public func namedParameters() -> [(String, Tensor)] {
        var out = scoped("in_proj", inProj.namedParameters()) + scoped("position", position.namedParameters())
        for (i, b) in blocks.enumerated() { out += scoped("blocks.\(i)", b.namedParameters()) }
        return out + scoped("ln_f", lnF.namedParameters()) + scoped("code_head", codeHead.namedParameters())
            + scoped("offset_head", offsetHead.namedParameters())
            + (condition.map { scoped("condition", $0.namedParameters()) } ?? [])
    }

    /// Hidden states `[B, H, d]` for `B` observation histories (`B x H x obsDim` standardised values).
    func hidden(_ obs: [Float], batch: Int) -> Tensor {
        let H = config.history
        let x = inProj(Tensor(shape: [batch, H, observationDim], scalars: obs))
        var h = x + position(Array(0..<H), shape: [H])
        for b in blocks { h = b(h) }
        return lnF(h)
    }

    /// The standardised history of `H` observations ending at `step` (the first repeated before the start).
    func history(_ observations: [[Double]], endingAt step: Int) -> [Float] {
        observationHistory.values(observations, endingAt: step)
    }

    // MARK: Training

    /// Trains on `demos` with AdamW (linear warm-up, then cosine decay); deterministic for a seed.
    public func train(_ demos: Demonstrations, progress: ((TrainingProgress) -> Void)? = nil) throws {
        guard demos.observationDim == observationDim, demos.actionDim == actionDim else {
            throw PolicyError.mismatch("demonstrations are \(demos.observationDim) -> \(demos.actionDim), the policy \(observationDim) -> \(actionDim)")
        }
        observationHistory.fit(demos)
        // Per sample: codes of its window, and the standardised residual the offsets must explain.
        let samples = demos.samples
        let targets = try windowTargets(demos, samples)
        var index: [[Int]] = []       // sample index of (episode, step)
        var s = 0
        for ep in demos.episodes { index.append(Array(s..<(s + ep.actions.count))); s += ep.actions.count }

        let H = config.history, B = config.batchSize
        let opt = AdamW(parameters, learningRate: Float(config.learningRate))
        var draws = SeededGenerator(seed: config.seed).derived("batches")
        var codeDraws = SeededGenerator(seed: config.seed).derived("offset codes")
        let logEvery = max(config.trainSteps / 20, 1)
        // Linear warm-up to the peak, then cosine decay to a tenth of it.
        let schedule = LearningRateSchedule.warmupCosineDouble(peak: config.learningRate, warmup: config.warmupSteps,
                                                               total: config.trainSteps, floorFraction: 0.1)
        let t0 = monotonicSeconds()
        log = []
        for step in 0..<config.trainSteps {
            opt.learningRate = schedule.rate(at: step)
            var obs = [Float](), valid: [Int] = []           // valid: sample index per row, -1 before the start
            obs.reserveCapacity(B * H * observationDim)
            for _ in 0..<B {
                let (e, t) = samples[draws.nextInt(below: samples.count)]
                obs += history(demos.episodes[e].observations, endingAt: t)
                for i in 0..<H { let u = t - (H - 1) + i; valid.append(u >= 0 ? index[e][u] : -1) }
            }
            let (loss, codeLoss, offsetLoss) = try losses(hidden(obs, batch: B), rows: valid, targets: targets, rng: &codeDraws)
            loss.backward()
            GradientClipping.clipGlobalNorm(parameters, maxNorm: 1)
            opt.step()
            opt.zeroGrad()
            if (step + 1) % logEvery == 0 || step + 1 == config.trainSteps {
                log.append((step + 1, Double(loss.item), Double(codeLoss), Double(offsetLoss)))
                let elapsed = monotonicSeconds() - t0
                progress?(TrainingProgress(phase: "vq-bet", step: step + 1, totalSteps: config.trainSteps, loss: Double(loss.item),
                                           terms: [.init("codes", Double(codeLoss)), .init("offsets", Double(offsetLoss))], elapsed: elapsed))
            }
        }
    }

    /// What the losses need per sample: its codes per layer, its standardised window, and that
    /// window minus the decoding of its codes.
    struct WindowTargets {
        var codes: [[Int]]          // codes[layer][sample]
        var standard: [Float]       // samples x W·D
        var residual: [Float]       // samples x W·D
    }

    func windowTargets(_ demos: Demonstrations, _ samples: [(episode: Int, step: Int)]) throws -> WindowTargets {
        let raw = samples.flatMap { demos.actionWindow(episode: $0.episode, step: $0.step, window: window) }
        // One long chunk cut into `samples.count` windows by the tokenizer: a single batched encode.
        let all = try ActionChunk(steps: samples.count * window, dims: actionDim, values: raw)
        let c = try tokenizer.codes(of: all)
        let decoded = try tokenizer.decodeStandardised(codes: c)
        let standard = tokenizer.standardised(raw)
        return WindowTargets(codes: c, standard: standard, residual: zip(standard, decoded).map { $0 - $1 })
    }

    /// The weighted focal losses and the offset L1 loss for hidden states whose flattened rows
    /// map to the samples in `rows` (-1: not a sample, left out); sampled offset codes are drawn from `rng`.
    func losses(_ h: Tensor, rows: [Int], targets: WindowTargets, rng: inout SeededGenerator) throws -> (Tensor, Float, Float) {
        let N = layers, K = codes, WD = windowWidth, R = rows.count
        let logits = codeHead(h).reshaped([R, N * K])
        let mask = rows.map { $0 >= 0 }
        var total: Tensor? = nil
        var codeTotal: Float = 0
        for l in 0..<N {
            var layerLogits = logits.slice(axis: 1, (l * K)..<((l + 1) * K))
            if let condition {
                for j in 0..<l {
                    let ids = rows.map { conditionRow(layer: l, earlier: j, code: $0 >= 0 ? targets.codes[j][$0] : 0) }
                    layerLogits = layerLogits + condition(ids, shape: [R])
                }
            }
            let t = rows.map { $0 >= 0 ? targets.codes[l][$0] : 0 }
            let f = Loss.focal(layerLogits, targets: t, mask: mask, gamma: Float(config.focalGamma))
            let w = Float(l == 0 ? config.primaryWeight : config.secondaryWeight)
            codeTotal += w * f.item
            total = total.map { $0 + f * w } ?? f * w
        }
        var offsetValue: Float = 0
        if config.offsets {
            let kept = rows.enumerated().filter { $0.element >= 0 }
            let features = offsetHead.features(h).reshaped([R, offsetHead.layers.last!.weight.shape[1]])
            var chosen: [[Int]], target = [Float](repeating: 0, count: kept.count * WD)
            switch config.offsetCodes {
            case .demonstrated:
                chosen = kept.map { _, s in (0..<N).map { targets.codes[$0][s] } }
                for (i, (_, s)) in kept.enumerated() { for j in 0..<WD { target[i * WD + j] = targets.residual[s * WD + j] } }
            case .sampled:
                // The policy's own draws (no gradient through them), decoded; the offsets explain what they miss.
                let all = logits.scalars, conditions = condition?.weight.scalars
                chosen = kept.map { r, _ in draw(Array(all[(r * N * K)..<((r + 1) * N * K)]), conditions: conditions, temperature: config.temperature, rng: &rng) }
                let decoded = try tokenizer.decodeStandardised(codes: (0..<N).map { l in chosen.map { $0[l] } })
                for (i, (_, s)) in kept.enumerated() { for j in 0..<WD { target[i * WD + j] = targets.standard[s * WD + j] - decoded[i * WD + j] } }
            }
            let summed = Self.chosenOffsets(features, head: offsetHead.layers.last!, codes: chosen, rows: kept.map(\.offset),
                                            layers: N, codebookSize: K)
            let l1 = Loss.l1(summed, Tensor(shape: [kept.count, WD], scalars: target))
            offsetValue = l1.item
            total = total! + l1 * Float(config.offsetWeight)
        }
        return (total!, codeTotal, offsetValue)
    }

    /// The summed offsets of the chosen codes: for each listed row `r` of the offset head's last
    /// hidden features, the sum over layers `l` of the head's output block for code `codes[i][l]`
    /// of layer `l` (block `l·K + c` of the `N·K` blocks of `W·D` outputs); shape `[rows.count, W·D]`.
    /// Only the chosen blocks are computed: the same values as running the whole head and
    /// gathering, at a cost that does not grow with the codebook.
    // region: vqbet-offsets
    public static func chosenOffsets(_ features: Tensor, head: Linear, codes: [[Int]], rows: [Int], layers N: Int, codebookSize K: Int) -> Tensor {
        let width = head.weight.shape[0] / (N * K)
        var sum: Tensor? = nil
        for l in 0..<N {
            let g = Tensor.linearBlocks(features, weight: head.weight, bias: head.bias, rows: rows,
                                        blocks: codes.map { l * K + $0[l] }, width: width)
            sum = sum.map { $0 + g } ?? g
        }
        return sum!
    }
    // endregion: vqbet-offsets

    // MARK: Acting

    /// Code choices and action windows for `histories` (each the observations so far, current
    /// last), with codes sampled at `temperature` from `rng`; windows in action units.
    public func act(_ histories: [[[Double]]], temperature: Double? = nil, rng: inout SeededGenerator) throws -> (codes: [[Int]], windows: [[Double]]) {
        let H = config.history, N = layers, K = codes, WD = windowWidth, B = histories.count
        guard B > 0 else { return ([], []) }
        let obs = histories.flatMap { history($0, endingAt: $0.count - 1) }
        let temp = temperature ?? config.temperature
        let (logits, offsets): ([Float], [Float]) = Tape.noGrad {
            let h = hidden(obs, batch: B)
            let last = Tensor.gather(h.reshaped([B * H, config.dModel]), indices: (0..<B).map { $0 * H + H - 1 }, indexShape: [B])
            return (codeHead(last).scalars, config.offsets ? offsetHead(last).scalars : [])
        }
        let conditions = condition?.weight.scalars
        var chosen = [[Int]](repeating: [Int](repeating: 0, count: B), count: N)
        for b in 0..<B {
            let codes = draw(Array(logits[(b * N * K)..<((b + 1) * N * K)]), conditions: conditions, temperature: temp, rng: &rng)
            for l in 0..<N { chosen[l][b] = codes[l] }
        }
        var decoded = try tokenizer.decodeStandardised(codes: chosen)
        if config.offsets {
            for b in 0..<B {
                for l in 0..<N {
                    let base = ((b * N + l) * K + chosen[l][b]) * WD
                    for j in 0..<WD { decoded[b * WD + j] += offsets[base + j] }
                }
            }
        }
        let windows = try (0..<B).map { b in try tokenizer.chunk(fromStandardised: Array(decoded[(b * WD)..<((b + 1) * WD)]), steps: window).values }
        return (chosen, windows)
    }

    /// One code per layer from one row of `N x K` logits, layer by layer; with sequential selection
    /// each layer's logits first receive the ``condition`` rows (`conditions`) of the codes already drawn.
    func draw(_ logits: [Float], conditions: [Float]?, temperature: Double, rng: inout SeededGenerator) -> [Int] {
        let N = layers, K = codes
        var out: [Int] = []
        for l in 0..<N {
            var row = Array(logits[(l * K)..<((l + 1) * K)])
            if let conditions {
                for j in 0..<l {
                    let base = conditionRow(layer: l, earlier: j, code: out[j]) * K
                    for k in 0..<K { row[k] += conditions[base + k] }
                }
            }
            out.append(Self.sample(row, temperature: temperature, rng: &rng))
        }
        return out
    }

    /// A draw from `softmax(logits / temperature)`, or the arg-max (lowest index on ties) at 0.
    static func sample(_ logits: [Float], temperature: Double, rng: inout SeededGenerator) -> Int {
        if temperature <= 0 {
            var best = 0
            for (i, v) in logits.enumerated() where v > logits[best] { best = i }
            return best
        }
        let m = logits.max()!
        let w = logits.map { exp(Double($0 - m) / temperature) }
        var u = rng.nextUniform() * w.reduce(0, +)
        for (i, x) in w.enumerated() { u -= x; if u < 0 { return i } }
        return w.count - 1
    }
}
