// A whole training run on one rank: prepare (with agreed verdicts), resume if asked,
// train with validation each epoch and checkpoints, stop cleanly on a signal or a
// bad loss, test, write outputs. Returns the process exit status.
import Collectives
import DIR
import Datasets
import Foundation
import NN

/// Exit statuses (README "Running on a cluster").
public enum ExitStatus {
    public static let success: Int32 = 0
    public static let runtimeFailure: Int32 = 1
    public static let badInput: Int32 = 2
    public static let preempted: Int32 = 3
    public static let nonFiniteLoss: Int32 = 4
    // 5: the step watchdog ended the job (set in CSignals).
}

/// The parameters to test at the end under `--select best`.
struct Selection {
    var epoch: Int
    var mae = Double.infinity
    var parameters = [Float]()
}

public enum TrainingRun {
    public static func run(_ config: TrainingConfig, comm: Communicator) -> Int32 {
        do {
            return try execute(config, comm: comm)
        } catch let error as InputError {
            if comm.isRoot { printError(error.description) }
            return ExitStatus.badInput
        } catch let error as CheckpointError {
            if comm.isRoot { printError(error.description) }
            return ExitStatus.badInput
        } catch is SilentFailure {
            return ExitStatus.badInput
        } catch let error as RemoteFailure {
            if comm.isRoot { printError(error.description) }
            return ExitStatus.badInput
        } catch {
            if comm.isRoot { printError("error: \(error)") }
            return ExitStatus.runtimeFailure
        }
    }

    static func execute(_ config: TrainingConfig, comm: Communicator) throws -> Int32 {
        try config.validate()
        try Launcher.check(comm)
        try Agreement.together(comm) {
            guard comm.isRoot else { return }
            if let out = config.outputDirectory { try Reporter.prepareOutput(out, resuming: config.resume != nil) }
            if let dump = config.fdsDump, FileManager.default.fileExists(atPath: dump), config.resume == nil {
                throw InputError("--fds-dump", "'\(dump)' exists; choose a new file")
            }
        }
        let data = try Agreement.together(comm) { () throws -> PreparedData in
            let d = try PreparedData(config: config, comm: comm)
            try d.checkFinite(comm: comm)
            return d
        }
        try checkSameEverywhere(config, data, comm)
        configureCompute(config, comm)
        Preemption.install()
        let trainer = Trainer(config: config, comm: comm, data: data)
        let identity = Array(try config.identity(globalBatch: trainer.globalBatch).canonicalJSON())
        let store = config.outputDirectory.map { CheckpointStore(directory: $0, keep: config.keep) }
        var selection = Selection(epoch: config.epochs)
        let resumed = try Resume.load(config, identity: identity, data: data, store: store, comm: comm)
        if let (_, c) = resumed {
            trainer.restore(c)
            selection = Selection(epoch: c.bestEpoch, mae: c.bestMAE, parameters: c.bestParameters)
            if selection.parameters.isEmpty { selection.epoch = config.epochs }
        }
        let reporter = try Reporter(isRoot: comm.isRoot, directory: config.outputDirectory,
                                    resumeEpoch: resumed?.1.epoch)
        reporter.labelWeights(data.labelWeights, binning: data.binning)
        let bundle = data.bundle
        reporter.line("dir-dist: \(comm.size) rank(s), \(bundle.train.count) train / \(bundle.validation.count) val / \(bundle.test.count) test samples, \(data.featureCount) features, global batch \(trainer.globalBatch), \(data.binning.count) bins, \(trainer.model.parameterCount) parameters")
        if let (path, c) = resumed {
            reporter.line("resumed from \(path) at epoch \(c.epoch + 1), step \(c.step)")
        }
        if let seconds = config.stepTimeout { Watchdog.start(seconds: seconds, rank: comm.rank) }

        while trainer.epoch < config.epochs {
            let e = trainer.epoch
            let start = Clock.now()
            let result = trainer.trainEpoch()
            let seconds = Clock.now() - start
            if let interruption = result.interruption {
                return try stop(interruption, at: result.step, epoch: e, trainer: trainer, identity: identity,
                                selection: selection, store: store, reporter: reporter, comm: comm)
            }
            let validation = Evaluation.evaluate(bundle.validation, model: trainer.model, data: data,
                                                 config: config, comm: comm)
            reporter.epoch(e, of: config.epochs, trainLoss: result.loss, validation: validation,
                           seconds: seconds, samplesPerSecond: Double(bundle.train.count) / seconds,
                           fdsSeconds: config.fds == nil ? nil : comm.allreduce(result.fdsSeconds, op: .max))
            if let stats = trainer.featureStatistics, let dump = config.fdsDump {
                try reporter.fdsDump(stats, epoch: e + 1, path: dump)
            }
            // Every rank sees the same validation report, so all keep the same copy.
            if config.selection == .best, let mae = validation.all.mae, mae < selection.mae {
                selection = Selection(epoch: e + 1, mae: mae, parameters: trainer.model.params.array)
            }
            let every = config.checkpointEvery
            if let store, every > 0, (e + 1) % every == 0 || e + 1 == config.epochs {
                try save(trainer.checkpoint(identity: identity, selection: selection), store, comm)
            }
        }
        if config.balance && comm.size > 1 {
            let rows = trainer.rowsPerStepByRank().map { String(format: "%.1f", $0) }
            reporter.line("balanced split: mean rows per step by rank \(rows.joined(separator: ", "))")
        }
        if config.selection == .best, !selection.parameters.isEmpty {
            trainer.setParameters(selection.parameters)
            reporter.line("testing the parameters of epoch \(selection.epoch) (lowest validation MAE \(selection.mae))")
        }
        let test = Evaluation.evaluate(bundle.test, model: trainer.model, data: data, config: config, comm: comm)
        reporter.test(test, epoch: selection.epoch, binning: data.binning, trainCounts: data.trainCounts)
        try Agreement.together(comm) {
            if comm.isRoot, let out = config.outputDirectory {
                try ModelFile.write(path: "\(out)/model.bin", config: config, parameters: trainer.model.params.array,
                                    featureStatistics: trainer.featureStatistics)
            }
        }
        return ExitStatus.success
    }

    /// A signal: checkpoint and exit 3. A bad loss: keep the last checkpoint, exit 4.
    static func stop(_ interruption: Trainer.Interruption, at step: Int, epoch e: Int, trainer: Trainer,
                     identity: [UInt8], selection: Selection, store: CheckpointStore?, reporter: Reporter,
                     comm: Communicator) throws -> Int32 {
        switch interruption {
        case .preempted:
            if let store {
                try save(trainer.checkpoint(identity: identity, selection: selection), store, comm)
                reporter.line("preempted by \(Preemption.signalName) in epoch \(e + 1) after \(step) steps: checkpoint written to \(store.latestPath); continue with --resume auto")
            } else {
                reporter.line("preempted by \(Preemption.signalName) in epoch \(e + 1) after \(step) steps: no --out, nothing saved")
            }
            return ExitStatus.preempted
        case .nonFiniteLoss:
            let last = store.map { FileManager.default.fileExists(atPath: $0.latestPath) ? $0.latestPath : "none written" } ?? "none (no --out)"
            reporter.error("error: non-finite training loss in epoch \(e + 1), step \(step): training stopped, the step was not applied (last good checkpoint: \(last)); try a lower --lr")
            return ExitStatus.nonFiniteLoss
        }
    }

    /// Rank 0 writes; every rank learns whether it worked.
    static func save(_ checkpoint: Checkpoint?, _ store: CheckpointStore, _ comm: Communicator) throws {
        try Agreement.together(comm) { if let checkpoint { try store.write(checkpoint) } }
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

    /// Denormals flushed to zero; one BLAS thread per rank when ranks share cores (DESIGN §7).
    static func configureCompute(_ config: TrainingConfig, _ comm: Communicator) {
        BLAS.flushDenormals()
        defer { BLAS.warmUp() }
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
