// The data-parallel training loop of DESIGN §6. One step reads top to bottom:
// gather, forward, loss, backward, one allreduce of the fused gradient, update.
import Collectives
import DIR
import Datasets
import NN
import PRNG

/// One rank's replica: model, optimizer and every buffer a step needs, allocated
/// once. All ranks hold identical parameters after every step.
public final class Trainer {
    public let config: TrainingConfig
    public let comm: Communicator
    public let data: PreparedData
    public let model: MLP
    public let optimizer: Optimizer
    /// Completed epochs (the next epoch to train).
    public private(set) var epoch = 0

    private let input: FloatBuffer
    private let targets: FloatBuffer
    private let weights: FloatBuffer
    private let dPrediction: FloatBuffer
    private let rows: UnsafeMutableBufferPointer<Int32>
    private let bins: UnsafeMutableBufferPointer<Int32>
    /// Feature distribution smoothing between the body and the head, when enabled.
    let fds: FeatureSmoothingLayer?

    public var globalBatch: Int { comm.size * config.batchSize }

    public init(config: TrainingConfig, comm: Communicator, data: PreparedData) {
        self.config = config
        self.comm = comm
        self.data = data
        let b = config.batchSize
        let model = MLP(inputSize: data.featureCount, hiddenSizes: config.hidden,
                        maxBatch: max(b, config.evaluationBatch))
        self.model = model
        switch config.optimizer {
        case .adam:
            optimizer = Adam(parameterCount: model.parameterCount, learningRate: Float(config.learningRate),
                             weightDecay: Float(config.weightDecay))
        case .sgd:
            optimizer = SGD(parameterCount: model.parameterCount, learningRate: Float(config.learningRate),
                            momentum: Float(config.momentum), weightDecay: Float(config.weightDecay))
        }
        input = FloatBuffer(count: b * data.featureCount)
        targets = FloatBuffer(count: b)
        weights = FloatBuffer(count: b)
        dPrediction = FloatBuffer(count: b)
        rows = .allocate(capacity: b)
        bins = .allocate(capacity: b)
        fds = config.fds.map {
            FeatureSmoothingLayer(config: $0, binCount: data.binning.count, featureSize: model.featureSize,
                                  maxBatch: model.maxBatch)
        }
        // Identical replicas: rank 0 draws the weights, everyone receives them.
        if comm.isRoot { model.initialize(seed: config.seed) }
        comm.broadcast(model.params.buffer)
    }

    deinit {
        rows.deallocate()
        bins.deallocate()
    }

    /// FDS statistics, when FDS is on.
    public var featureStatistics: FeatureStatistics? { fds?.statistics }

    /// The epoch's global order: a permutation of the training rows from (seed, epoch),
    /// the same on every rank.
    public static func permutation(count: Int, seed: UInt64, epoch: Int) -> [Int32] {
        var rng = Xoshiro256(seed: seed, stream: 0x5EED_0000 &+ UInt64(epoch))
        return rng.permutation(count)
    }

    public struct EpochResult {
        /// Global mean weighted training loss.
        public let loss: Double
        /// Seconds this rank spent on FDS (calibration, statistics pass, sync).
        public let fdsSeconds: Double
    }

    /// Trains one epoch, then (with FDS) updates the feature statistics.
    public func trainEpoch() -> EpochResult {
        fds?.beginEpoch(epoch)
        let n = data.bundle.train.count
        let order = Self.permutation(count: n, seed: config.seed, epoch: epoch)
        let g = globalBatch
        var lossSum = 0.0
        order.withUnsafeBufferPointer { order in
            var start = 0
            while start < n {
                let batch = min(g, n - start)
                // Rank r's slice of the global batch; r·b.. when the batch is full.
                let lo = start + comm.rank * batch / comm.size
                let hi = start + (comm.rank + 1) * batch / comm.size
                lossSum += step(UnsafeBufferPointer(rebasing: order[lo..<hi]), globalCount: batch)
                start += batch
            }
        }
        fds?.endEpoch(epoch, model: model, data: data, comm: comm)
        epoch += 1
        return EpochResult(loss: comm.allreduce(lossSum) / Double(n), fdsSeconds: fds?.seconds ?? 0)
    }

    /// One optimisation step on this rank's `slice` of a global batch of `globalCount`
    /// rows. Returns this rank's Σ w_i l_i.
    private func step(_ slice: UnsafeBufferPointer<Int32>, globalCount: Int) -> Double {
        let count = slice.count
        let train = data.bundle.train
        // Gather: standardised rows, targets and weights, contiguous.
        for (k, row) in slice.enumerated() {
            rows[k] = row
            bins[k] = data.trainBins[Int(row)]
            targets.pointer[k] = data.trainTargets[Int(row)]
            weights.pointer[k] = data.trainWeights[Int(row)]
        }
        train.features.gather(UnsafeBufferPointer(rebasing: rows[0..<count]), mean: data.mean,
                              invStd: data.invStd, into: input.pointer)
        // Forward: z = body(x), z' = FDS calibration (training only), ŷ = head(z').
        let z = model.features(input.pointer, count: count)
        let zc = fds?.forward(z, bins: bins.baseAddress!, count: count) ?? z
        let prediction = model.head(zc, count: count)
        // Loss: the gradient of the mean over the *global* batch, so the
        // allreduced sum is exactly the gradient of that mean.
        let lossSum = config.loss.evaluate(
            prediction: prediction, target: targets.pointer, weights: weights.pointer, count: count,
            scale: 1 / Double(globalCount), dPrediction: dPrediction.pointer)
        // Backward: head, calibration, then the hidden layers.
        let dz = model.backwardHead(zc, dPrediction: dPrediction.pointer, count: count)
        fds?.backward(dz, bins: bins.baseAddress!, count: count)
        model.backwardFeatures(input.pointer, dFeatures: dz, count: count)
        // One allreduce of the whole flat gradient buffer.
        comm.allreduce(model.grads.buffer)
        optimizer.step(params: model.params, grads: model.grads)
        return lossSum
    }
}
