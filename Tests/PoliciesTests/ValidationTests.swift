import XCTest
import Support
import Policies

/// Bad inputs are rejected with a message that names the problem.
final class ValidationTests: XCTestCase {
    let conditions: [[Float]] = [[0, 1, 2, 3, 4, 5, 6, 7], [1, 1, 1, 1, 1, 1, 1, 1]]

    /// Asserts that `body` throws an error whose description contains every fragment.
    func assertThrows<T>(_ fragments: [String], file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> T) {
        do {
            _ = try body()
            XCTFail("expected an error mentioning \(fragments)", file: file, line: line)
        } catch {
            let message = "\(error)"
            for f in fragments { XCTAssertTrue(message.contains(f), "'\(message)' does not mention '\(f)'", file: file, line: line) }
        }
    }

    func testSetRejectsBadIdsAndConditions() {
        assertThrows(["token sequence 1", "token id 16", "position 2", "0..<16"]) {
            try TokenSequenceSet(sequences: [[1, 2], [3, 4, 16]], conditions: conditions, prefixLength: 4, conditionDim: 2, vocabulary: 16)
        }
        assertThrows(["token sequence 0", "token id -1"]) {
            try TokenSequenceSet(sequences: [[-1], [3]], conditions: conditions, prefixLength: 4, conditionDim: 2, vocabulary: 16)
        }
        var nan = conditions
        nan[1][5] = .nan
        assertThrows(["condition 1", "nan", "position 5", "not finite"]) {
            try TokenSequenceSet(sequences: [[1], [2]], conditions: nan, prefixLength: 4, conditionDim: 2, vocabulary: 16)
        }
        var inf = conditions
        inf[0][0] = -.infinity
        assertThrows(["condition 0", "inf", "not finite"]) {
            try TokenSequenceSet(sequences: [[1], [2]], conditions: inf, prefixLength: 4, conditionDim: 2, vocabulary: 16)
        }
        assertThrows(["condition 1", "has 6 values, expected 8"]) {
            try TokenSequenceSet(sequences: [[1], [2]], conditions: [conditions[0], [0, 1, 2, 3, 4, 5]], prefixLength: 4, conditionDim: 2, vocabulary: 16)
        }
        assertThrows(["2 sequences but 1 conditions"]) {
            try TokenSequenceSet(sequences: [[1], [2]], conditions: [conditions[0]], prefixLength: 4, conditionDim: 2, vocabulary: 16)
        }
    }

    func testConfigNamesTheBadField() {
        XCTAssertNoThrow(try TokenPolicyConfig.defaults.validate())
        let cases: [(String, (inout TokenPolicyConfig) -> Void)] = [
            ("heads", { $0.heads = 3 }),
            ("d_model", { $0.dModel = 0 }),
            ("learning_rate", { $0.learningRate = -1e-3 }),
            ("learning_rate", { $0.learningRate = .nan }),
            ("warmup_steps", { $0.warmupSteps = $0.trainingSteps + 1 }),
            ("gradient_clip", { $0.gradientClip = 0 }),
            ("weight_decay", { $0.weightDecay = -1 }),
            ("batch_size", { $0.batchSize = 0 }),
            ("final_learning_rate_fraction", { $0.finalLearningRateFraction = 2 }),
        ]
        for (key, change) in cases {
            var c = TokenPolicyConfig.defaults
            change(&c)
            assertThrows(["key '\(key)'"]) { try c.validate() }
            assertThrows(["key '\(key)'"]) { try TokenPolicy(config: c, vocabulary: 4, prefixLength: 4, conditionDim: 2, maxLength: 3, seed: 0) }
        }
    }

    func testPolicyRejectsSetsAndConditionsThatDoNotFit() throws {
        let policy = try TokenPolicy(vocabulary: 16, prefixLength: 4, conditionDim: 2, maxLength: 3, seed: 0)
        let long = try TokenSequenceSet(sequences: [[1], [1, 2, 3, 4]], conditions: conditions, prefixLength: 4, conditionDim: 2, vocabulary: 16)
        assertThrows(["token sequence 1", "4 tokens", "maxLength 3"]) { try policy.train(long) }
        let other = try TokenSequenceSet(sequences: [[1], [2]], conditions: conditions, prefixLength: 4, conditionDim: 2, vocabulary: 12)
        assertThrows(["vocabulary is 12", "policy's 16"]) { try policy.teacherForcedLoss(other) }
        assertThrows(["condition 0", "has 2 values, expected 8"]) { try policy.generate(conditions: [[0, 1]], length: .fixed(2)) }
        assertThrows(["condition 1", "not finite"]) { try policy.generate(conditions: [conditions[0], [.nan, 0, 0, 0, 0, 0, 0, 0]], length: .fixed(2)) }
        assertThrows(["cannot generate 4 tokens", "maxLength is 3"]) { try policy.generate(conditions: conditions, length: .untilEnd(max: 4)) }
    }
}
