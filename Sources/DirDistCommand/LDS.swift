// `dir-dist lds`: shows what LDS does to a label set, per bin and per sample
// (docs/file-formats.md); the computation is Training's LabelWeightTables.
import ArgumentParser
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
        var recipe = Recipe()
        recipe.binning = binning.choice
        recipe.reweight = reweighting.reweight
        recipe.lds = reweighting.kernel
        recipe.denseWeight = reweighting.denseWeight
        let tables = try LabelWeightTables(labelsAt: labels, target: target, recipe: recipe)
        // Nothing of the user's is overwritten (the label file itself among them); checked
        // before either file is written.
        for path in [perBin, perSample].compactMap({ $0 }) where FileManager.default.fileExists(atPath: path) {
            throw InputError(path, "exists; choose a new file")
        }
        try emit(tables.perBin, to: perBin)
        if let perSample { try emit(tables.perSample, to: perSample) }
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
