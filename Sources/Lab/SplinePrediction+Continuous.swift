import ActionData
import Foundation
import Policies
import Support
import Experiments

extension SplinePrediction {
    /// Everything a continuous contender's cell depends on; its JSON is the cell's cache description.
    public struct ContinuousSpec: Codable, Equatable {
        /// The method's registry name (``PolicyRegistry``) and its full settings as canonical JSON.
        public var method: String
        public var settings: String
        public var steps: Int
        public var seed: UInt64
        public var trainExamples: Int
        public var testExamples: Int
        /// The network and its training: the token models' own settings.
        public var policy: TokenPolicyConfig
        /// Further inference step counts at which the trained model is also scored (the NFE ablation; often empty).
        public var ablationSteps: [Int]
    }

    /// What a continuous cell measured.
    public struct ContinuousCell: Codable, Equatable {
        /// Decoded MSE on the held-out splines, and the same over the true values' variance.
        public var mse: Double, relativeMSE: Double
        /// The objective's MSE on training examples after training (see ``ContinuousChunkModel/train(conditions:chunks:progress:)``).
        public var finalLoss: Double
        /// Network evaluations per chunk.
        public var functionEvaluations: Int
        /// The MSE with each of the spec's ablation step counts, with its evaluations per chunk.
        public var ablation: [AblationPoint]
        /// Seconds spent training, and to sample one chunk alone (machine-dependent; timings).
        public var trainSeconds: Double, chunkSeconds: Double
        /// The first held-out spline and its prediction, for the overlay figure.
        public var exampleTruth: [Double], examplePrediction: [Double]
    }

    /// One point of the NFE ablation.
    public struct AblationPoint: Codable, Equatable {
        public var inferenceSteps: Int, functionEvaluations: Int, mse: Double
    }

    /// The objective `method` with `settings` (canonical JSON), its inference steps replaced by `steps` when given.
    public static func objective(_ method: String, settings: String, inferenceSteps steps: Int? = nil) throws -> any ChunkObjective {
        var table = try ParameterValue.parseJSON(Data(settings.utf8), source: "settings of \(method)")
        if let steps { table = table.merged(with: .table([("inference_steps", .int(steps))])) }
        return try PolicyRegistry.make(method, parameters: ParameterReader(table, location: "policy \(method)"))
    }

    /// Computes one continuous cell (without the cache): trains the model on the training splines'
    /// values with their control points as the prefix, samples every held-out spline once.
    public static func compute(_ spec: ContinuousSpec, progress: @escaping (TrainingProgress) -> Void) throws -> ContinuousCell {
        let (train, trainConditions, test, testConditions) = try data(seed: spec.seed, steps: spec.steps, train: spec.trainExamples, test: spec.testExamples)
        let root = SeededGenerator(seed: spec.seed)
        let model = try ContinuousChunkModel(objective: objective(spec.method, settings: spec.settings), config: spec.policy,
                                             prefixLength: 4, conditionDim: 2, chunkLength: spec.steps, actionDim: 1,
                                             seed: root.derived("policy-\(spec.method)-\(spec.steps)").seed)
        let summary = try model.train(conditions: trainConditions.map(condition), chunks: train.chunks.map(\.values), progress: progress)
        let conditions = testConditions.map(condition)
        /// Samples every held-out spline with noise from the cell's sampling stream (the same for every step count).
        func predict(_ m: ContinuousChunkModel) throws -> [[Double]] {
            var rng = root.derived("sampling-\(spec.method)-\(spec.steps)")
            return try m.sample(conditions: conditions, rng: &rng)
        }
        let predicted = try predict(model)
        var latencyRng = root.derived("latency")
        let chunkSeconds = try secondsPerChunk(min(latencyChunks, test.count)) { i in
            _ = try model.sample(conditions: [conditions[i]], rng: &latencyRng)
        }
        var ablation: [AblationPoint] = []
        for steps in spec.ablationSteps {
            let variant = try ContinuousChunkModel(objective: objective(spec.method, settings: spec.settings, inferenceSteps: steps), config: spec.policy,
                                                   prefixLength: 4, conditionDim: 2, chunkLength: spec.steps, actionDim: 1, seed: model.seed)
            try variant.adopt(model)
            ablation.append(AblationPoint(inferenceSteps: steps, functionEvaluations: variant.objective.functionEvaluations,
                                          mse: scores(try predict(variant), truth: test).mse))
        }
        let (mse, relativeMSE) = scores(predicted, truth: test)
        return ContinuousCell(mse: mse, relativeMSE: relativeMSE, finalLoss: summary.finalLoss,
                              functionEvaluations: model.objective.functionEvaluations, ablation: ablation,
                              trainSeconds: summary.seconds, chunkSeconds: chunkSeconds,
                              exampleTruth: test.chunks[0].values, examplePrediction: predicted[0])
    }
}
