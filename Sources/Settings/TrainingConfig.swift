// Everything a training run depends on, as one Codable value in two parts: the
// recipe (what is trained: data, math, seeds; it is the checkpoint identity) and the
// execution (how this run goes: ranks' batch share, threads, files, faults, sync).
import DIR
import Datasets
import Foundation
import NN
import Sync

/// What is trained. Two runs with the same recipe and the same global batch train the
/// same model (up to summation order), whatever their rank count, files or threads:
/// a checkpoint of one continues the other.
public struct Recipe: Codable, Sendable, Equatable {
    public var data: DataSource = .embeddedAbalone
    /// CSV target column.
    public var target = "target"
    /// CSV columns one-hot encoded even when they hold numbers (integer codes); nil: none.
    public var categorical: [String]?
    public var learningRate = 1e-3
    public var schedule = LearningRateSchedule()
    public var optimizer: OptimizerKind = .adam
    public var momentum = 0.9
    public var weightDecay = 0.0
    public var hidden = [256, 256]
    /// Numerical embedding of the features before the first layer (nil: none).
    public var embedding: NumericalEmbedding?
    /// Members of the efficient ensemble (nil: one network). Optional so that a recipe
    /// without one keeps its identity and its checkpoints.
    public var ensemble: Int?
    /// Dropout rate after each hidden layer in training (nil: none).
    public var dropout: Double?
    /// Reproducible training's micro-batch (nil: each rank's share of the batch is one
    /// product and the gradients are summed in Float, so the model depends on the rank
    /// count by rounding). With it, every product runs on micro-batches of this many rows
    /// of the global batch and the gradient sum is exact: the same bits at any rank count.
    public var microBatch: Int?
    /// Initialisation and shuffling.
    public var seed: UInt64 = 0
    public var binning: BinningChoice = .automatic
    public var reweight: Reweight = .none
    /// DenseWeight's α and bandwidth (used with `reweight == .denseWeight`).
    public var denseWeight = DenseWeightSettings()
    /// The LDS kernel, nil without LDS.
    public var lds: Kernel?
    public var loss = Loss(.mse)
    /// Balanced MSE in place of `loss` (docs/peer-methods.md §1), nil: the per-sample loss.
    public var balancedMSE: BalancedMSESettings?
    /// The RankSim regulariser (docs/peer-methods.md §2), nil: off.
    public var rankSim: RankSimSettings?
    public var shots = ShotThresholds()
    public var selection: ModelSelection = .last
    /// Stop when the validation MAE has not improved for this many epochs (nil: never).
    public var patience: Int?
    /// Feature distribution smoothing, nil without FDS.
    public var fds: FDSConfig?
    /// Features standardised with training statistics (off: as they are, as the reference).
    public var standardizeFeatures = true
    /// How the loss sees the targets; metrics and predictions are always in the user's units.
    public var targetScaling = TargetScaling.standard

    public init() {}

    /// The embedding and ensemble in words (nil for a plain MLP).
    public var architectureName: String? {
        var parts = [String]()
        switch embedding {
        case .periodic(let m, let d, let sigma)?:
            parts.append("periodic embedding (\(m) frequencies, size \(d), sigma \(sigma))")
        case .piecewiseLinear(let bins)?: parts.append("piecewise-linear encoding (up to \(bins) bins)")
        case nil: break
        }
        if let k = ensemble { parts.append("ensemble of \(k)") }
        if let p = dropout { parts.append("dropout \(p)") }
        return parts.isEmpty
            ? nil : "MLP \(hidden.map(String.init).joined(separator: ",")) with " + parts.joined(separator: ", ")
    }

    /// The network this recipe trains.
    public var architecture: Architecture {
        Architecture(hidden: hidden, embedding: embedding, members: ensemble ?? 1)
    }
}

/// DenseWeight (docs/peer-methods.md §3): weights max(1 − α·density, ε), ε = 1e-6, normalised to mean 1.
public struct DenseWeightSettings: Codable, Sendable, Equatable {
    public var alpha = 1.0
    /// KDE bandwidth; nil: 1.06 · σ · n^(−1/5) of the training labels.
    public var bandwidth: Double?

    public init() {}
}

/// How this run executes: none of it changes the model beyond summation order.
public struct Execution: Codable, Sendable, Equatable {
    /// Epochs to train in all (a resumed run may be given more than the run it continues).
    public var epochs = 30
    /// Per-rank batch; the global batch, ranks × batchSize, is part of the identity.
    public var batchSize = 32
    /// BLAS threads per rank; nil: OPENBLAS_NUM_THREADS if set, else cores / ranks on the node.
    public var threads: Int?
    /// Rows per evaluation chunk.
    public var evaluationBatch = 1024
    /// Output folder (metrics, tables, model, checkpoints); nil: console only.
    public var outputDirectory: String?
    /// Per-epoch FDS statistics summary (JSON lines), written by rank 0.
    public var fdsDump: String?
    /// Write a checkpoint every N epochs into the output folder (0: never).
    public var checkpointEvery = 0
    /// Numbered checkpoints kept besides the latest.
    public var keep = 3
    /// A checkpoint file to resume from, or "auto" for the newest valid one in the output folder.
    public var resume: String?
    /// Resume even from a checkpoint trained with another global batch (ranks × batch size).
    public var resumeNewBatch = false
    /// Watchdog: end the job when one step takes longer than this many seconds.
    public var stepTimeout: Double?
    /// Start the gradient allreduce in buckets during backward (MPI_Iallreduce). Off by
    /// default: on one node it measured no gain (docs/performance.md).
    public var overlap = false
    /// Smallest bucket of the overlapped allreduce.
    public var bucketBytes = 256 * 1024
    /// How the ranks sum their gradients; nil: chosen for the job's layout (shared memory
    /// on one node, hierarchical across nodes, when every rank has a core of its own).
    public var sync: GradientSum?

    public init() {}
}

public struct TrainingConfig: Codable, Sendable, Equatable {
    public var recipe = Recipe()
    public var execution = Execution()

    public init() {}

    /// JSON with sorted keys: the same bytes on every rank (hashes, model files).
    public func canonicalJSON() throws -> Data {
        try Canonical.json(self)
    }

    /// What a checkpoint must match to be continued by this run: the recipe and the
    /// global batch (a run may resume on another rank count with the same global batch).
    public func identity(ranks: Int) throws -> [UInt8] {
        var object = try JSONSerialization.jsonObject(with: Canonical.json(recipe)) as! [String: Any]
        object[TrainingIdentity.globalBatchKey] = execution.batchSize * ranks
        return Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }
}

/// Reading a checkpoint's identity back, to say which settings differ.
public enum TrainingIdentity {
    static let globalBatchKey = "globalBatch"

    /// The global batch an identity was made with.
    public static func globalBatch(_ identity: [UInt8]) -> Int? {
        guard let x = try? JSONSerialization.jsonObject(with: Data(identity)) as? [String: Any] else { return nil }
        return x[globalBatchKey] as? Int
    }

    /// The recipe keys (and the global batch) whose values differ, as a user would name them.
    public static func differences(_ a: [UInt8], _ b: [UInt8]) -> [String] {
        guard let x = try? JSONSerialization.jsonObject(with: Data(a)) as? [String: Any],
            let y = try? JSONSerialization.jsonObject(with: Data(b)) as? [String: Any]
        else { return ["unreadable"] }
        let keys = Set(x.keys).union(y.keys).sorted().filter { key in
            let u = x[key].flatMap { try? JSONSerialization.data(withJSONObject: [$0], options: .sortedKeys) }
            let v = y[key].flatMap { try? JSONSerialization.data(withJSONObject: [$0], options: .sortedKeys) }
            return u != v
        }
        let names = [globalBatchKey: "global batch", "learningRate": "lr"]
        return keys.map { names[$0] ?? $0 }
    }
}

/// JSON with sorted keys, so equal values give equal bytes on every rank.
public enum Canonical {
    public static func json<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(value)
    }

    public static var decoder: JSONDecoder { JSONDecoder() }
}
