// `dir-dist predict`: applies a model file to new rows. Every rank reads the model,
// predicts its share of the rows (a `.npy` input is memory-mapped, so a rank touches
// only its rows), the predictions are summed into one vector, and rank 0 writes it.
import Checkpoints
import Collectives
import Datasets
import Foundation
import NN
import Storage
import Training

public enum Prediction {
    /// Predicts every row of `input` (CSV, or a features `.npy`) with the model at `model`
    /// and writes `output` (`.npy`: a float64 vector; else CSV `prediction`), in input
    /// order. Returns the number of rows. Collective.
    public static func run(model: String, input: String, output: String, comm: Communicator) throws -> Int {
        let (description, parameters, features) = try Agreement.together(comm) {
            // Nothing of the user's is overwritten (the input itself among them).
            if comm.isRoot && FileManager.default.fileExists(atPath: output) {
                throw InputError(output, "exists; choose a new file for the predictions")
            }
            let (description, parameters) = try ModelFile.read(path: model)
            let features = try load(input, for: description, comm: comm)
            return (description, parameters, features)
        }
        let mlp = try makeModel(description, parameterCount: parameters.count, path: model)
        mlp.params.assign(parameters)
        let predictions = predict(features, with: mlp, description, comm: comm)
        try Agreement.together(comm) {
            guard comm.isRoot else { return }
            let bytes =
                output.hasSuffix(".npy")
                ? NumpyFile.encode(predictions)
                : Array(("prediction\n" + predictions.map { "\($0)\n" }.joined()).utf8)
            try ResultFile.writeAtomically(bytes, to: output)
        }
        return predictions.count
    }

    /// The network a model file describes, its description checked first: sizes from a
    /// file must not reach an allocation unchecked.
    private static func makeModel(_ description: ModelDescription, parameterCount: Int, path: String) throws -> MLP {
        let architecture = description.config.recipe.architecture
        let features = description.featureCount
        var sane = (1...1024).contains(architecture.members) && !architecture.hidden.isEmpty
        sane = sane && architecture.hidden.allSatisfy { $0 > 0 }
        switch architecture.embedding {
        case .periodic(let m, let d, let sigma)?:
            sane = sane && (1...4096).contains(m) && (1...4096).contains(d) && sigma > 0
        case .piecewiseLinear(let bins)?: sane = sane && (2...4096).contains(bins)
        case nil: break
        }
        // The network's buffers hold 1024 rows of every layer for every member: a description
        // that claims more than 2^31 values of them (or of parameters) is not a model this
        // file can hold, whatever its parameter count says.
        let widths = architecture.hidden.map(Double.init) + [Double(features)]
        let rows = 1024 * Double(architecture.members)
        sane = sane && features > 0 && widths.reduce(0, +) * rows < 0x1p31
        sane = sane && zip(widths, widths.dropFirst()).allSatisfy { $0 * $1 < 0x1p31 }
        guard sane else {
            throw InputError(path, "unreadable model description (architecture \(architecture))")
        }
        let categories = description.schema?.embeddedLevels ?? []
        guard categories.count <= features else {
            throw InputError(path, "unreadable model description (\(categories.count) embedded columns of \(features))")
        }
        if case .piecewiseLinear? = architecture.embedding {
            guard let edges = description.binEdges, edges.count == features - categories.count,
                edges.allSatisfy({ e in zip(e, e.dropFirst()).allSatisfy { $0 < $1 } })
            else { throw InputError(path, "the piecewise-linear encoding's bin edges are missing or unordered") }
        }
        let count = MLP.parameterCount(
            inputSize: features, architecture: architecture, edges: description.binEdges, categories: categories)
        guard count == parameterCount else {
            throw InputError(path, "\(parameterCount) parameters, but its architecture needs \(count)")
        }
        return MLP(
            inputSize: features, architecture: architecture, edges: description.binEdges, categories: categories,
            maxBatch: 1024)
    }

    /// The input's features, encoded as in training (by column name, for a CSV) and
    /// checked against the model's columns (a `.npy` without missing cells: this rank's
    /// rows for non-finite values; a CSV is checked whole as it is parsed).
    private static func load(_ input: String, for model: ModelDescription, comm: Communicator) throws
        -> FeatureMatrix
    {
        guard input.hasSuffix(".npy") else {
            let raw = try CSVFile.table(
                path: input, target: model.config.recipe.target, split: "input", targetRequired: false)
            guard let schema = model.schema else {
                // A model without a schema (trained on the embedded or generated data) takes numbers.
                let (own, _) = try TableSchema.fit(raw)
                guard own.isPlainNumeric else {
                    throw InputError(input, "this model takes numbers in every cell (no categorical or missing values)")
                }
                let (features, _) = try own.encode(raw)
                try check(features.columns, model, input)
                if model.namedColumns && raw.names != model.featureNames {
                    throw InputError(input, "columns \(raw.names) differ from the model's \(model.featureNames)")
                }
                return features
            }
            let (features, unseen) = try schema.encode(raw)
            try check(features.columns, model, input)
            if unseen > 0 && comm.isRoot {
                FileHandle.standardError.write(Data("warning: \(TableSchema.unseenLevels(unseen, in: input))\n".utf8))
            }
            return features
        }
        let mapped = try NumpyFile.features(path: input)
        if let schema = model.schema, !schema.isPlainNumeric || mapped.hasNaN {
            let features = try schema.encode(numeric: mapped, source: input)
            try check(features.columns, model, input)
            return features
        }
        try check(mapped.columns, model, input)
        if let (row, column) = mapped.firstNonFinite(rows: PreparedData.shard(mapped.rows, comm)) {
            throw InputError(input, "row \(row), column \(column): feature value is not finite")
        }
        return mapped
    }

    private static func check(_ columns: Int, _ model: ModelDescription, _ input: String) throws {
        guard columns == model.featureCount else {
            throw InputError(input, "\(columns) feature columns, but the model takes \(model.featureCount)")
        }
    }

    /// Every row's prediction in the user's units, on every rank: each rank fills its
    /// shard, one allreduce sums the (otherwise zero) vectors.
    private static func predict(
        _ x: FeatureMatrix, with mlp: MLP, _ model: ModelDescription, comm: Communicator
    ) -> [Double] {
        var out = [Double](repeating: 0, count: x.rows)
        ShardChunks.forEach(x, mean: model.featureMean, invStd: model.featureInvStd, chunk: mlp.maxBatch, comm: comm) {
            input, first, count, _ in
            let y = mlp.predict(input, count: count)
            for k in 0..<count { out[first + k] = Double(y[k]) * model.targetStd + model.targetMean }
        }
        comm.allreduce(&out)
        return out
    }
}
