// `dir-dist lds`: shows what LDS does to a label set, per bin and per sample (DESIGN §8).
import ArgumentParser
import DIR
import Datasets
import Foundation
import Settings
import Training

struct LDS: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the LDS computation for a label file as CSV.")

    @Option(help: "Labels: a .npy vector, or a CSV file with --target.") var labels: String
    @Option(help: "CSV target column.") var target = "target"
    @OptionGroup(title: "Bins") var binning: BinningOptions
    @OptionGroup(title: "Reweighting and LDS") var reweighting: ReweightOptions
    @Option(help: "Write the per-bin CSV here instead of standard output.") var perBin: String?
    @Option(help: "Write the per-sample CSV here.") var perSample: String?

    func run() throws {
        do {
            try execute()
        } catch let error as InputError {
            throw ValidationError("\(error.location): \(error.message)")
        } catch let error as SettingError {
            throw ValidationError(String(error.line { $0.option }.dropFirst("error: ".count)))
        }
    }

    private func execute() throws {
        let values =
            labels.hasSuffix(".npy")
            ? try NumpyFile.labels(path: labels)
            : try CSVFile.table(path: labels, target: target, split: "labels").labels
        guard !values.isEmpty else { throw InputError(labels, "no labels") }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw InputError(labels, "label \(bad) is not finite")
        }
        let bins = try binning.choice.resolve(trainLabels: values)
        let counts = bins.histogram(values)
        let sampleBins = values.map { Int32(bins.bin($0)) }
        var recipe = Recipe()
        recipe.reweight = reweighting.reweight
        recipe.lds = reweighting.kernel
        recipe.denseWeight = reweighting.denseWeight
        // The same weights training would use (per bin, or DenseWeight's per sample).
        let (table, sampleWeights) = try PreparedData.weights(recipe, labels: values, bins: sampleBins, counts: counts)
        let perBinCSV = table.table(bins)
        var perSampleCSV = "index,label,bin,weight\n"
        for (i, y) in values.enumerated() { perSampleCSV += "\(i),\(y),\(sampleBins[i]),\(sampleWeights[i])\n" }
        // Nothing of the user's is overwritten (the label file itself among them); checked
        // before either file is written.
        for path in [perBin, perSample].compactMap({ $0 }) where FileManager.default.fileExists(atPath: path) {
            throw InputError(path, "exists; choose a new file")
        }
        try emit(perBinCSV, to: perBin)
        if let perSample { try emit(perSampleCSV, to: perSample) }
    }

    private func emit(_ text: String, to path: String?) throws {
        guard let path else {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
            throw InputError(path, "cannot write the file")
        }
    }
}
