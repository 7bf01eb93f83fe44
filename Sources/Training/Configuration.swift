// Everything a training run depends on, as one Codable value: the CLI builds it,
// every rank checks it agrees, checkpoints store it.
import Collectives
import DIR
import Foundation
import Datasets
import NN

/// How labels are binned (DESIGN §1): explicit, integer (width 1), or automatic.
public enum BinningChoice: Codable, Sendable, Equatable {
    /// `count` bins over `range`, or over the training labels' min and max when nil.
    case equalWidth(count: Int, range: ClosedRange<Double>?)
    /// Bin width 1 over [0, maxLabel + 1] (ages); nil max means the training maximum.
    case integer(maxLabel: Int?)
    /// Integer mode when every training label is a non-negative integer, else 50 bins.
    case automatic

    /// The binning for a training label set.
    public func resolve(trainLabels: [Double]) throws -> Binning {
        let lo = trainLabels.min() ?? 0
        let hi = trainLabels.max() ?? 1
        switch self {
        case .equalWidth(let count, let range):
            guard count >= 2 else { throw InputError("--bins", "need at least 2 bins, got \(count)") }
            let r = range ?? lo...hi
            guard r.upperBound > r.lowerBound else {
                throw InputError("--label-range", "empty label range [\(r.lowerBound), \(r.upperBound)]")
            }
            return Binning(lo: r.lowerBound, hi: r.upperBound, count: count)
        case .integer(let maxLabel):
            let m = maxLabel ?? Int(hi)
            guard m >= 1 else { throw InputError("--max-label", "need a maximum label of at least 1, got \(m)") }
            return Binning.integer(maxLabel: m)
        case .automatic:
            let integral = trainLabels.allSatisfy { $0 >= 0 && $0 == $0.rounded() && $0 <= 10_000 }
            if integral && hi >= 1 { return Binning.integer(maxLabel: Int(hi)) }
            return Binning(lo: lo, hi: hi > lo ? hi : lo + 1, count: 50)
        }
    }
}

/// Which parameters are tested at the end.
public enum ModelSelection: String, CaseIterable, Codable, Sendable {
    /// The parameters after the last epoch.
    case last
    /// The parameters of the epoch with the lowest validation MAE (the reference's protocol).
    case best
}

public struct TrainingConfig: Codable, Sendable, Equatable {
    public var data: DataSource = .embeddedAbalone
    public var target = "target"
    public var epochs = 30
    /// Per-rank batch size; the global batch is ranks × batchSize.
    public var batchSize = 32
    public var learningRate = 1e-3
    public var optimizer: OptimizerKind = .adam
    public var momentum = 0.9
    public var weightDecay = 0.0
    public var hidden = [256, 256]
    public var seed: UInt64 = 0
    /// BLAS threads per rank; nil: OPENBLAS_NUM_THREADS if set, else cores / ranks on the node.
    public var threads: Int?
    public var binning: BinningChoice = .automatic
    public var reweight: Reweight = .none
    /// The LDS kernel, nil without LDS.
    public var lds: Kernel?
    public var loss = Loss(.mse)
    public var shots = ShotThresholds()
    /// Rows per evaluation chunk.
    public var evaluationBatch = 1024
    public var selection: ModelSelection = .last
    /// Feature distribution smoothing, nil without FDS.
    public var fds: FDSConfig?
    /// Per-epoch FDS statistics summary (JSON lines), written by rank 0.
    public var fdsDump: String?
    /// Write a checkpoint every N epochs into the output folder (0: never).
    public var checkpointEvery = 0
    /// Numbered checkpoints kept besides the latest.
    public var keep = 3
    /// A checkpoint file to resume from, or "auto" for the newest valid one in the output folder.
    public var resume: String?
    /// Watchdog: end the job when one step takes longer than this many seconds.
    public var stepTimeout: Double?
    /// Start the gradient allreduce in buckets during backward (MPI_Iallreduce). Off by
    /// default: on one node over shared memory it measured no gain (docs/performance.md).
    public var overlap = false
    /// Smallest bucket of the overlapped allreduce.
    public var bucketBytes = 256 * 1024
    /// Sum gradients in MPI-3 shared memory, keep one parameter copy, and split the
    /// optimizer update among the ranks, instead of an allreduce (docs/performance.md).
    /// Needs all ranks on one node and no overlap; nil: only when, in addition, every
    /// rank has a core of its own (ranks sharing cores measured faster meeting once
    /// per step in the allreduce than twice in barriers).
    public var sharedMemory: Bool?
    /// Split each global batch among the ranks by their measured speed instead of
    /// evenly (for cores that run unevenly fast); the same model up to summation
    /// order, but runs are no longer bit-for-bit repeatable.
    public var balance = false
    public var outputDirectory: String?

    public init() {}

    /// Cross-option checks: the first problem as an `InputError`.
    public func validate() throws {
        if epochs < 1 { throw InputError("--epochs", "must be positive, got \(epochs)") }
        if batchSize < 1 { throw InputError("--batch-size", "must be positive, got \(batchSize)") }
        if !(learningRate > 0 && learningRate.isFinite) {
            throw InputError("--lr", "must be positive, got \(learningRate)")
        }
        if hidden.isEmpty || hidden.contains(where: { $0 < 1 }) {
            throw InputError("--hidden", "need one or more positive layer sizes, got \(hidden)")
        }
        if checkpointEvery < 0 { throw InputError("--checkpoint-every", "must be non-negative, got \(checkpointEvery)") }
        if checkpointEvery > 0 && outputDirectory == nil {
            throw InputError("--checkpoint-every", "needs --out DIR for the checkpoint files")
        }
        if keep < 1 { throw InputError("--keep", "must be positive, got \(keep)") }
        if resume == "auto" && outputDirectory == nil {
            throw InputError("--resume", "'auto' looks for checkpoints in --out DIR; give --out")
        }
        if bucketBytes < 0 { throw InputError("--bucket-kib", "must be non-negative, got \(bucketBytes / 1024)") }
        if let t = stepTimeout, !(t > 0) { throw InputError("--step-timeout", "must be positive, got \(t)") }
        if let t = threads, t < 1 { throw InputError("--threads", "must be positive, got \(t)") }
        if let kernel = lds {
            if reweight == .none {
                throw InputError("--lds", "LDS smooths reweighting: add --reweight sqrt_inv or inverse")
            }
            if let p = kernel.problem { throw InputError("--lds-ks/--lds-sigma", p) }
        }
        if case .equalWidth(let count, let range) = binning {
            if count < 2 { throw InputError("--bins", "need at least 2 bins, got \(count)") }
            if let r = range, !(r.upperBound > r.lowerBound) {
                throw InputError("--label-range", "empty label range [\(r.lowerBound), \(r.upperBound)]")
            }
        }
        if let f = fds {
            if let p = f.kernel.problem { throw InputError(f.kernel.size % 2 == 0 || f.kernel.size < 1 ? "--fds-ks" : "--fds-sigma", p) }
            if !(f.momentum >= 0 && f.momentum < 1) { throw InputError("--fds-momentum", "must be in [0, 1), got \(f.momentum)") }
            if !(f.clip.lowerBound > 0) { throw InputError("--fds-clip", "needs 0 < LO <= HI, got [\(f.clip.lowerBound), \(f.clip.upperBound)]") }
            if f.startUpdate < 0 { throw InputError("--start-update", "must be non-negative, got \(f.startUpdate)") }
            if f.startSmooth < 0 { throw InputError("--start-smooth", "must be non-negative, got \(f.startSmooth)") }
        }
        if !(loss.beta > 0) { throw InputError("--loss-beta", "must be positive, got \(loss.beta)") }
        if !(loss.gamma >= 0) { throw InputError("--loss-gamma", "must be non-negative, got \(loss.gamma)") }
        if !(shots.few <= shots.many) {
            throw InputError("--few-shot", "must not exceed --many-shot (\(shots.few) > \(shots.many))")
        }
    }
}

extension TrainingConfig {
    /// Whether the gradient sum goes through shared memory rather than an allreduce.
    public func usesSharedMemory(_ comm: Communicator) -> Bool {
        guard !overlap && comm.size > 1 && comm.isSingleNode else { return false }
        return sharedMemory ?? (comm.localSize <= ProcessInfo.processInfo.activeProcessorCount)
    }
}

extension TrainingConfig {
    /// JSON with sorted keys: the same bytes on every rank (hashes, checkpoints).
    public func canonicalJSON() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }
}

extension TrainingConfig {
    /// What makes two runs the same training: everything but the epoch count, files,
    /// threads and fault handling, with the per-rank batch replaced by the global batch
    /// (a run may resume on another rank count with the same global batch).
    public func identity(globalBatch: Int) -> TrainingConfig {
        var c = self
        c.epochs = 0
        c.batchSize = globalBatch
        c.threads = nil
        c.outputDirectory = nil
        c.fdsDump = nil
        c.checkpointEvery = 0
        c.keep = 0
        c.resume = nil
        c.stepTimeout = nil
        c.evaluationBatch = 0
        c.overlap = false
        c.bucketBytes = 0
        c.sharedMemory = nil
        c.balance = false
        return c
    }
}
