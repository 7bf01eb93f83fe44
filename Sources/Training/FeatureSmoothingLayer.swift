// FDS across ranks (docs/specification.md §3, docs/protocol.md §1.6): calibrates training features during an epoch
// with fixed statistics, and at the epoch's end runs the statistics pass — per-bin
// sums on every rank, one allreduce, momentum and smoothing on rank 0, one broadcast.
// Reproducible training keeps the per-bin sums as exact fixed-point sums, so that they
// (and the model) do not depend on which rank added which row.
import Collectives
import DIR
import Datasets
import NN
import Sync

/// Seconds of FDS work in one epoch, by part.
public struct FDSTimes: Sendable {
    /// Calibrating in training steps (forward and backward), and the online sums.
    public var calibration = 0.0
    /// The statistics pass with its allreduce.
    public var statistics = 0.0
    /// The momentum update, smoothing and broadcast.
    public var smoothing = 0.0
    public var total: Double { calibration + statistics + smoothing }
}

final class FeatureSmoothingLayer {
    let config: FDSConfig
    let statistics: FeatureStatistics
    let calibration: Calibration
    /// Whether the current epoch calibrates (epoch ≥ startSmooth).
    private(set) var calibrating = false
    /// Seconds spent on FDS since `beginEpoch`.
    private(set) var times = FDSTimes()

    private let calibrated: FloatBuffer
    private let window: [Double]
    /// This rank's per-bin sums of the epoch so far (online pass only), in Double or,
    /// for reproducible training, exact.
    private var onlineSums: [Double]
    private var exactSums: FixedPointSums?
    private var epoch = 0
    /// Reproducible training: some feature (or its square) was too large for the exact
    /// sums (2^64) or not finite, and the statistics left it out.
    private(set) var statisticsOverflowed = false

    /// Rows per product in the statistics pass.
    private let chunk: Int

    /// `exact`: sum per-bin statistics exactly (reproducible training).
    init(config: FDSConfig, binCount: Int, featureSize: Int, maxBatch: Int, chunk: Int, exact: Bool = false) {
        self.config = config
        self.chunk = chunk
        let width = 1 + 2 * featureSize
        exactSums = exact ? FixedPointSums(count: binCount * width) : nil

        statistics = FeatureStatistics(binCount: binCount, featureSize: featureSize)
        calibration = Calibration(binCount: binCount, featureSize: featureSize)
        calibrated = FloatBuffer(count: maxBatch * featureSize)
        window = config.kernel.fdsWindow
        onlineSums =
            config.pass == .online && !exact ? [Double](repeating: 0, count: binCount * (1 + 2 * featureSize)) : []
    }

    /// Adds rows of z to this rank's sums: the Double ones, or the exact ones.
    private func accumulate(
        _ z: UnsafePointer<Float>, bins: UnsafePointer<Int32>, count n: Int, into sums: inout [Double]
    ) {
        guard exactSums != nil else {
            sums.withUnsafeMutableBufferPointer {
                statistics.accumulate(z, bins: bins, count: n, into: $0.baseAddress!)
            }
            return
        }
        let width = statistics.sumsWidth, d = statistics.featureSize
        for i in 0..<n {
            let base = Int(bins[i]) * width
            exactSums!.add(1, at: base)
            for j in 0..<d {
                let v = Double(z[i * d + j])
                exactSums!.add(v, at: base + 1 + j)
                exactSums!.add(v * v, at: base + 1 + d + j)
            }
        }
    }

    /// Called before each epoch: calibrate from `startSmooth` on, with the
    /// statistics of the previous epoch's end (already in `calibration`).
    func beginEpoch(_ epoch: Int, midEpoch: Bool) {
        self.epoch = epoch
        calibrating = epoch >= config.startSmooth
        if !midEpoch {
            for i in onlineSums.indices { onlineSums[i] = 0 }
            exactSums?.reset()
        }
        times = FDSTimes()
    }

    /// z' for the training forward pass (z itself when not calibrating); the online
    /// pass also adds the features the statistics describe to this epoch's sums.
    func forward(_ z: UnsafeMutablePointer<Float>, bins: UnsafePointer<Int32>, count n: Int) -> UnsafeMutablePointer<
        Float
    > {
        let start = Clock.now()
        var out = z
        if calibrating {
            calibration.forward(z, bins: bins, count: n, into: calibrated.pointer)
            out = calibrated.pointer
        }
        if config.pass == .online && epoch >= config.startUpdate {
            let described = config.statistics == .calibrated ? out : z
            accumulate(described, bins: bins, count: n, into: &onlineSums)
        }
        times.calibration += Clock.now() - start
        return out
    }

    /// The online sums of the interrupted epoch, summed over ranks (for a checkpoint).
    func partialSums(_ comm: Communicator) -> [Double] {
        if var exact = exactSums, config.pass == .online {
            exact.allreduce(comm)
            return exact.flat
        }
        var sums = onlineSums
        comm.allreduce(&sums)
        return sums
    }

    /// Resuming mid-epoch: rank 0 carries the ranks' sums so far.
    func restorePartialSums(_ sums: [Double], isRoot: Bool) {
        if exactSums != nil, config.pass == .online {
            guard sums.count == exactSums!.limbs.count else { return }
            exactSums!.reset()
            if isRoot { exactSums!.assign(flat: sums) }
            return
        }
        guard sums.count == onlineSums.count else { return }
        onlineSums = isRoot ? sums : [Double](repeating: 0, count: sums.count)
    }

    /// dz = dz' · s_b (the statistics are constants).
    func backward(_ dz: UnsafeMutablePointer<Float>, bins: UnsafePointer<Int32>, count n: Int) {
        guard calibrating else { return }
        let start = Clock.now()
        calibration.backward(dz, bins: bins, count: n)
        times.calibration += Clock.now() - start
    }

    /// Statistics from a checkpoint; the calibration follows from them.
    func restore(_ flat: [Double]) {
        statistics.assign(flat: flat)
        calibration.set(from: statistics, clip: config.clip)
    }

    /// End of epoch: the statistics pass (or the online sums), one allreduce, the
    /// momentum update and smoothing on rank 0, one broadcast.
    func endEpoch(_ epoch: Int, model: MLP, data: PreparedData, comm: Communicator) {
        guard epoch >= config.startUpdate else { return }
        let start = Clock.now()
        var sums = config.pass == .online ? onlineSums : separatePass(model: model, data: data, comm: comm)
        if var exact = exactSums {
            exact.allreduce(comm)
            sums = exact.values
            if exact.overflowed { statisticsOverflowed = true }
            exactSums!.reset()
        } else {
            comm.allreduce(&sums)
        }
        let passDone = Clock.now()
        times.statistics += passDone - start
        var flat: [Double]
        if comm.isRoot {
            statistics.update(sums: sums, isFirstUpdate: epoch == config.startUpdate, momentum: config.momentum)
            statistics.smooth(window: window)
            flat = statistics.flat
        } else {
            flat = [Double](repeating: 0, count: statistics.flat.count)
        }
        comm.broadcast(&flat)
        statistics.assign(flat: flat)
        calibration.set(from: statistics, clip: config.clip)
        times.smoothing += Clock.now() - passDone
    }

    /// This rank's per-bin sums of the features of its shard of the training set.
    private func separatePass(model: MLP, data: PreparedData, comm: Communicator) -> [Double] {
        var sums = [Double](repeating: 0, count: exactSums == nil ? statistics.binCount * statistics.sumsWidth : 0)
        exactSums?.reset()
        let bins = UnsafeMutablePointer<Int32>.allocate(capacity: chunk)
        defer { bins.deallocate() }
        ShardChunks.forEach(data.bundle.train, data: data, chunk: chunk, comm: comm) { input, first, n, _ in
            for k in 0..<n { bins[k] = data.trainBins[first + k] }
            let z = model.features(input, count: n)
            if config.statistics == .calibrated && calibrating {
                calibration.forward(z, bins: bins, count: n, into: z)
            }
            accumulate(z, bins: bins, count: n, into: &sums)
        }
        return sums
    }
}
