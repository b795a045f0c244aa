import Foundation
import Policies
import Support
import Tokenizers
import XCTest
@testable import Chapters
@testable import Experiments

/// Every committed experiment file loads and configures under every profile, and the residual VQ
/// and VQ-BeT settings read through their configurations' own keys keep their values.
final class ExperimentFilesTests: XCTestCase {
    /// The configuration of `experiment` in `profile`, from the committed file with `overrides` merged into its parameters.
    func configure(_ experiment: AnyExperiment, _ profile: Profile, overrides: ParameterValue = .table([])) throws -> Any {
        let file = try ExperimentFile(root: ScratchWorkbench.repository, path: experiment.filePath)
        let reader = try ParameterReader(file.resolved(profile).merged(with: overrides), location: "\(file.path): profile \(profile.rawValue)")
        _ = try reader.ints("seeds", in: 0...Int(Int32.max))
        let config = try experiment.configure(reader)
        try reader.finish()
        return config
    }

    func experiment(_ id: String) throws -> AnyExperiment {
        try XCTUnwrap(Catalog.chapters.flatMap(\.experiments).first { $0.id == id }, id)
    }

    func testEveryExperimentFileConfiguresInEveryProfile() throws {
        var count = 0
        for chapter in Catalog.chapters {
            for e in chapter.experiments {
                for profile in Profile.allCases {
                    XCTAssertNoThrow(try configure(e, profile), "\(e.id) \(profile.rawValue)")
                    count += 1
                }
            }
        }
        XCTAssertEqual(count, 22 * 3, "twenty-two experiment files, three profiles each")
    }

    /// The values the files gave under their old keys (`residual_layers`, `tokenizer_steps`,
    /// `autoencoder_hidden`, `sampling_temperature`, `policy_steps`, ...), written out by hand, with
    /// LeRobot's 20,000 autoencoder steps and LeRobot's policy recipe (temperature 0.1, offset weight
    /// 10,000, offsets at the sampled codes, 20,000 steps) since the reference-recipe reruns; the
    /// earlier policy recipe (temperature 1, offset weight 1, offsets at the demonstrated codes,
    /// 3,000 steps) is kept as the ablation.
    func testTheAnatomyKeepsItsValues() throws {
        let quick = try XCTUnwrap(try configure(experiment("architectures/vq-bet-anatomy"), .quick) as? VQBeTAnatomy.Config)
        XCTAssertEqual(quick.tokenizer, ResidualVQConfig(layers: 2, codebookSize: 16, window: 5, latentDim: 256, hidden: [128, 128], emaDecay: 0.8,
                                                         commitmentWeight: 5, trainSteps: 20_000, batchSize: 256, learningRate: 0.001))
        var policy = VQBeTConfig()
        policy.history = 5; policy.dModel = 64; policy.heads = 4; policy.blocks = 2; policy.primaryWeight = 5; policy.secondaryWeight = 0.5
        policy.focalGamma = 2; policy.temperature = 0.1; policy.offsetWeight = 10_000; policy.offsetCodes = .sampled; policy.trainSteps = 20_000; policy.batchSize = 64
        policy.learningRate = 0.001; policy.warmupSteps = 100
        XCTAssertEqual(quick.policy, policy)
        var earlier = policy
        earlier.temperature = 1; earlier.offsetWeight = 1; earlier.offsetCodes = .demonstrated; earlier.trainSteps = 3000
        XCTAssertEqual(quick.earlier, earlier)
        XCTAssertEqual(quick.singleCodebookSize, 256)
        let smoke = try XCTUnwrap(try configure(experiment("architectures/vq-bet-anatomy"), .smoke) as? VQBeTAnatomy.Config)
        XCTAssertEqual(smoke.tokenizer, ResidualVQConfig(layers: 2, codebookSize: 16, window: 5, latentDim: 16, hidden: [32], emaDecay: 0.8,
                                                         commitmentWeight: 5, trainSteps: 60, batchSize: 64, learningRate: 0.001))
        policy.dModel = 16; policy.heads = 2; policy.blocks = 1; policy.trainSteps = 40; policy.batchSize = 16; policy.warmupSteps = 5
        XCTAssertEqual(smoke.policy, policy)
        earlier.dModel = 16; earlier.heads = 2; earlier.blocks = 1; earlier.trainSteps = 40; earlier.batchSize = 16; earlier.warmupSteps = 5
        XCTAssertEqual(smoke.earlier, earlier)
        XCTAssertEqual(smoke.singleCodebookSize, 32)
    }

    func testTheCodebookSizesKeepTheirValues() throws {
        let quick = try XCTUnwrap(try configure(experiment("training/codebook-size"), .quick) as? CodebookSize.Config)
        // The codebook size is replaced per cell; the rest is the anatomy's tokenizer.
        XCTAssertEqual(quick.tokenizer, ResidualVQConfig(layers: 2, window: 5, latentDim: 256, hidden: [128, 128], emaDecay: 0.8,
                                                         commitmentWeight: 5, trainSteps: 20_000, batchSize: 256, learningRate: 0.001))
        // LeRobot's policy recipe, the anatomy's since the reference-recipe reruns; the earlier one as the ablation.
        let anatomy = try XCTUnwrap(try configure(experiment("architectures/vq-bet-anatomy"), .quick) as? VQBeTAnatomy.Config)
        XCTAssertEqual(quick.policy, anatomy.policy)
        XCTAssertEqual(quick.policy.trainSteps, 20_000)
        XCTAssertEqual(quick.policy.temperature, 0.1)
        XCTAssertEqual(quick.policy.offsetWeight, 10_000)
        XCTAssertEqual(quick.policy.offsetCodes, .sampled)
        XCTAssertTrue(quick.policy.offsets)
        var earlier = try XCTUnwrap(anatomy.earlier)
        earlier.trainSteps = 2000
        XCTAssertEqual(quick.earlier, earlier, "the anatomy's earlier recipe at this experiment's earlier 2,000 steps")
        let smoke = try XCTUnwrap(try configure(experiment("training/codebook-size"), .smoke) as? CodebookSize.Config)
        XCTAssertEqual(smoke.tokenizer.latentDim, 16); XCTAssertEqual(smoke.tokenizer.hidden, [32]); XCTAssertEqual(smoke.tokenizer.trainSteps, 60)
        XCTAssertEqual(smoke.policy.trainSteps, 40); XCTAssertEqual(smoke.policy.dModel, 16); XCTAssertEqual(smoke.policy.warmupSteps, 5)
    }

    func testTheCorrelatedActuatorsKeepTheirValues() throws {
        let quick = try XCTUnwrap(try configure(experiment("architectures/correlated-actuators"), .quick) as? CorrelatedActuators.Config)
        XCTAssertEqual(quick.vq, ResidualVQConfig(layers: 32, codebookSize: 16, window: 5, latentDim: 256, hidden: [128, 128], emaDecay: 0.8,
                                                  commitmentWeight: 5, trainSteps: 2000, batchSize: 256, learningRate: 0.001))
        XCTAssertEqual(quick.layers, [1, 2, 4, 8, 16, 32])
        // The sweep reaches past twice the pass mark (half of min-max's 245 bits at 128 bins): 32 x 256 codes.
        XCTAssertGreaterThanOrEqual(Double(quick.layers.last!) * log2(Double(quick.codebookSizes.last!)), 245)
        let smoke = try XCTUnwrap(try configure(experiment("architectures/correlated-actuators"), .smoke) as? CorrelatedActuators.Config)
        XCTAssertEqual(smoke.vq.trainSteps, 40); XCTAssertEqual(smoke.vq.latentDim, 16); XCTAssertEqual(smoke.vq.hidden, [32])
        let full = try XCTUnwrap(try configure(experiment("architectures/correlated-actuators"), .full) as? CorrelatedActuators.Config)
        XCTAssertEqual(full.vq.trainSteps, ResidualVQConfig.defaults.trainSteps, "the full profile trains as long as LeRobot")
        XCTAssertEqual(full.vq.latentDim, ResidualVQConfig.defaults.latentDim)
        // The ablations of the VQ's training, fixed before their first run: each is the sweep's VQ
        // with only its own keys changed.
        let kmeans = "k-means init and dead-code replacement", long = "LeRobot's 20,000 steps"
        XCTAssertEqual(quick.variants.map(\.name), [kmeans, long])
        var withKMeans = quick.vq; withKMeans.kmeansInit = true; withKMeans.deadCodeThreshold = 0.1
        XCTAssertEqual(quick.variants[0].vq, withKMeans); XCTAssertEqual(quick.variants[0].codebookSizes, [16, 256])
        XCTAssertFalse(quick.variants[0].floor)
        var longer = quick.vq; longer.codebookSize = 256; longer.trainSteps = ResidualVQConfig.defaults.trainSteps
        XCTAssertEqual(quick.variants[1].vq, longer); XCTAssertEqual(quick.variants[1].codebookSizes, [256])
        XCTAssertTrue(quick.variants[1].floor, "the long variant measures its own unquantised floor")
        XCTAssertEqual(smoke.variants.map(\.name), [kmeans, long])
        XCTAssertEqual(smoke.variants.map(\.vq.trainSteps), [40, 80]); XCTAssertEqual(smoke.variants.map(\.vq.latentDim), [16, 16])
        XCTAssertEqual(full.variants.map(\.name), [kmeans], "the full profile's sweep already trains LeRobot's steps")
        XCTAssertEqual(full.variants[0].codebookSizes, [16, 256, 1024])
    }

    func testTheSplineModelKeepsItsValues() throws {
        for id in ["evaluation/frequency-sweep", "evaluation/scorecard"] {
            let c = try configure(experiment(id), .quick)
            let policy = try XCTUnwrap((c as? FrequencySweep.Config)?.setup.policy ?? (c as? Scorecard.Config)?.setup.policy, id)
            var expected = TokenPolicyConfig.defaults
            expected.dModel = 64; expected.heads = 4; expected.layers = 2; expected.trainingSteps = 2000; expected.batchSize = 32
            expected.learningRate = Float(0.003); expected.warmupSteps = 100; expected.progressEvery = 400
            XCTAssertEqual(policy, expected, id)
        }
        let smoke = try XCTUnwrap(try configure(experiment("evaluation/frequency-sweep"), .smoke) as? FrequencySweep.Config)
        XCTAssertEqual(smoke.setup.policy.trainingSteps, 40)
        XCTAssertEqual(smoke.setup.policy.progressEvery, 50)
        XCTAssertEqual(smoke.setup.policy.learningRate, Float(0.003))
    }

    /// A table cannot set what the experiment sets itself, and a narrower range than the
    /// configuration's own is checked by the experiment, naming the key.
    func testExperimentsNameTheTokenizerAndPolicyKeysTheyOwn() throws {
        let anatomy = try experiment("architectures/vq-bet-anatomy")
        let cases: [(AnyExperiment, ParameterValue, String)] = [
            (anatomy, .table([("tokenizer", .table([("layers", .int(1))]))]), "layers"),
            (anatomy, .table([("tokenizer", .table([("seed", .int(1))]))]), "seed"),
            (anatomy, .table([("policy", .table([("offsets", .bool(false))]))]), "offsets"),
            (anatomy, .table([("tokenizer", .table([("tokenizer_steps", .int(10))]))]), "tokenizer_steps"),
            (anatomy, .table([("policy", .table([("sampling_temperature", .double(1))]))]), "sampling_temperature"),
            (anatomy, .table([("residual_layers", .int(2))]), "residual_layers"),
            (anatomy, .table([("earlier_recipe", .table([("policy", .table([("offsets", .bool(false))]))]))]), "offsets"),
            (anatomy, .table([("earlier_recipe", .table([("policy", .table([("temprature", .double(1))]))]))]), "temprature"),
            (anatomy, .table([("earlier_recipe", .table([("binning_temperature", .double(1))]))]), "binning_temperature"),
            (try experiment("training/codebook-size"), .table([("tokenizer", .table([("codebook_size", .int(16))]))]), "codebook_size"),
            (try experiment("training/codebook-size"), .table([("tokenizer", .table([("layers", .int(9))]))]), "layers"),
            (try experiment("architectures/correlated-actuators"), .table([("tokenizer", .table([("window", .int(5))]))]), "window"),
            (try experiment("architectures/correlated-actuators"), .table([("vq_steps", .int(5))]), "vq_steps"),
            (try experiment("evaluation/frequency-sweep"), .table([("policy", .table([("heads", .int(5))]))]), "heads"),
            (try experiment("evaluation/scorecard"), .table([("d_model", .int(64))]), "d_model"),
        ]
        for (e, overrides, key) in cases {
            XCTAssertThrowsError(try configure(e, .quick, overrides: overrides), "\(e.id) \(overrides.canonicalJSON)") {
                XCTAssertEqual(($0 as? ConfigError)?.key, key, "\($0)")
            }
        }
    }
}
