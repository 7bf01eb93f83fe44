// What `dir-dist lds` prints for a label file: the per-bin table (counts, the smoothed
// density, the weights) and the per-sample weights, computed exactly as training
// computes them (PreparedData.weights).
import DIR
import Datasets
import Settings

public struct LabelWeightTables {
    /// `bin,lo,hi,count,value,smoothed,weight` (lds_weights.csv's format).
    public let perBin: String
    /// `index,label,bin,weight`.
    public let perSample: String

    /// Reads `path` (a .npy vector, or a CSV file's `target` column) and weighs its labels
    /// with `recipe`'s binning, reweighting, LDS kernel or DenseWeight settings.
    public init(labelsAt path: String, target: String, recipe: Recipe) throws {
        let values =
            path.hasSuffix(".npy")
            ? try NumpyFile.labels(path: path)
            : try CSVFile.table(path: path, target: target, split: "labels").labels
        guard !values.isEmpty else { throw InputError(path, "no labels") }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw InputError(path, "label \(bad) is not finite")
        }
        let bins = try recipe.binning.resolve(trainLabels: values)
        let sampleBins = values.map { Int32(bins.bin($0)) }
        let (table, weights) = try PreparedData.weights(
            recipe, labels: values, bins: sampleBins, counts: bins.histogram(values))
        perBin = table.table(bins)
        var rows = "index,label,bin,weight\n"
        for (i, y) in values.enumerated() { rows += "\(i),\(y),\(sampleBins[i]),\(weights[i])\n" }
        perSample = rows
    }
}
