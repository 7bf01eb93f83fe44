// `dir-dist predict` in this process (one rank): a model trained here predicts every row
// of a .npy input, in order, the same numbers twice; an existing output file is refused
// and left alone; a row's prediction does not depend on the rows beside it beyond Float
// rounding.
import Datasets
import Foundation
import InProcessMPI
import Orchestration
import Predictions
import Settings
import TestSupport
import XCTest

final class PredictionTests: XCTestCase {
    private func trainedModel() throws -> (model: String, dir: URL) {
        let dir = Paths.temporaryDirectory("predict")
        var c = TrainingConfig()
        c.recipe.data = .synthetic(Synthetic(trainCount: 256, testCount: 64, featureCount: 3, seed: 5))
        c.recipe.hidden = [8]
        c.execution.epochs = 2
        c.execution.outputDirectory = dir.appendingPathComponent("run").path
        _ = try TrainingRun.run(c, comm: InProcess.world, console: false)
        return (dir.appendingPathComponent("run/model.bin").path, dir)
    }

    private func rows(_ values: [[Float]], in dir: URL, _ name: String) -> String {
        Fixtures.writeNpy(
            dir.appendingPathComponent(name), shape: [values.count, 3], payload: Fixtures.float32(values.flatMap { $0 })
        ).path
    }

    func testEveryRowIsPredictedInOrderAndAnExistingOutputIsLeftAlone() throws {
        let (model, dir) = try trainedModel()
        let x: [[Float]] = (0..<50).map { i in [Float(i) / 10, Float(i % 7) - 3, Float(i % 3)] }
        let input = rows(x, in: dir, "x.npy")
        let out = dir.appendingPathComponent("p.npy").path
        XCTAssertEqual(try Prediction.run(model: model, input: input, output: out, comm: InProcess.world), 50)
        let first = try NumpyFile.labels(path: out)
        XCTAssertEqual(first.count, 50)
        XCTAssertTrue(first.allSatisfy(\.isFinite))
        XCTAssertThrowsError(try Prediction.run(model: model, input: input, output: out, comm: InProcess.world)) {
            XCTAssertTrue("\($0)".contains("exists; choose a new file"), "\($0)")
        }
        XCTAssertEqual(try NumpyFile.labels(path: out), first, "the refused run left the file alone")
        // The rows reversed: each row's prediction is its own, to Float rounding of the sums.
        let reversedOut = dir.appendingPathComponent("r.npy").path
        _ = try Prediction.run(
            model: model, input: rows(x.reversed(), in: dir, "xr.npy"), output: reversedOut, comm: InProcess.world)
        let reversed = try NumpyFile.labels(path: reversedOut)
        for (a, b) in zip(first, reversed.reversed()) { XCTAssertEqual(a, b, accuracy: 1e-5 * max(1, abs(a))) }
    }
}
