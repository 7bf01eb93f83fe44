// FDS across ranks (DESIGN §3, §6): calibrates training features during an epoch
// with fixed statistics, and at the epoch's end runs the statistics pass — per-bin
// sums on every rank, one allreduce, momentum and smoothing on rank 0, one broadcast.
import Collectives
import DIR
import Datasets
import NN

final class FeatureSmoothingLayer {
    let config: FDSConfig
    let statistics: FeatureStatistics
    let calibration: Calibration
    /// Whether the current epoch calibrates (epoch ≥ startSmooth).
    private(set) var calibrating = false
    /// Seconds spent on FDS in the current epoch (calibration, statistics pass, sync).
    var seconds: Double { calibrationSeconds + statisticsSeconds + smoothingSeconds }
    /// Per part, since `beginEpoch`: calibrating in training steps (forward and backward),
    /// the statistics pass with its allreduce, and the update, smoothing and broadcast.
    private(set) var calibrationSeconds = 0.0
    private(set) var statisticsSeconds = 0.0
    private(set) var smoothingSeconds = 0.0

    private let calibrated: FloatBuffer
    private let window: [Double]
    /// This rank's per-bin sums of the epoch so far (online pass only).
    private var onlineSums: [Double]
    private var epoch = 0

    init(config: FDSConfig, binCount: Int, featureSize: Int, maxBatch: Int) {
        self.config = config
        statistics = FeatureStatistics(binCount: binCount, featureSize: featureSize)
        calibration = Calibration(binCount: binCount, featureSize: featureSize)
        calibrated = FloatBuffer(count: maxBatch * featureSize)
        window = config.kernel.fdsWindow
        onlineSums = config.pass == .online ? [Double](repeating: 0, count: binCount * (1 + 2 * featureSize)) : []
    }

    /// Called before each epoch: calibrate from `startSmooth` on, with the
    /// statistics of the previous epoch's end (already in `calibration`).
    func beginEpoch(_ epoch: Int, midEpoch: Bool) {
        self.epoch = epoch
        calibrating = epoch >= config.startSmooth
        if !midEpoch { for i in onlineSums.indices { onlineSums[i] = 0 } }
        calibrationSeconds = 0
        statisticsSeconds = 0
        smoothingSeconds = 0
    }

    /// z' for the training forward pass (z itself when not calibrating); the online
    /// pass also adds the features the statistics describe to this epoch's sums.
    func forward(_ z: UnsafeMutablePointer<Float>, bins: UnsafePointer<Int32>, count n: Int) -> UnsafeMutablePointer<Float> {
        let start = Clock.now()
        var out = z
        if calibrating {
            calibration.forward(z, bins: bins, count: n, into: calibrated.pointer)
            out = calibrated.pointer
        }
        if config.pass == .online && epoch >= config.startUpdate {
            let described = config.statistics == .calibrated ? out : z
            onlineSums.withUnsafeMutableBufferPointer {
                statistics.accumulate(described, bins: bins, count: n, into: $0.baseAddress!)
            }
        }
        calibrationSeconds += Clock.now() - start
        return out
    }

    /// The online sums of the interrupted epoch, summed over ranks (for a checkpoint).
    func partialSums(_ comm: Communicator) -> [Double] {
        var sums = onlineSums
        comm.allreduce(&sums)
        return sums
    }

    /// Resuming mid-epoch: rank 0 carries the ranks' sums so far.
    func restorePartialSums(_ sums: [Double], isRoot: Bool) {
        guard sums.count == onlineSums.count else { return }
        onlineSums = isRoot ? sums : [Double](repeating: 0, count: sums.count)
    }

    /// dz = dz' · s_b (the statistics are constants).
    func backward(_ dz: UnsafeMutablePointer<Float>, bins: UnsafePointer<Int32>, count n: Int) {
        guard calibrating else { return }
        let start = Clock.now()
        calibration.backward(dz, bins: bins, count: n)
        calibrationSeconds += Clock.now() - start
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
        comm.allreduce(&sums)
        let passDone = Clock.now()
        statisticsSeconds += passDone - start
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
        smoothingSeconds += Clock.now() - passDone
    }

    /// This rank's per-bin sums of the features of its shard of the training set.
    private func separatePass(model: MLP, data: PreparedData, comm: Communicator) -> [Double] {
        let train = data.bundle.train
        let shard = PreparedData.shard(train.count, comm)
        let chunk = model.maxBatch
        let input = FloatBuffer(count: chunk * train.features.columns)
        var sums = [Double](repeating: 0, count: statistics.binCount * statistics.sumsWidth)
        var rows = [Int32](repeating: 0, count: chunk)
        var bins = [Int32](repeating: 0, count: chunk)
        var first = shard.lowerBound
        while first < shard.upperBound {
            let n = min(chunk, shard.upperBound - first)
            for k in 0..<n {
                rows[k] = Int32(first + k)
                bins[k] = data.trainBins[first + k]
            }
            rows.withUnsafeBufferPointer { r in
                train.features.gather(UnsafeBufferPointer(rebasing: r[0..<n]), mean: data.mean,
                                      invStd: data.invStd, into: input.pointer)
            }
            let z = model.features(input.pointer, count: n)
            if config.statistics == .calibrated && calibrating {
                calibration.forward(z, bins: bins, count: n, into: z)
            }
            sums.withUnsafeMutableBufferPointer { statistics.accumulate(z, bins: bins, count: n, into: $0.baseAddress!) }
            first += n
        }
        return sums
    }
}
