import ActionData
import Foundation
import Lab
import Support

/// A chunk-prediction task of the future chapter's scaling experiment: chunks to predict, each
/// with the prefix of continuous vectors the policy sees, split into training and held-out sets.
///
/// - `splines`: the FAST paper's didactic task (one cubic spline of `steps` values from its 4
///   control points, seen as 4 vectors `(t, y)`), as in the evaluation chapter.
/// - `arm`: one-second chunks of the synthetic pick-and-place arm (7 dimensions) at `frequency`
///   Hz, each seen through the action just before it (1 vector of 7): what the arm was doing.
struct ScalingTask {
    enum Source: String, CaseIterable, Codable { case splines, arm }

    let source: Source
    let train: ChunkSet, trainConditions: [[Float]]
    let test: ChunkSet, testConditions: [[Float]]
    let prefixLength: Int, conditionDim: Int

    var steps: Int { train.steps }
    var dims: Int { train.dims }

    /// The task's sets for `seed`: `trainCount` training and `testCount` held-out examples,
    /// drawn from independent streams.
    static func make(_ source: Source, splineSteps: Int, armFrequency: Double, train trainCount: Int, test testCount: Int,
                     seed: UInt64) throws -> ScalingTask {
        let root = SeededGenerator(seed: seed).derived("scaling task \(source.rawValue)")
        switch source {
        case .splines:
            let train = try DidacticSplines.sample(count: trainCount, steps: splineSteps, seed: root.derived("train").seed)
            let test = try DidacticSplines.sample(count: testCount, steps: splineSteps, seed: root.derived("test").seed)
            return ScalingTask(source: source, train: train.chunks, trainConditions: train.conditions.map(SplinePrediction.condition),
                               test: test.chunks, testConditions: test.conditions.map(SplinePrediction.condition),
                               prefixLength: 4, conditionDim: 2)
        case .arm:
            let generator = RobotArmGenerator(frequency: armFrequency)
            let train = try armExamples(generator, count: trainCount, rng: root.derived("train"))
            let test = try armExamples(generator, count: testCount, rng: root.derived("test"))
            return ScalingTask(source: source, train: train.chunks, trainConditions: train.conditions,
                               test: test.chunks, testConditions: test.conditions, prefixLength: 1, conditionDim: RobotArmGenerator.dimensionNames.count)
        }
    }

    /// `count` non-overlapping one-second chunks cut from consecutive episodes, each after at least
    /// one step, with the action before it as the condition.
    static func armExamples(_ generator: RobotArmGenerator, count: Int, rng: SeededGenerator) throws -> (chunks: ChunkSet, conditions: [[Float]]) {
        try generator.validate()
        var r = rng
        let t = generator.stepsPerChunk
        var chunks: [ActionChunk] = [], conditions: [[Float]] = []
        while chunks.count < count {
            let rows = generator.episode(&r)
            var start = 1
            while start + t <= rows.count, chunks.count < count {
                chunks.append(try ActionChunk(rows: Array(rows[start..<start + t])))
                conditions.append(rows[start - 1].map(Float.init))
                start += t
            }
        }
        return (try ChunkSet(chunks: chunks, dimensionNames: RobotArmGenerator.dimensionNames, frequency: generator.frequency), conditions)
    }
}
