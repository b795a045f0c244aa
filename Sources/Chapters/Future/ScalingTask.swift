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
///   Hz, each seen through the `armPrefix` actions just before it (vectors of 7): what the arm was
///   doing, its speed and where in a motion it is.
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
    static func make(_ source: Source, splineSteps: Int, armFrequency: Double, armPrefix: Int, train trainCount: Int, test testCount: Int,
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
            let train = try armExamples(generator, count: trainCount, prefix: armPrefix, rng: root.derived("train"))
            let test = try armExamples(generator, count: testCount, prefix: armPrefix, rng: root.derived("test"))
            let d = RobotArmGenerator.dimensionNames.count
            let standardise = standardiser(train.conditions, dims: d)
            return ScalingTask(source: source, train: train.chunks, trainConditions: train.conditions.map(standardise),
                               test: test.chunks, testConditions: test.conditions.map(standardise), prefixLength: armPrefix, conditionDim: d)
        }
    }

    /// `count` non-overlapping one-second chunks cut from consecutive episodes, each after at least
    /// `prefix` steps, with the `prefix` actions before it, flattened oldest first, as the condition.
    static func armExamples(_ generator: RobotArmGenerator, count: Int, prefix: Int, rng: SeededGenerator) throws -> (chunks: ChunkSet, conditions: [[Float]]) {
        try generator.validate()
        var r = rng
        let t = generator.stepsPerChunk
        var chunks: [ActionChunk] = [], conditions: [[Float]] = []
        while chunks.count < count {
            let rows = generator.episode(&r)
            var start = prefix
            while start + t <= rows.count, chunks.count < count {
                chunks.append(try ActionChunk(rows: Array(rows[start..<start + t])))
                conditions.append(rows[(start - prefix)..<start].flatMap { $0.map(Float.init) })
                start += t
            }
        }
        return (try ChunkSet(chunks: chunks, dimensionNames: RobotArmGenerator.dimensionNames, frequency: generator.frequency), conditions)
    }

    /// Per-dimension standardisation of flattened conditions (vectors of `dims`), fitted on
    /// `conditions`: the arm's deltas are hundredths of its gripper's range, so the policy sees
    /// every dimension on one scale.
    static func standardiser(_ conditions: [[Float]], dims: Int) -> ([Float]) -> [Float] {
        var sum = [Double](repeating: 0, count: dims), sq = [Double](repeating: 0, count: dims), n = 0.0
        for c in conditions { for (i, x) in c.enumerated() { sum[i % dims] += Double(x); sq[i % dims] += Double(x) * Double(x) }; n += Double(c.count / dims) }
        let mean = sum.map { $0 / max(n, 1) }
        let sd = zip(sq, mean).map { max(($0 / max(n, 1) - $1 * $1).squareRoot(), 1e-8) }
        return { c in c.enumerated().map { i, x in Float((Double(x) - mean[i % dims]) / sd[i % dims]) } }
    }
}
