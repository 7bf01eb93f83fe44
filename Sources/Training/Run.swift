// A whole training run on one rank: prepare (with agreed verdicts), train for the
// configured epochs with validation each epoch, test, write outputs.
import Collectives
import DIR
import Datasets
import Foundation
import NN

public enum TrainingRun {
    /// Runs training; returns the process exit status (0, or 2 for bad input).
    public static func run(_ config: TrainingConfig, comm: Communicator) -> Int32 {
        do {
            try execute(config, comm: comm)
            return 0
        } catch let error as InputError {
            if comm.isRoot { printError(error.description) }
            return 2
        } catch let error as RemoteFailure {
            if comm.isRoot { printError(error.description) }
            return 2
        } catch {
            if comm.isRoot { printError("error: \(error)") }
            return 1
        }
    }

    static func execute(_ config: TrainingConfig, comm: Communicator) throws {
        try config.validate()
        try Agreement.together(comm) {
            guard comm.isRoot else { return }
            if let out = config.outputDirectory { try Reporter.prepareOutput(out) }
            if let dump = config.fdsDump, FileManager.default.fileExists(atPath: dump) {
                throw InputError("--fds-dump", "'\(dump)' exists; choose a new file")
            }
        }
        let data = try Agreement.together(comm) { () throws -> PreparedData in
            let d = try PreparedData(config: config, comm: comm)
            try d.checkFinite(comm: comm)
            return d
        }
        try checkSameEverywhere(config, data, comm)
        configureThreads(config, comm)
        let reporter = try Reporter(isRoot: comm.isRoot, directory: config.outputDirectory)
        let trainer = Trainer(config: config, comm: comm, data: data)
        reporter.labelWeights(data.labelWeights, binning: data.binning)
        let bundle = data.bundle
        reporter.line("dir-dist: \(comm.size) rank(s), \(bundle.train.count) train / \(bundle.validation.count) val / \(bundle.test.count) test samples, \(data.featureCount) features, global batch \(trainer.globalBatch), \(data.binning.count) bins, \(trainer.model.parameterCount) parameters")
        var best = (epoch: config.epochs, mae: Double.infinity, params: [Float]())
        for e in 0..<config.epochs {
            let start = Clock.now()
            let result = trainer.trainEpoch()
            let seconds = Clock.now() - start
            let validation = Evaluation.evaluate(bundle.validation, model: trainer.model, data: data,
                                                 config: config, comm: comm)
            reporter.epoch(e, of: config.epochs, trainLoss: result.loss, validation: validation,
                           seconds: seconds, samplesPerSecond: Double(bundle.train.count) / seconds,
                           fdsSeconds: config.fds == nil ? nil : comm.allreduce(result.fdsSeconds, op: .max))
            if let stats = trainer.featureStatistics, let dump = config.fdsDump {
                try reporter.fdsDump(stats, epoch: e + 1, path: dump)
            }
            // Every rank sees the same validation report, so all keep the same copy.
            if config.selection == .best, let mae = validation.all.mae, mae < best.mae {
                best = (e + 1, mae, trainer.model.params.array)
            }
        }
        if config.selection == .best, !best.params.isEmpty {
            trainer.model.params.assign(best.params)
            reporter.line("testing the parameters of epoch \(best.epoch) (lowest validation MAE \(best.mae))")
        }
        let test = Evaluation.evaluate(bundle.test, model: trainer.model, data: data, config: config, comm: comm)
        reporter.test(test, epoch: best.epoch, binning: data.binning, trainCounts: data.trainCounts)
        if comm.isRoot, let out = config.outputDirectory {
            try ModelFile.write(path: "\(out)/model.bin", config: config, parameters: trainer.model.params.array,
                                featureStatistics: trainer.featureStatistics)
        }
    }

    /// Every rank must train on the same configuration and data (DESIGN §6).
    static func checkSameEverywhere(_ config: TrainingConfig, _ data: PreparedData, _ comm: Communicator) throws {
        var h = FNV1a()
        h.add(String(decoding: (try? config.canonicalJSON()) ?? Data(), as: UTF8.self))
        h.add(data.fingerprint)
        let mine = Int64(bitPattern: h.value)
        let lo = comm.allreduce(mine, op: .min)
        let hi = comm.allreduce(mine, op: .max)
        if lo != hi {
            throw InputError("configuration", "ranks disagree on the configuration or the data (different files on different nodes?)")
        }
    }

    /// One BLAS thread per rank when ranks share cores (DESIGN §7).
    static func configureThreads(_ config: TrainingConfig, _ comm: Communicator) {
        if let t = config.threads {
            BLAS.setThreads(t)
        } else if ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] == nil {
            let cores = ProcessInfo.processInfo.activeProcessorCount
            BLAS.setThreads(max(1, cores / max(1, comm.localSize)))
        }
    }

    static func printError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
