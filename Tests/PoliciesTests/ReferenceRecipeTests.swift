import Tokenizers
import XCTest
@testable import Policies

/// The defaults of the residual VQ, the VQ-BeT policy and FAST are their references' recipes
/// (`../shared/REFERENCES.md`: LeRobot's `configuration_vqbet.py`, the FAST paper and openpi), so
/// that an experiment that sets nothing runs each method as published.
final class ReferenceRecipeTests: XCTestCase {
    func testTheResidualVQDefaultsAreLeRobots() {
        let c = ResidualVQConfig.defaults
        XCTAssertEqual(c.layers, 2)                 // primary and secondary codes
        XCTAssertEqual(c.codebookSize, 16)          // vqvae_n_embed
        XCTAssertEqual(c.latentDim, 256)            // vqvae_embedding_dim
        XCTAssertEqual(c.hidden, [128, 128])        // vqvae_enc_hidden_dim
        XCTAssertEqual(c.trainSteps, 20_000)        // n_vqvae_training_steps
        XCTAssertEqual(c.learningRate, 1e-3)        // the VQ optimiser's lr
        XCTAssertEqual(c.commitmentWeight, 5)       // L1 reconstruction + 5 x commitment
        XCTAssertFalse(c.kmeansInit)
        XCTAssertEqual(c.deadCodeThreshold, 0)
    }

    func testTheVQBeTPolicyDefaultsAreLeRobots() {
        let c = VQBeTConfig.defaults
        XCTAssertEqual(c.temperature, 0.1)          // bet_softmax_temperature
        XCTAssertEqual(c.offsetWeight, 10_000)      // offset_loss_weight
        XCTAssertEqual(c.primaryWeight, 5)          // primary_code_loss_weight
        XCTAssertEqual(c.secondaryWeight, 0.5)      // secondary_code_loss_weight
        XCTAssertEqual(c.focalGamma, 2)             // FocalLoss(gamma=2.0)
        XCTAssertFalse(c.sequentialSelect)          // sequentially_select
        XCTAssertEqual(c.offsetCodes, .sampled)     // the offsets are gathered at the sampled centers
        XCTAssertTrue(c.offsets)
    }

    func testTheFASTDefaultsAreThePapersAndOpenpis() {
        let c = FASTConfig.defaults
        XCTAssertEqual(c.gamma, 10)
        XCTAssertEqual(c.vocabulary, 1024)
        XCTAssertFalse(c.clip, "openpi's quantile normalisation does not clip")
    }
}
