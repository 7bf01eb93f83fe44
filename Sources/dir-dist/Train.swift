// `dir-dist train`: builds the training configuration and runs it on every rank.
import ArgumentParser
import Collectives
import DIR
import Datasets
import Foundation
import NN
import Training

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train and evaluate a regressor (the default command).")

    @Option(help: "Folder with train, val|dev and test splits (NAME.csv or NAME_X.npy + NAME_y.npy).")
    var data: String?

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
    @Option(help: "Epochs.") var epochs = 30
    @Option(help: "Per-rank batch size (global batch = ranks x batch size).") var batchSize = 32
    @Option(help: "Learning rate.") var lr = 1e-3
    @Option(help: "Optimizer: adam or sgd.") var optimizer: OptimizerKind = .adam
    @Option(help: "SGD momentum.") var momentum = 0.9
    @Option(help: "Weight decay.") var weightDecay = 0.0
    @Option(help: "Hidden layer sizes, comma-separated.") var hidden = "256,256"
    @Option(help: "Random seed (initialisation and shuffling).") var seed: UInt64 = 0
    @Option(help: "BLAS threads per rank (default: cores / ranks on the node).") var threads: Int?

    @OptionGroup(title: "Bins") var binning: BinningOptions
    @OptionGroup(title: "Reweighting and LDS") var reweighting: ReweightOptions
    @OptionGroup(title: "Feature distribution smoothing") var smoothing: FDSOptions

    @Option(help: "Loss: mse, l1, huber, focal_l1 or focal_mse.") var loss: LossKind = .mse
    @Option(help: "Loss beta (huber: 1, focal: 0.2).") var lossBeta: Double?
    @Option(help: "Focal loss gamma.") var lossGamma: Double?
    @Option(help: "Focal loss activation: sigmoid or tanh.") var focalActivation: FocalActivation = .sigmoid

    @Option(help: "Many-shot threshold: bins with more training samples.") var manyShot: Double = 100
    @Option(help: "Few-shot threshold: bins with fewer training samples.") var fewShot: Double = 20

    @Option(help: "Test the parameters of the last epoch, or of the best validation MAE (last).")
    var select: ModelSelection = .last

    @Option(help: "Output folder: metrics.jsonl, test_per_bin.csv, lds_weights.csv, model.bin, checkpoints.") var out: String?

    @Option(help: "Write a checkpoint into --out every N epochs (0: never).") var checkpointEvery = 0
    @Option(help: "Numbered checkpoints to keep besides the latest.") var keep = 3
    @Option(help: "Resume from a checkpoint file, or 'auto' for the newest valid one in --out.") var resume: String?
    @Option(help: "End the job when one step makes no progress for this many seconds.") var stepTimeout: Double?
    @Flag(inversion: .prefixedNo, help: "Overlap the gradient allreduce (buckets) with the backward pass.")
    var overlap = false
    @Option(help: "Smallest allreduce bucket in KiB when overlapping.") var bucketKib = 256
    @Flag(inversion: .prefixedNo,
          help: "Sum gradients in shared memory and split the update among ranks (default: when all ranks share one node and have a core each).")
    var sharedMemory: Bool?
    @Flag(help: "Split each global batch among ranks by their measured speed (same model up to summation order; not bit-for-bit repeatable).")
    var balance = false

    func configuration() throws -> TrainingConfig {
        var c = TrainingConfig()
        c.data = try dataSource()
        c.target = target
        c.epochs = epochs
        c.batchSize = batchSize
        c.learningRate = lr
        c.optimizer = optimizer
        c.momentum = momentum
        c.weightDecay = weightDecay
        c.hidden = try hidden.split(separator: ",").map {
            guard let v = Int($0.trimmingCharacters(in: .whitespaces)), v > 0 else {
                throw InputError("--hidden", "'\(hidden)' is not a comma-separated list of positive sizes")
            }
            return v
        }
        c.seed = seed
        c.threads = threads
        c.binning = try binning.choice()
        c.reweight = reweighting.reweight
        c.lds = try reweighting.kernel()
        c.loss = Loss(loss, beta: lossBeta, gamma: lossGamma, activation: focalActivation)
        c.shots = ShotThresholds(many: manyShot, few: fewShot)
        c.outputDirectory = out
        c.selection = select
        c.fds = try smoothing.configuration()
        c.fdsDump = smoothing.fdsDump
        c.checkpointEvery = checkpointEvery
        c.keep = keep
        c.resume = resume
        c.stepTimeout = stepTimeout
        c.overlap = overlap
        c.bucketBytes = bucketKib * 1024
        c.sharedMemory = sharedMemory
        c.balance = balance
        try c.validate()
        return c
    }

    func dataSource() throws -> DataSource {
        let files = [train, val, test].compactMap { $0 }
        if let synthetic {
            guard synthetic > 0 else { throw InputError("--synthetic", "must be positive, got \(synthetic)") }
            return .synthetic(Synthetic(trainCount: synthetic, testCount: max(256, synthetic / 4),
                                        featureCount: syntheticFeatures, seed: seed))
        }
        if let data {
            guard files.isEmpty else { throw InputError("--data", "give either --data or --train/--val/--test") }
            return .directory(data)
        }
        if files.isEmpty { return .embeddedAbalone }
        guard let train, let val, let test else {
            throw InputError(train == nil ? "--train" : (val == nil ? "--val" : "--test"),
                             "--train, --val and --test go together")
        }
        return .files(train: .init(features: train, labels: trainY),
                      validation: .init(features: val, labels: valY),
                      test: .init(features: test, labels: testY))
    }

    func run() throws {
        // Validate before MPI starts: every rank parses the same arguments, so
        // every rank fails the same way and only rank 0 speaks.
        let config: TrainingConfig
        do { config = try configuration() } catch let error as InputError {
            throw ValidationError(error.description.replacingOccurrences(of: "error: ", with: ""))
        }
        let comm = Communicator()
        let status = TrainingRun.run(config, comm: comm)
        // Rank 0 has printed any error; the barrier keeps the others from exiting
        // non-zero first, which would make mpirun kill rank 0 before its line is out.
        if status != 0 { comm.barrier() }
        comm.finalize()
        if status != 0 { Foundation.exit(status) }
    }
}
