// The epochs of one training run: each trains, validates, reports and checkpoints;
// a signal or a bad loss stops them; then the chosen parameters are tested and the
// model file written. Every rank runs the same sequence of collectives.
import Checkpoints
import Collectives
import Fingerprints
import Foundation
import NN
import Settings
import Training

final class TrainingSession {
    private let config: TrainingConfig
    private let comm: Communicator
    private let reporter: Reporter
    private let data: PreparedData
    private let trainer: Trainer
    private let identity: [UInt8]
    private let store: CheckpointStore?
    private var selection: Selection
    private var execution: Execution { config.execution }

    /// Builds the trainer and resumes it when asked (collective).
    init(config: TrainingConfig, data: PreparedData, reporter: Reporter, comm: Communicator) throws {
        self.config = config
        self.comm = comm
        self.reporter = reporter
        self.data = data
        trainer = try Trainer(config: config, comm: comm, data: data)
        identity = try config.identity(ranks: comm.size)
        store = config.execution.outputDirectory.map { CheckpointStore(directory: $0, keep: config.execution.keep) }
        selection = Selection()
        let resumed = try Resume.load(
            execution, identity: identity, data: data, store: store, reporter: reporter,
            comm: comm)
        if let (_, c) = resumed {
            trainer.restore(c)
            selection = Selection(epoch: c.bestEpoch, mae: c.bestMAE, parameters: c.bestParameters)
        }
        try reporter.openMetrics(resumeEpoch: resumed?.checkpoint.epoch)
        if let splits = data.bundle.rowSplits { try reporter.rowSplits(splits) }
        let kernels = KernelChoice.report
        reporter.line(kernels.line)
        if let warning = kernels.warning { reporter.warning(warning) }
        reporter.labelWeights(data.labelWeights, binning: data.binning)
        let b = data.bundle
        reporter.line(
            "dir-dist: \(comm.size) rank(s), \(b.train.count) train / \(b.validation.count) val / \(b.test.count) "
                + "test samples, \(data.featureCount) features, global batch \(trainer.globalBatch), "
                + "\(data.binning.count) bins, \(trainer.model.parameterCount) parameters, "
                + "method: \(config.recipe.methodName)"
        )
        for warning in b.warnings { reporter.warning(warning) }
        // Rank 0 alone looks for constant columns: the reporter speaks there only.
        if let embedding = config.recipe.embedding, comm.isRoot {
            let constant = data.constantColumns.map { b.train.featureNames[$0] }
            if !constant.isEmpty {
                reporter.warning(
                    "--num-embedding \(embedding.name): \(constant.count) column(s) constant in the training split "
                        + "carry nothing (\(constant.prefix(5).joined(separator: ", "))\(constant.count > 5 ? ", ..." : ""))"
                )
            }
        }
        if let name = config.recipe.architectureName { reporter.line("model: \(name)") }
        let hosts = HostList.describe(comm.hostNames())
        reporter.line("hosts: \(hosts); gradient sum: \(trainer.syncPlan)")
        if let (path, c) = resumed { reporter.line("resumed from \(path) at epoch \(c.epoch + 1), step \(c.step)") }
    }

    func run() throws -> RunEnd {
        if let seconds = execution.stepTimeout { Watchdog.start(seconds: seconds, rank: comm.rank) }
        while trainer.epoch < execution.epochs && !patienceRanOut {
            if let end = try trainEpoch() { return end }
        }
        if patienceRanOut {
            let waited = trainer.epoch - selection.epoch
            reporter.line(
                "early stop after epoch \(trainer.epoch): no lower validation MAE for \(waited) epochs "
                    + "(best: epoch \(selection.epoch), \(selection.mae))")
        }
        try finish()
        return .finished
    }

    /// Early stopping: every rank sees the same validation MAE, so all stop together.
    private var patienceRanOut: Bool {
        guard let patience = config.recipe.patience else { return false }
        return trainer.epoch - selection.epoch >= patience
    }

    /// One epoch with validation, reports and a checkpoint when due; a `RunEnd` when stopped.
    private func trainEpoch() throws -> RunEnd? {
        let e = trainer.epoch
        let start = Clock.now()
        let result = trainer.trainEpoch()
        let seconds = Clock.now() - start
        if let interruption = result.interruption { return try stop(interruption, at: result.step, epoch: e) }
        let validation = Evaluation.evaluate(
            data.bundle.validation, model: trainer.model, data: data,
            shots: config.recipe.shots, chunk: execution.evaluationBatch, comm: comm)
        let fdsSeconds = config.recipe.fds == nil ? nil : comm.allreduce(result.fdsSeconds, op: .max)
        reporter.epoch(
            e, of: execution.epochs, trainLoss: result.loss, validation: validation, seconds: seconds,
            samplesPerSecond: Double(data.bundle.train.count) / seconds, fdsSeconds: fdsSeconds)
        if let stats = trainer.featureStatistics, let dump = execution.fdsDump {
            try reporter.fdsDump(stats, epoch: e + 1, path: dump)
        }
        // Every rank sees the same validation report, so all keep the same copy.
        if let mae = validation.all.mae, mae < selection.mae {
            let keep = config.recipe.selection == .best
            selection = Selection(epoch: e + 1, mae: mae, parameters: keep ? trainer.parameters : [])
        }
        let every = execution.checkpointEvery
        if every > 0, (e + 1) % every == 0 || e + 1 == execution.epochs { try saveCheckpoint() }
        return nil
    }

    /// A signal: checkpoint and exit 3. A bad loss: keep the last checkpoint, exit 4.
    private func stop(_ interruption: Trainer.Interruption, at step: Int, epoch e: Int) throws -> RunEnd {
        let signal = Preemption.signalName
        switch interruption {
        case .preempted:
            if let store {
                try saveCheckpoint()
                reporter.note(
                    "preempted by \(signal) in epoch \(e + 1) after \(step) steps: checkpoint written to "
                        + "\(store.latestPath); continue with \(Setting.resume) auto"
                )
            } else {
                reporter.note(
                    "preempted by \(signal) in epoch \(e + 1) after \(step) steps: no \(Setting.outputDirectory), "
                        + "nothing saved"
                )
            }
            return .preempted
        case .nonFiniteLoss:
            let fm = FileManager.default
            let last: SettingText =
                store.map { fm.fileExists(atPath: $0.latestPath) ? "\($0.latestPath)" : "none written" }
                ?? "none (no \(Setting.outputDirectory))"
            reporter.error(
                "non-finite training loss in epoch \(e + 1), step \(step): training stopped, the step was not "
                    + "applied (last good checkpoint: \(last)); try a lower \(Setting.learningRate)"
            )
            return .nonFiniteLoss
        }
    }

    /// Tests the chosen parameters and writes the model file.
    private func finish() throws {
        try checkReplicas()
        if trainer.fdsStatisticsOverflowed {
            reporter.warning(
                "FDS: a feature value of 2^32 or more (or not finite) was left out of the exact per-bin statistics")
        }
        var testedEpoch = trainer.epoch
        if config.recipe.selection == .best, !selection.parameters.isEmpty {
            testedEpoch = selection.epoch
            trainer.setParameters(selection.parameters)
            reporter.line("testing the parameters of epoch \(selection.epoch) (lowest validation MAE \(selection.mae))")
        }
        let test = Evaluation.evaluate(
            data.bundle.test, model: trainer.model, data: data, shots: config.recipe.shots,
            chunk: execution.evaluationBatch, comm: comm)
        reporter.test(test, epoch: testedEpoch, binning: data.binning, trainCounts: data.trainCounts)
        try Agreement.together(comm) {
            try reporter.model(
                modelDescription, parameters: trainer.model.params.array, featureStatistics: trainer.featureStatistics)
        }
    }

    /// Every rank must end with the same parameters, bit for bit (whatever the sync and
    /// the hosts): compares a hash of each rank's copy, once per run, and fails the run
    /// (status 7, no model written) when they differ. With the shared-memory sum the ranks
    /// of a node compute with one copy, so there the check compares nodes.
    private func checkReplicas() throws {
        guard comm.size > 1 else { return }
        let values = trainer.parametersForReplicaCheck
        var hash = Fingerprint()
        values.withUnsafeBytes { hash.add(bytes: Array($0)) }
        let hashes = comm.extremes(Int(hash.value() >> 1))  // 63 bits, so that its negation fits
        guard hashes.min == hashes.max else { throw ReplicaMismatch(ranks: comm.size) }
        reporter.line("replicas: the parameters are bit-identical on all \(comm.size) ranks")
    }

    /// The configuration as the model's, not this run's: the recipe, the global batch (as
    /// one rank's batch), the epochs and the evaluation batch (which picks the epoch with
    /// `--select best`). Ranks, threads, paths and the sync are left at their defaults, so
    /// that runs that trained the same model write the same file.
    private var modelConfig: TrainingConfig {
        var described = TrainingConfig()
        described.recipe = config.recipe
        described.execution.batchSize = trainer.globalBatch
        described.execution.epochs = execution.epochs
        described.execution.evaluationBatch = execution.evaluationBatch
        return described
    }

    /// Everything `dir-dist predict` needs to apply the model to new rows.
    private var modelDescription: ModelDescription {
        let train = data.bundle.train
        var description = ModelDescription(
            config: modelConfig, featureNames: train.featureNames,
            namedColumns: train.source.hasSuffix(".csv") || train.source.hasPrefix("<embedded"),
            featureMean: data.mean, featureInvStd: data.invStd, targetMean: data.targetScale.mean,
            targetStd: data.targetScale.std, binning: data.binning)
        description.noiseSigma = trainer.sigma
        description.labelPrior = trainer.labelPrior
        description.binEdges = data.binEdges
        description.schema = data.bundle.schema
        return description
    }

    /// Rank 0 writes; every rank learns whether it worked.
    private func saveCheckpoint() throws {
        guard let store else { return }
        let checkpoint = trainer.checkpoint(identity: identity, selection: selection)
        try Agreement.together(comm) { if let checkpoint { try store.write(checkpoint) } }
    }
}
