import Policies
import Support
import Tokenizers
import XCTest
@testable import Lab

/// The reader of the residual VQ, VQ-BeT and demonstration settings the VQ-BeT experiments share.
final class VQBeTStudyTests: XCTestCase {
    func reader(_ entries: [(key: String, value: ParameterValue)]) throws -> ParameterReader {
        try ParameterReader(.table(entries), location: "exp.toml: profile quick")
    }

    func testTablesAreReadWithTheConfigsKeysAndDefaults() throws {
        let p = try reader([("tokenizer", .table([("layers", .int(3)), ("codebook_size", .int(8))])),
                            ("policy", .table([("d_model", .int(32)), ("heads", .int(2))])),
                            ("train_demos", .int(40)), ("test_demos", .int(10)), ("episodes", .int(25))])
        var tokenizer = ResidualVQConfig.defaults
        tokenizer.layers = 3; tokenizer.codebookSize = 8
        XCTAssertEqual(try VQBeTStudy.residualVQ(p), tokenizer)
        var policy = VQBeTConfig.defaults
        policy.dModel = 32; policy.heads = 2
        XCTAssertEqual(try VQBeTStudy.policy(p, offsets: "set per variant"), policy)
        let demos = try VQBeTStudy.demonstrations(p)
        XCTAssertEqual([demos.train, demos.test, demos.episodes], [40, 10, 25])
        XCTAssertNoThrow(try p.finish())
    }

    func testKeysTheExperimentSetsAreRejectedWithHow() throws {
        func message(_ body: () throws -> Void) -> String {
            do { try body(); return "no error" } catch { return "\(error)" }
        }
        let both = try reader([("tokenizer", .table([("codebook_size", .int(8)), ("seed", .int(1))])),
                               ("policy", .table([("seed", .int(1)), ("offsets", .bool(false))]))])
        XCTAssertEqual(message { _ = try VQBeTStudy.residualVQ(both, setByExperiment: [("codebook_size", "each size in turn")]) },
                       "exp.toml: profile quick.tokenizer: key 'codebook_size': not set here: each size in turn")
        XCTAssertEqual(message { _ = try VQBeTStudy.residualVQ(both) },
                       "exp.toml: profile quick.tokenizer: key 'seed': not set here: drawn per seed by the experiment")
        XCTAssertEqual(message { _ = try VQBeTStudy.policy(both, offsets: "always on") },
                       "exp.toml: profile quick.policy: key 'seed': not set here: drawn per seed by the experiment")
        let offsets = try reader([("policy", .table([("offsets", .bool(false))]))])
        XCTAssertEqual(message { _ = try VQBeTStudy.policy(offsets, offsets: "always on") },
                       "exp.toml: profile quick.policy: key 'offsets': not set here: always on")
        XCTAssertEqual(message { _ = try VQBeTStudy.residualVQ(try reader([])) },
                       "exp.toml: profile quick: key 'tokenizer': missing; expected a table")
    }

    func testTheResidualVQNeedsAPrimaryAndASecondaryCode() throws {
        for layers in [1, 9] {
            let p = try reader([("tokenizer", .table([("layers", .int(layers))]))])
            XCTAssertThrowsError(try VQBeTStudy.residualVQ(p)) {
                XCTAssertEqual("\($0)", "exp.toml: profile quick.tokenizer: key 'layers': expected an integer in 2...8 (a primary code and at least one secondary), found \(layers)")
            }
        }
        XCTAssertEqual(try VQBeTStudy.residualVQ(try reader([("tokenizer", .table([("layers", .int(8))]))])).layers, 8)
    }

    func testDemonstrationCountsAreChecked() throws {
        XCTAssertThrowsError(try VQBeTStudy.demonstrations(try reader([("train_demos", .int(1)), ("test_demos", .int(1)), ("episodes", .int(1))]))) {
            XCTAssertEqual("\($0)", "exp.toml: profile quick: key 'train_demos': expected an integer in 2...100000, found 1")
        }
    }
}
