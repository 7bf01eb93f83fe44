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
    /// Next step within the current epoch (non-zero after an interruption or a resume).
    public private(set) var nextStep = 0
    /// Global Σ w·l of the current epoch's steps before `nextStep`.
    public private(set) var carriedLossSum = 0.0
    private let faults: FaultInjection?

    private let input: FloatBuffer
    private let targets: FloatBuffer
    private let weights: FloatBuffer
    private let dPrediction: FloatBuffer
    private let rows: UnsafeMutableBufferPointer<Int32>
    private let bins: UnsafeMutableBufferPointer<Int32>
    /// Feature distribution smoothing between the body and the head, when enabled.
    let fds: FeatureSmoothingLayer?
    private let reducer: GradientSync
    /// Which rows of a global batch each rank takes.
    private var split: BatchSplit

    /// Seconds per phase of the training steps, summed on this rank since the last reset.
    public struct PhaseTimes {
        public var steps = 0
        /// Training rows this rank computed.
        public var rows = 0
        public var forward = 0.0
        public var backward = 0.0
        /// Waiting for the gradient sum after backward (the whole allreduce without overlap;
        /// with shared memory, the barrier: waiting for the slowest rank).
        public var reduceWait = 0.0
        /// The update (with shared memory: summing this rank's shard, then the barrier).
        public var optimizer = 0.0
    }
    public private(set) var times = PhaseTimes()
    public func resetTimes() { times = PhaseTimes() }

    public var globalBatch: Int { comm.size * config.batchSize }

    public init(config: TrainingConfig, comm: Communicator, data: PreparedData) {
        self.config = config
        self.comm = comm
        self.data = data
        let b = config.batchSize
        // Balancing may give a rank up to twice its even share of a global batch.
        let capacity = config.balance ? min(comm.size, 2) * b : b
        split = BatchSplit(ranks: comm.size, capacity: capacity, balanced: config.balance && comm.size > 1)
        // Two stop flags, then (balancing) each rank's seconds per row.
        let slots = 2 + (split.balanced ? comm.size : 0)
        let parameterCount = MLP.parameterCount(inputSize: data.featureCount, hiddenSizes: config.hidden)
        let reducer: GradientSync
        if config.usesSharedMemory(comm) {
            reducer = SharedMemoryReducer(comm: comm, parameterCount: parameterCount, reductionSlots: slots)
        } else {
            reducer = GradientReducer(comm: comm, parameterCount: parameterCount, reductionSlots: slots,
                                      overlap: config.overlap, bucketBytes: config.bucketBytes)
        }
        self.reducer = reducer
        let model = MLP(inputSize: data.featureCount, hiddenSizes: config.hidden,
                        maxBatch: max(capacity, config.evaluationBatch), reductionSlots: slots,
                        params: reducer.params, grads: reducer.gradients)
        self.model = model
        switch config.optimizer {
        case .adam:
            optimizer = Adam(parameterCount: model.parameterCount, learningRate: Float(config.learningRate),
                             weightDecay: Float(config.weightDecay))
        case .sgd:
            optimizer = SGD(parameterCount: model.parameterCount, learningRate: Float(config.learningRate),
                            momentum: Float(config.momentum), weightDecay: Float(config.weightDecay))
        }
        input = FloatBuffer(count: capacity * data.featureCount)
        targets = FloatBuffer(count: capacity)
        weights = FloatBuffer(count: capacity)
        dPrediction = FloatBuffer(count: capacity)
        rows = .allocate(capacity: capacity)
        faults = FaultInjection.fromEnvironment(rank: comm.rank)
        bins = .allocate(capacity: capacity)
        fds = config.fds.map {
            FeatureSmoothingLayer(config: $0, binCount: data.binning.count, featureSize: model.featureSize,
                                  maxBatch: model.maxBatch)
        }
        // Identical replicas: rank 0 draws the weights, everyone receives them.
        if comm.isRoot { model.initialize(seed: config.seed) }
        reducer.shareInitialParameters()
    }

    deinit {
        rows.deallocate()
        bins.deallocate()
    }

    /// The state to save: position, parameters, optimizer and FDS statistics. Every
    /// rank takes part (the FDS online sums are reduced); only rank 0 gets the copy.
    func checkpoint(identity: [UInt8], selection: Selection) -> Checkpoint? {
        let partialSums = fds?.partialSums(comm) ?? []
        reducer.gatherOptimizerState(optimizer)
        guard comm.isRoot else { return nil }
        return Checkpoint(identity: identity, dataFingerprint: data.fingerprint, weightsFingerprint: data.weightsFingerprint,
                          epoch: epoch, step: nextStep, epochLossSum: carriedLossSum, seed: config.seed,
                          parameters: model.params.array, optimizerSteps: optimizer.stepCount,
                          optimizerState: optimizer.stateBuffers.map { $0.array },
                          featureStatistics: fds?.statistics.flat ?? [], bestEpoch: selection.epoch,
                          bestMAE: selection.mae, bestParameters: selection.parameters,
                          fdsPartialSums: partialSums)
    }

    /// Continues from `c` (already checked to belong to this configuration and data).
    func restore(_ c: Checkpoint) {
        setParameters(c.parameters)
        for (buffer, values) in zip(optimizer.stateBuffers, c.optimizerState) { buffer.assign(values) }
        optimizer.stepCount = c.optimizerSteps
        epoch = c.epoch
        nextStep = c.step
        carriedLossSum = c.epochLossSum
        if let fds, !c.featureStatistics.isEmpty { fds.restore(c.featureStatistics) }
        fds?.restorePartialSums(c.fdsPartialSums, isRoot: comm.isRoot)
    }

    /// Sets the parameters on every rank (collective: all ranks pass the same values).
    public func setParameters(_ values: [Float]) {
        reducer.setParameters(values)
    }

    /// Mean training rows per step of every rank, since the start (collective).
    public func rowsPerStepByRank() -> [Double] {
        var rows = [Double](repeating: 0, count: comm.size)
        rows[comm.rank] = Double(times.rows) / Double(max(times.steps, 1))
        comm.allreduce(&rows)
        return rows
    }

    /// How the gradients are summed: "shared-memory", "allreduce" or "overlapped-allreduce".
    public var gradientSync: String { reducer.name }

    /// FDS statistics, when FDS is on.
    public var featureStatistics: FeatureStatistics? { fds?.statistics }

    /// The epoch's global order: a permutation of the training rows from (seed, epoch),
    /// the same on every rank.
    public static func permutation(count: Int, seed: UInt64, epoch: Int) -> [Int32] {
        var rng = Xoshiro256(seed: seed, stream: 0x5EED_0000 &+ UInt64(epoch))
        return rng.permutation(count)
    }

    public enum Interruption: Equatable, Sendable {
        /// A rank received SIGUSR1 or SIGTERM; the step was completed.
        case preempted
        /// A rank's loss was NaN or infinite; the step was not applied.
        case nonFiniteLoss
    }

    public struct EpochResult {
        /// Global mean weighted training loss (NaN when interrupted).
        public let loss: Double
        /// Seconds this rank spent on FDS (calibration, statistics pass, sync).
        public let fdsSeconds: Double
        /// Why the epoch stopped early, and at which step (0-based within the epoch).
        public let interruption: Interruption?
        public let step: Int
    }

    /// Trains the rest of the current epoch (from `nextStep`), then (with FDS) updates
    /// the feature statistics. All ranks stop at the same step: the stop flags travel
    /// in the gradient allreduce.
    public func trainEpoch() -> EpochResult {
        fds?.beginEpoch(epoch, midEpoch: nextStep > 0)
        let n = data.bundle.train.count
        let order = Self.permutation(count: n, seed: config.seed, epoch: epoch)
        let g = globalBatch
        var lossSum = 0.0
        var step = nextStep
        var interruption: Interruption?
        order.withUnsafeBufferPointer { order in
            while step * g < n {
                let start = step * g
                let batch = min(g, n - start)
                // Rank r's slice of the global batch; r·b.. when the batch is full.
                split.split(batch)
                let lo = start + split.offsets[comm.rank]
                let hi = start + split.offsets[comm.rank + 1]
                Watchdog.beat(epoch: epoch, step: step)
                faults?.beforeStep(epoch: epoch, step: step)
                let outcome = self.step(UnsafeBufferPointer(rebasing: order[lo..<hi]), globalCount: batch,
                                        step: step)
                lossSum += outcome.lossSum
                if outcome.nonFinite {
                    interruption = .nonFiniteLoss
                    break
                }
                step += 1
                if outcome.preempted {
                    interruption = .preempted
                    break
                }
            }
        }
        Watchdog.pause()
        let epochLossSum = comm.allreduce(lossSum) + carriedLossSum
        if let interruption {
            nextStep = step
            carriedLossSum = epochLossSum
            return EpochResult(loss: .nan, fdsSeconds: fds?.seconds ?? 0, interruption: interruption, step: step)
        }
        fds?.endEpoch(epoch, model: model, data: data, comm: comm)
        epoch += 1
        nextStep = 0
        carriedLossSum = 0
        return EpochResult(loss: epochLossSum / Double(n), fdsSeconds: fds?.seconds ?? 0, interruption: nil, step: step)
    }

    /// One optimisation step on this rank's `slice` of a global batch of `globalCount` rows.
    private func step(_ slice: UnsafeBufferPointer<Int32>, globalCount: Int, step: Int)
        -> (lossSum: Double, nonFinite: Bool, preempted: Bool) {
        let count = slice.count
        let train = data.bundle.train
        let t0 = Clock.now()
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
        faults?.duringStep()
        // Loss: the gradient of the mean over the *global* batch, so the
        // allreduced sum is exactly the gradient of that mean.
        var lossSum = config.loss.evaluate(
            prediction: prediction, target: targets.pointer, weights: weights.pointer, count: count,
            scale: 1 / Double(globalCount), dPrediction: dPrediction.pointer)
        if faults?.poisonsLoss(epoch: epoch, step: step) == true { lossSum = .nan }
        // Two slots after the gradients carry this rank's stop flags through the
        // same reduction, so every rank learns of a signal or a bad loss at once.
        let flags = model.grads.pointer + model.parameterCount
        flags[0] = Preemption.requested ? 1 : 0
        flags[1] = lossSum.isFinite ? 0 : 1
        let t1 = Clock.now()
        // Backward: head, calibration, then the hidden layers; with overlap, finished
        // gradients start their allreduce (buckets, last layer first) while backward goes on.
        reducer.begin()
        let dz = model.backwardHead(zc, dPrediction: dPrediction.pointer, count: count)
        reducer.ready(prefix: model.headLayer.parameterCount)
        fds?.backward(dz, bins: bins.baseAddress!, count: count)
        let reducer = self.reducer
        model.backwardFeatures(input.pointer, dFeatures: dz, count: count) { reducer.ready(prefix: $0) }
        let t2 = Clock.now()
        if split.balanced {
            // This rank's compute speed travels with the gradients to every rank.
            for r in 0..<comm.size { flags[2 + r] = 0 }
            flags[2 + comm.rank] = count > 0 ? Float((t2 - t0) / Double(count)) : 0
        }
        let stop = reducer.finish()
        let t3 = Clock.now()
        if split.balanced { split.observe { reducer.slot(2 + $0, of: $0) } }
        if !stop.nonFiniteLoss { reducer.apply(optimizer) }
        let t4 = Clock.now()
        times.steps += 1
        times.rows += count
        times.forward += t1 - t0
        times.backward += t2 - t1
        times.reduceWait += t3 - t2
        times.optimizer += t4 - t3
        return (lossSum, stop.nonFiniteLoss, stop.preempted)
    }
}
