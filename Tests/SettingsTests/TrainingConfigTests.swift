// The configuration's two parts: every field is placed on purpose (a new field fails
// here until it is), recipe fields change the checkpoint identity and execution fields
// do not, and setting errors render with the caller's option names.
import Foundation
import Settings
import XCTest

final class TrainingConfigTests: XCTestCase {
    /// What defines the model: in the checkpoint identity.
    let recipeFields = [
        "data", "target", "categorical", "learningRate", "schedule", "optimizer", "momentum", "weightDecay", "hidden",
        "embedding",
        "ensemble", "dropout", "microBatch", "seed",
        "binning", "reweight", "denseWeight", "lds", "loss", "balancedMSE", "rankSim", "shots", "selection", "patience",
        "fds",
        "standardizeFeatures",
        "targetScaling",
    ]
    /// How one run executes: free to differ when a checkpoint is continued.
    let executionFields = [
        "epochs", "batchSize", "threads", "evaluationBatch", "outputDirectory", "fdsDump", "checkpointEvery", "keep",
        "resume", "resumeNewBatch", "stepTimeout", "overlap", "bucketBytes", "sync",
    ]

    private func fields(_ value: Any) -> [String] {
        Mirror(reflecting: value).children.compactMap(\.label)
    }

    func testEveryFieldIsEitherRecipeOrExecution() {
        XCTAssertEqual(
            fields(Recipe()), recipeFields,
            "a Recipe field was added or removed: decide whether it defines the model, and list it here")
        XCTAssertEqual(
            fields(Execution()), executionFields,
            "an Execution field was added or removed: decide whether it defines the model, and list it here")
        XCTAssertEqual(fields(TrainingConfig()), ["recipe", "execution"])
    }

    func testIdentityIsTheRecipeAndTheGlobalBatch() throws {
        let base = TrainingConfig()
        let identity = try base.identity(ranks: 2)
        // Execution may change freely, as long as the global batch stays.
        var other = base
        other.execution.epochs = 99
        other.execution.threads = 3
        other.execution.outputDirectory = "/elsewhere"
        other.execution.checkpointEvery = 5
        other.execution.overlap = true
        other.execution.sync = .allreduce
        other.execution.stepTimeout = 7
        XCTAssertEqual(try other.identity(ranks: 2), identity)
        var fourRanks = base
        fourRanks.execution.batchSize = base.execution.batchSize / 2
        XCTAssertEqual(try fourRanks.identity(ranks: 4), identity, "same global batch on another rank count")
        // A recipe field, or the global batch, makes another training.
        var lr = base
        lr.recipe.learningRate = 0.5
        XCTAssertEqual(TrainingIdentity.differences(try lr.identity(ranks: 2), identity), ["lr"])
        var seed = base
        seed.recipe.seed = 9
        XCTAssertEqual(TrainingIdentity.differences(try seed.identity(ranks: 2), identity), ["seed"])
        XCTAssertEqual(TrainingIdentity.differences(try base.identity(ranks: 3), identity), ["global batch"])
    }

    func testSettingErrorsRenderWithTheCallersSpelling() {
        let error = SettingError(.outputDirectory, "'x' holds a run; continue it with \(.resume) auto")
        XCTAssertEqual(
            error.line { "--" + $0.rawValue },
            "error: --outputDirectory: 'x' holds a run; continue it with --resume auto")
        XCTAssertEqual(error.description, "error: outputDirectory: 'x' holds a run; continue it with resume auto")
        let decoded = try? JSONDecoder().decode(SettingError.self, from: JSONEncoder().encode(error))
        XCTAssertEqual(decoded, error, "setting errors travel between ranks as JSON")
    }

    func testLabelDependentBinningErrorsNameTheSetting() {
        XCTAssertThrowsError(try BinningChoice.equalWidth(count: 10, range: nil).resolve(trainLabels: [2, 2, 2])) {
            XCTAssertEqual(($0 as? SettingError)?.setting, .labelRange)
        }
        XCTAssertThrowsError(try BinningChoice.integer(maxLabel: nil).resolve(trainLabels: [0, 0])) {
            XCTAssertEqual(($0 as? SettingError)?.setting, .maxLabel)
        }
        XCTAssertEqual(try BinningChoice.automatic.resolve(trainLabels: [0, 1, 3]).count, 4)
    }
}
