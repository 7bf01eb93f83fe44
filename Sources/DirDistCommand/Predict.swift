// `dir-dist predict`: one prediction per input row from a model file, in input order.
import ArgumentParser
import Collectives
import Orchestration
import Predictions

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Predict targets for new rows with a trained model.bin.")

    @Option(help: "The model file a training run wrote (--out DIR/model.bin).") var model: String
    @Option(help: "Rows to predict: a CSV (with the training columns; a target column is ignored) or features .npy.")
    var input: String
    @Option(help: "Where to write the predictions: .npy (float64 vector) or CSV (column 'prediction').")
    var out: String

    func run() throws {
        let comm = Communicator()
        runAndExit(comm) {
            _ = try Prediction.run(model: model, input: input, output: out, comm: comm)
            return .success
        }
    }
}
