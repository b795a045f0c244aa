import Foundation
import Figures
import Support
import Tokenizers
import XCTest
@testable import Chapters
@testable import Experiments
@testable import Runner

/// Figures draw their thresholds from the experiment file's claims, which the runner hands to
/// the experiment, so a figure and the verdict it illustrates cannot disagree.
final class FigureThresholdTests: XCTestCase {
    func testTheCorrelatedActuatorsClaimExistsAndAnUnknownClaimIsNamed() throws {
        let root = try XCTUnwrap(PackageRoot.ofBuild())
        let file = try ExperimentFile(root: root, path: "experiments/architectures/correlated-actuators.toml")
        let context = RunContext(profile: .smoke, seeds: [1], progress: ProgressReporter(label: "t", quiet: true), claims: file.claims)
        XCTAssertEqual(try context.claim(CorrelatedActuators.claimID).threshold, 2)
        XCTAssertThrowsError(try context.claim("no-such-claim")) {
            XCTAssertTrue("\($0)".contains("no-such-claim") && "\($0)".contains(CorrelatedActuators.claimID), "\($0)")
        }
    }

    /// The resolved parameters of `path` for `profile`, with the seeds read, and the file, with
    /// `edit` applied to its text (e.g. a changed threshold).
    func reader(_ path: String, _ profile: Profile = .quick, edit: (String) -> String = { $0 }) throws -> (ParameterReader, ExperimentFile) {
        let text = try String(contentsOf: ScratchWorkbench.repository.appendingPathComponent(path), encoding: .utf8)
        let file = try ExperimentFile(text: edit(text), path: path)
        let reader = try ParameterReader(file.resolved(profile), location: "test")
        _ = try reader.ints("seeds")
        return (reader, file)
    }

    /// The claim `id` of `file`.
    func claim(_ file: ExperimentFile, _ id: String) throws -> ClaimSpec { try XCTUnwrap(file.claims.first { $0.id == id }) }

    /// Outlier sensitivity: the (a) and (b) lines sit at the claims' thresholds times the clean
    /// errors, and the fractions (b) does not judge are marked off.
    func testOutlierFigureDrawsTheClaimsThresholds() throws {
        let (r, file) = try reader("experiments/data/outlier-sensitivity.toml") {
            $0.replacingOccurrences(of: "threshold = 2.0", with: "threshold = 3.5").replacingOccurrences(of: "threshold = 1.25", with: "threshold = 1.4")
        }
        let c = try OutlierSensitivity().configure(r)
        let marks = try OutlierSensitivity.ClaimMarks(minmax: try claim(file, OutlierSensitivity.ClaimMarks.minmaxID),
                                                      openvla: try claim(file, OutlierSensitivity.ClaimMarks.openvlaID))
        XCTAssertEqual([marks.minmax.threshold, marks.openvla.threshold, marks.openvlaMaxFraction], [3.5, 1.4, 0.01])
        let clean: [String: Double] = ["minmax": 0.02, "openvla": 0.05, "equal-mass": 0.04]
        let usage = TokenUsage(tokens: [0, 1, 2], vocabularySize: c.bins)
        var cells: [OutlierSensitivity.Key: OutlierSensitivity.Cell] = [:]
        for tok in c.tokenizers { for f in c.fractions { for m in c.magnitudes {
            let e = clean[tok]! * (1 + 10 * f)
            cells[.init(tokenizer: tok, fraction: f, magnitude: m)] = .init(rmse: Array(repeating: e, count: 7), relativeRMSE: Array(repeating: e, count: 7),
                                                                              usage: Array(repeating: usage, count: 7))
        } } }
        let figure = OutlierSensitivity().rmseFigure(c, perSeed: [cells, cells], marks: marks)
        for panel in figure.panels {
            let horizontal = panel.references.filter { $0.orientation == .horizontal }
            XCTAssertEqual(horizontal.count, 2)
            for (ref, expected) in zip(horizontal, [3.5 * 0.02, 1.4 * 0.05]) { XCTAssertEqual(ref.value, expected, accuracy: 1e-12) }
            XCTAssertEqual(horizontal.map(\.color), [Palette.tokenizer("minmax"), Palette.tokenizer("openvla")])
            XCTAssertTrue(panel.y.range!.contains(horizontal[0].value) && panel.y.range!.contains(horizontal[1].value))
            // Quick fractions 0, 0.1 %, 1 %, 5 %: (b) judges up to 1 %, so the line sits between the third and fourth.
            XCTAssertEqual(panel.references.filter { $0.orientation == .vertical }.map(\.value), [2.5])
        }
    }

    /// Codebook size: the success floor and the error ceiling follow the claims' thresholds.
    func testCodebookFigureDrawsTheClaimsBands() throws {
        let (r, file) = try reader("experiments/training/codebook-size.toml") {
            $0.replacingOccurrences(of: "threshold = 0.1\n", with: "threshold = 0.2\n").replacingOccurrences(of: "threshold = 0.25\n", with: "threshold = 0.3\n")
        }
        let c = try CodebookSize().configure(r)
        let spreads = (success: try claim(file, CodebookSize.successClaimID).threshold, actionError: try claim(file, CodebookSize.actionErrorClaimID).threshold)
        XCTAssertEqual([spreads.success, spreads.actionError], [0.2, 0.3])
        var row: [Int: CodebookSize.Cell] = [:]
        for (i, K) in c.sizes.enumerated() { row[K] = CodebookSizeTests.cell(success: 0.5 + 0.1 * Double(i), error: 0.05 + 0.01 * Double(i)) }
        let figure = CodebookSize().successAndErrorFigure(c, [row, row], spreads: spreads)
        // Judged sizes 8, 16, 64, 256: best success 0.9 (K = 256), lowest error 0.06 (K = 8).
        XCTAssertEqual(try XCTUnwrap(figure.panels[0].references.first).value, 100 * 0.9 * (1 - 0.2), accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(figure.panels[1].references.first).value, 0.06 * (1 + 0.3), accuracy: 1e-9)
        XCTAssertTrue(figure.panels[1].y.range!.contains(figure.panels[1].references[0].value))
    }

    /// Scorecard: the class boundaries are the rating rule's multiples of the lowest error.
    func testScorecardFigureDrawsTheRatingRule() throws {
        let (r, _) = try reader("experiments/evaluation/scorecard.toml")
        let c = try Scorecard().configure(r)
        let mse: [String: Double] = ["minmax": 0.5, "beast": 0.02, "fast": 0.01, "rvq": 0.03]
        func rows(_ scale: Double) -> [String: Scorecard.Row] {
            Dictionary(uniqueKeysWithValues: c.tokenizers.map { name in
                (name, Scorecard.Row(tokens: c.frequencies.map { _ in 10 }, relativeRMSE: 0.1, encodeMicros: 1, decodeMicros: 1,
                                     prediction: mse[name].map { EvaluationTests.cell(mse: $0 * scale, tokens: 10) }))
            })
        }
        // A continuous policy below every tokenizer is drawn but does not move the boundaries.
        func seed(_ scale: Double) -> Scorecard.SeedRows {
            Scorecard.SeedRows(rows: rows(scale), continuous: Dictionary(uniqueKeysWithValues: c.predictionPolicies.map { ($0, EvaluationTests.continuous(mse: 0.001 * scale)) }))
        }
        let figure = try XCTUnwrap(Scorecard().figure(c, perSeed: [seed(1), seed(4)], measured: ["fast": .best]))
        let lowest = 0.01 * 2    // geometric mean of 0.01 and 0.04: the best tokenizer
        XCTAssertEqual(figure.panels[0].references.map(\.value).count, 3)
        for (ref, multiple) in zip(figure.panels[0].references, [c.bestMSE, c.goodMSE, c.situationalMSE]) {
            XCTAssertEqual(ref.value, lowest * multiple, accuracy: 1e-12)
            XCTAssertTrue(figure.panels[0].y.range!.contains(ref.value))
        }
        XCTAssertEqual(figure.panels[0].x.tics?.count, c.predictionTokenizers.count + c.predictionPolicies.count)
        XCTAssertTrue(figure.panels[0].x.tics!.contains { $0.label.contains("fast") && $0.label.contains("audit: best in class") && $0.label.contains("measured: best in class") })
    }
}
