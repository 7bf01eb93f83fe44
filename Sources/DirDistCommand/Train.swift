// `dir-dist train`: checks the options, builds the training configuration and runs it
// on every rank; every error of the run ends here as one line from rank 0.
import ArgumentParser
import Collectives
import DIR
import Datasets
import Foundation
import NN
import Orchestration
import Settings

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train and evaluate a regressor (the default command).")

    @Option(
        help: ArgumentHelp(
            "Folder with train, val|dev and test splits (NAME.csv or NAME_X.npy + NAME_y.npy), or one CSV file that "
                + "--split divides."))
    var data: String?
    @Option(
        help: ArgumentHelp(
            "How --data FILE.csv is split: dir (validation and test rows evenly across 30 label bins, as the DIR "
                + "benchmarks; the default) or random. The split is written to --out DIR/split.csv."))
    var split: RowSplit.Kind?
    @Option(help: "Validation fraction of a split file (0.1).") var valFraction: Double?
    @Option(help: "Test fraction of a split file (0.1).") var testFraction: Double?
    @Option(help: "Seed of the split (0; the training seed does not change it).") var splitSeed: UInt64?

    @Option(help: "Training file (CSV, or features .npy with --train-y).") var train: String?
    @Option(help: "Validation file.") var val: String?
    @Option(help: "Test file.") var test: String?
    @Option(name: .customLong("train-y"), help: "Training labels .npy.") var trainY: String?
    @Option(name: .customLong("val-y"), help: "Validation labels .npy.") var valY: String?
    @Option(name: .customLong("test-y"), help: "Test labels .npy.") var testY: String?

    @Option(help: "Use the synthetic long-tailed generator with this many training rows.")
    var synthetic: Int?
    @Option(help: "Features of the synthetic generator.") var syntheticFeatures: Int = 16

    @Option(help: "CSV target column.") var target = "target"
    @Option(
        help: ArgumentHelp(
            "CSV columns to one-hot even when they hold numbers (integer codes), comma-separated. Columns with "
                + "text are categorical anyway; empty cells, NA, NaN, NULL and ? are missing values."))
    var categorical: String?
    @Option(help: "Epochs.") var epochs = 30
    @Option(help: "Per-rank batch size (global batch = ranks x batch size).") var batchSize = 32
    @Option(help: "Learning rate.") var lr = 1e-3
    @Option(help: "Optimizer: adam, adamw (decoupled weight decay) or sgd.") var optimizer: OptimizerKind = .adam
    @Option(help: "SGD momentum.") var momentum = 0.9
    @Option(help: "Weight decay.") var weightDecay = 0.0
    @Option(help: "Hidden layer sizes, comma-separated.") var hidden = "256,256"
    @Option(help: "Random seed (initialisation and shuffling).") var seed: UInt64 = 0
    @Option(help: "BLAS threads per rank (default: cores / ranks on the node).") var threads: Int?

    @OptionGroup(title: "Model") var model: ArchitectureOptions
    @OptionGroup(title: "Schedule and early stopping") var scheduling: ScheduleOptions
    @OptionGroup(title: "Scaling") var scaling: ScalingOptions
    @OptionGroup(title: "Bins") var binning: BinningOptions
    @OptionGroup(title: "Reweighting and LDS") var reweighting: ReweightOptions
    @OptionGroup(title: "Feature distribution smoothing") var smoothing: FDSOptions

    @OptionGroup(title: "Loss, Balanced MSE and RankSim") var losses: LossOptions

    @Option(help: "Many-shot threshold: bins with more training samples.") var manyShot: Double = 100
    @Option(help: "Few-shot threshold: bins with fewer training samples.") var fewShot: Double = 20

    @Option(
        name: .customLong("select"),
        help: "Test the parameters of the last epoch, or of the best validation MAE (last; best with --preset tabular)."
    )
    var selectGiven: ModelSelection?

    @Option(help: "Output folder: metrics.jsonl, test_per_bin.csv, lds_weights.csv, model.bin, checkpoints.") var out:
        String?

    @Option(help: "Write a checkpoint into --out every N epochs (0: never).") var checkpointEvery = 0
    @Option(help: "Numbered checkpoints to keep besides the latest.") var keep = 3
    @Option(help: "Resume from a checkpoint file, or 'auto' for the newest valid one in --out.") var resume: String?
    @Flag(help: "Resume even from a checkpoint trained with another global batch (ranks × --batch-size).")
    var resumeNewBatch = false
    @Option(help: "End the job when one step makes no progress for this many seconds.") var stepTimeout: Double?
    @Flag(inversion: .prefixedNo, help: "Overlap the gradient allreduce (buckets) with the backward pass.")
    var overlap = false
    @Option(help: "Smallest allreduce bucket in KiB when overlapping.") var bucketKib = 256
    @OptionGroup(title: "Gradient sum") var syncing: SyncOptions
    @Flag(
        help: ArgumentHelp(
            "Train the same model, to the bit, at any rank count: every product on micro-batches of --micro-batch "
                + "rows of the global batch, and exact (integer) sums of the gradients and FDS statistics."))
    var reproducible = false
    @Option(help: "Rows per micro-batch with --reproducible (32).") var microBatch: Int?

    /// Option-level checks, before MPI starts: every rank parses the same arguments, so
    /// every rank fails the same way and only rank 0 speaks.
    func validate() throws {
        if epochs < 1 { throw optionError("--epochs", "must be positive, got \(epochs)") }
        if batchSize < 1 { throw optionError("--batch-size", "must be positive, got \(batchSize)") }
        if !(lr > 0 && lr.isFinite) { throw optionError("--lr", "must be positive, got \(lr)") }
        _ = try hiddenLayerSizes(hidden)
        if let names = categoricalColumns, names.isEmpty || names.contains("") {
            throw optionError("--categorical", "'\(categorical ?? "")' is not a comma-separated list of column names")
        }
        if categorical != nil && (synthetic != nil || (data == nil && train == nil)) {
            throw optionError("--categorical", "needs CSV data (--data or --train/--val/--test)")
        }
        if let threads, threads < 1 { throw optionError("--threads", "must be positive, got \(threads)") }
        if let synthetic, synthetic < 1 { throw optionError("--synthetic", "must be positive, got \(synthetic)") }
        if syntheticFeatures < 1 || syntheticFeatures > 65536 {
            throw optionError("--synthetic-features", "must be in 1...65536, got \(syntheticFeatures)")
        }
        // The generator holds every row in memory: at most 2^30 values (4 GiB).
        if let synthetic, synthetic > (1 << 30) / syntheticFeatures {
            throw optionError(
                "--synthetic", "\(synthetic) rows of \(syntheticFeatures) features exceed the generator's 2^30 values")
        }
        if !isTableFile {
            let given = [("--split", split != nil), ("--val-fraction", valFraction != nil)]
            for (name, isGiven) in given + [
                ("--test-fraction", testFraction != nil), ("--split-seed", splitSeed != nil),
            ]
            where isGiven {
                throw optionError(name, "needs --data FILE.csv (one file to split)")
            }
        } else if let problem = rowSplit.problem {
            throw optionError(valFraction != nil ? "--val-fraction" : "--test-fraction", problem)
        }
        if data != nil && ![train, val, test].allSatisfy({ $0 == nil }) {
            throw optionError("--data", "give either --data or --train/--val/--test")
        }
        if [train, val, test].contains(where: { $0 != nil }) && [train, val, test].contains(where: { $0 == nil }) {
            throw optionError(
                train == nil ? "--train" : (val == nil ? "--val" : "--test"),
                "--train, --val and --test go together")
        }
        if !(fewShot <= manyShot) {
            throw optionError("--few-shot", "must not exceed --many-shot (\(fewShot) > \(manyShot))")
        }
        try validateRunOptions()
    }

    private func validateRunOptions() throws {
        if checkpointEvery < 0 {
            throw optionError("--checkpoint-every", "must be non-negative, got \(checkpointEvery)")
        }
        if checkpointEvery > 0 && out == nil {
            throw optionError("--checkpoint-every", "needs --out DIR for the checkpoint files")
        }
        if keep < 1 { throw optionError("--keep", "must be positive, got \(keep)") }
        if resumeNewBatch && resume == nil { throw optionError("--resume-new-batch", "needs --resume") }
        if resume == "auto" && out == nil {
            throw optionError("--resume", "'auto' looks for checkpoints in --out DIR; give --out")
        }
        if bucketKib < 0 { throw optionError("--bucket-kib", "must be non-negative, got \(bucketKib)") }
        if let t = stepTimeout, !(t > 0) { throw optionError("--step-timeout", "must be positive, got \(t)") }
        try validateReproducible()
    }

    /// What reproducible training does not combine with (yet), in one line each.
    private func validateReproducible() throws {
        if let m = microBatch {
            if !reproducible { throw optionError("--micro-batch", "needs --reproducible") }
            if m < 1 || m > 65536 { throw optionError("--micro-batch", "must be in 1...65536, got \(m)") }
        }
        guard reproducible else { return }
        if syncing.gradientSum != nil || overlap {
            throw optionError(
                "--reproducible",
                "sums gradients exactly with its own allreduce: leave out --sync, --shared-memory and --overlap")
        }
    }

    /// `--data` names one CSV file rather than a folder of splits.
    private var isTableFile: Bool { data?.lowercased().hasSuffix(".csv") ?? false }

    private var rowSplit: RowSplit {
        RowSplit(
            kind: split ?? .dir, validationFraction: valFraction ?? 0.1, testFraction: testFraction ?? 0.1,
            seed: splitSeed ?? 0)
    }

    private var categoricalColumns: [String]? {
        categorical.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
    }

    /// The configuration these (validated) options describe.
    var configuration: TrainingConfig {
        var c = TrainingConfig()
        c.recipe = recipe
        c.execution.epochs = epochs
        c.execution.batchSize = batchSize
        c.execution.threads = threads
        c.execution.outputDirectory = out
        c.execution.fdsDump = smoothing.fdsDump
        c.execution.checkpointEvery = checkpointEvery
        c.execution.keep = keep
        c.execution.resume = resume
        c.execution.resumeNewBatch = resumeNewBatch
        c.execution.stepTimeout = stepTimeout
        c.execution.overlap = overlap
        c.execution.bucketBytes = bucketKib * 1024
        c.execution.sync = syncing.gradientSum
        return c
    }

    private var recipe: Recipe {
        var r = Recipe()
        r.data = dataSource
        r.target = target
        r.categorical = categoricalColumns
        r.learningRate = lr
        r.schedule = scheduling.schedule(epochs: epochs)
        r.patience = scheduling.patience
        r.standardizeFeatures = scaling.standardizeFeatures == .yes
        r.targetScaling = scaling.targetScaling
        r.optimizer = optimizer
        r.momentum = momentum
        r.weightDecay = weightDecay
        r.hidden = (try? hiddenLayerSizes(hidden)) ?? []
        model.apply(to: &r)
        r.seed = seed
        r.binning = binning.choice
        r.reweight = reweighting.reweight
        r.denseWeight = reweighting.denseWeight
        r.lds = reweighting.kernel
        losses.apply(to: &r)
        r.shots = ShotThresholds(many: manyShot, few: fewShot)
        r.selection = model.selection(given: selectGiven)
        r.fds = smoothing.configuration
        r.microBatch = reproducible ? microBatch ?? 32 : nil
        return r
    }

    private var dataSource: DataSource {
        if let synthetic {
            return .synthetic(
                Synthetic(
                    trainCount: synthetic, testCount: max(256, synthetic / 4),
                    featureCount: syntheticFeatures, seed: seed))
        }
        if let data { return isTableFile ? .table(data, split: rowSplit) : .directory(data) }
        guard let train, let val, let test else { return .embeddedAbalone }
        return .files(
            train: .init(features: train, labels: trainY),
            validation: .init(features: val, labels: valY),
            test: .init(features: test, labels: testY))
    }

    func run() throws {
        let comm = Communicator()
        runAndExit(comm) { try TrainingRun.run(configuration, comm: comm, spelling: { $0.option }).status }
    }
}
