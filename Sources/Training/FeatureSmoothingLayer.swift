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
    private(set) var seconds = 0.0

    private let calibrated: FloatBuffer
    private let window: [Double]

    init(config: FDSConfig, binCount: Int, featureSize: Int, maxBatch: Int) {
        self.config = config
        statistics = FeatureStatistics(binCount: binCount, featureSize: featureSize)
        calibration = Calibration(binCount: binCount, featureSize: featureSize)
        calibrated = FloatBuffer(count: maxBatch * featureSize)
        window = config.kernel.fdsWindow
    }

    /// Called before each epoch: calibrate from `startSmooth` on, with the
    /// statistics of the previous epoch's end (already in `calibration`).
    func beginEpoch(_ epoch: Int) {
        calibrating = epoch >= config.startSmooth
        seconds = 0
    }

    /// z' for the training forward pass (z itself when not calibrating).
    func forward(_ z: UnsafeMutablePointer<Float>, bins: UnsafePointer<Int32>, count n: Int) -> UnsafeMutablePointer<Float> {
        guard calibrating else { return z }
        let start = Clock.now()
        calibration.forward(z, bins: bins, count: n, into: calibrated.pointer)
        seconds += Clock.now() - start
        return calibrated.pointer
    }

    /// dz = dz' · s_b (the statistics are constants).
    func backward(_ dz: UnsafeMutablePointer<Float>, bins: UnsafePointer<Int32>, count n: Int) {
        guard calibrating else { return }
        let start = Clock.now()
        calibration.backward(dz, bins: bins, count: n)
        seconds += Clock.now() - start
    }

    /// Statistics from a checkpoint; the calibration follows from them.
    func restore(_ flat: [Double]) {
        statistics.assign(flat: flat)
        calibration.set(from: statistics, clip: config.clip)
    }

    /// The end-of-epoch statistics pass over this rank's shard of the training set.
    func endEpoch(_ epoch: Int, model: MLP, data: PreparedData, comm: Communicator) {
        guard epoch >= config.startUpdate else { return }
        let start = Clock.now()
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
        comm.allreduce(&sums)
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
        seconds += Clock.now() - start
    }
}
