// The trainer in this process (one rank, MPI's singleton start): a seed trains the same
// bits twice, training lowers the loss on learnable data, Balanced MSE's σ lives at the
// end of the flat parameter buffer and learns, and an exact-sum (reproducible) trainer
// takes the same steps as the Float sum to within Float rounding of the gradient.
import Collectives
import Datasets
import InProcessMPI
import Settings
import Training
import XCTest

final class TrainerTests: XCTestCase {
    private var world: Communicator { InProcess.world }

    private func config(_ edit: (inout TrainingConfig) -> Void = { _ in }) -> TrainingConfig {
        var c = TrainingConfig()
        c.recipe.data = .synthetic(Synthetic(trainCount: 512, testCount: 128, featureCount: 6, noise: 0.1, seed: 3))
        c.recipe.hidden = [16]
        c.recipe.seed = 5
        c.execution.batchSize = 32
        edit(&c)
        return c
    }

    private func trainer(_ config: TrainingConfig) throws -> Trainer {
        let data = try PreparedData(recipe: config.recipe, comm: world)
        return try Trainer(config: config, comm: world, data: data)
    }

    func testTheSameSeedTrainsTheSameBits() throws {
        let a = try trainer(config()), b = try trainer(config())
        for _ in 0..<2 {
            _ = a.trainEpoch()
            _ = b.trainEpoch()
        }
        XCTAssertEqual(a.parameters, b.parameters)
        XCTAssertEqual(a.epoch, 2)
        let other = try trainer(config { $0.recipe.seed = 6 })
        _ = other.trainEpoch()
        _ = other.trainEpoch()
        XCTAssertNotEqual(other.parameters, a.parameters, "another seed draws other weights and batches")
    }

    func testTrainingLowersTheLossOnLearnableData() throws {
        let t = try trainer(config { $0.recipe.learningRate = 1e-2 })
        let losses = (0..<6).map { _ in t.trainEpoch().loss }
        XCTAssertTrue(losses.allSatisfy { $0.isFinite }, "\(losses)")
        XCTAssertLessThan(losses[5], 0.5 * losses[0], "\(losses)")
    }

    func testBalancedMSESigmaIsTheLastParameterAndLearns() throws {
        let t = try trainer(config { $0.recipe.balancedMSE = BalancedMSESettings(kind: .bmc) })
        XCTAssertEqual(t.parameters.count, t.model.parameterCount + 1)
        let before = try XCTUnwrap(t.sigma)
        XCTAssertEqual(before, 1, accuracy: 1e-6, "σ starts at --bmc-init-sigma (1)")
        _ = t.trainEpoch()
        XCTAssertNotEqual(try XCTUnwrap(t.sigma), before)
    }

    /// One step of SGD at a tiny rate from the same weights: the exact sum of 4 micro-batches
    /// and the Float sum of the whole batch differ only by Float rounding of the gradient
    /// (a few ulps of each sum), far below the step itself.
    func testTheExactSumStepsLikeTheFloatSum() throws {
        func oneEpoch(_ microBatch: Int?) throws -> [Float] {
            let t = try trainer(
                config {
                    $0.recipe.optimizer = .sgd
                    $0.recipe.momentum = 0
                    $0.recipe.learningRate = 1e-3
                    $0.recipe.microBatch = microBatch
                    $0.execution.batchSize = 512
                })
            XCTAssertEqual(t.syncPlan.sum, microBatch == nil ? .allreduce : .exact)
            let start = t.parameters
            _ = t.trainEpoch()
            return zip(t.parameters, start).map { $0 - $1 }
        }
        let float = try oneEpoch(nil), exact = try oneEpoch(128)
        let largest = float.map(abs).max()!
        XCTAssertGreaterThan(largest, 0)
        for (f, e) in zip(float, exact) { XCTAssertEqual(e, f, accuracy: largest * 1e-4) }
    }
}
