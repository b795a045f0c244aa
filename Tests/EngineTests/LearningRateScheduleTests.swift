import Foundation
import XCTest
@testable import Engine

/// The learning-rate schedules, against their formulas written out by hand.
final class LearningRateScheduleTests: XCTestCase {
    /// The double-precision warm-up + cosine schedule gives, bit for bit, the rates VQ-BeT's
    /// trainer computed before it used this type: `Float(lr * factor)` with the factor
    /// `(step + 1) / warmup` during warm-up, then `0.1 + 0.9 * 0.5 * (1 + cos(pi * p))`.
    func testDoubleScheduleEqualsVQBeTFormulaBitForBit() {
        func reference(_ step: Int, lr: Double, warmup: Int, total: Int) -> Float {
            let factor: Double
            if step < warmup { factor = Double(step + 1) / Double(warmup) } else {
                let p = Double(step - warmup) / Double(max(total - warmup, 1))
                factor = 0.1 + 0.9 * 0.5 * (1 + cos(Double.pi * p))
            }
            return Float(lr * factor)
        }
        for (lr, warmup, total) in [(1e-3, 100, 1000), (3e-4, 0, 257), (0.01, 5, 6), (1e-3, 20, 20), (2e-3, 7, 3001)] {
            let s = LearningRateSchedule.warmupCosineDouble(peak: lr, warmup: warmup, total: total, floorFraction: 0.1)
            for step in 0..<total {
                XCTAssertEqual(s.rate(at: step).bitPattern, reference(step, lr: lr, warmup: warmup, total: total).bitPattern,
                               "lr \(lr), warmup \(warmup), total \(total), step \(step)")
            }
            XCTAssertEqual(s.rate(at: total), Float(lr * 0.1), "past the end: the floor")
        }
    }

    /// Both warm-up + cosine variants follow the same curve (to single precision).
    func testBothVariantsFollowTheSameCurve() {
        let f = LearningRateSchedule.warmupCosine(peak: 1e-3, warmup: 10, total: 100, floor: 1e-4)
        let d = LearningRateSchedule.warmupCosineDouble(peak: 1e-3, warmup: 10, total: 100, floorFraction: 0.1)
        for step in 0..<100 { XCTAssertEqual(f.rate(at: step), d.rate(at: step), accuracy: 1e-9, "step \(step)") }
    }
}
