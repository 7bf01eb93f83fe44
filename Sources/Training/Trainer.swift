// The data-parallel training loop of docs/protocol.md. One step reads top to bottom:
// gather, forward, loss, backward, reduce-and-update. Checkpoint state is in
// Trainer+Checkpoint.swift; how the gradients are summed is the Sync module's.
import Collectives
import DIR
import Datasets
import NN
import PRNG
import Settings
import Sync

/// One rank's replica: model, optimizer and every buffer a step needs, allocated
/// once. All ranks hold identical parameters after every step.
public final class Trainer {
    public let recipe: Recipe
    public let execution: Execution
    public let comm: Communicator
    public let data: PreparedData
    public let model: MLP
    public let optimizer: Optimizer
    /// Completed epochs (the next epoch to train).
    public internal(set) var epoch = 0
    /// Next step within the current epoch (non-zero after an interruption or a resume).
    public internal(set) var nextStep = 0
    /// Global Σ w·l of the current epoch's steps before `nextStep`.
    public internal(set) var carriedLossSum = 0.0
    /// Seconds per phase of the training steps on this rank, since the last reset.
    public private(set) var times = PhaseTimes()

    /// Feature distribution smoothing between the body and the head, when enabled.
    let fds: FeatureSmoothingLayer?
    let sync: GradientSync
    /// The recipe's loss, for targets as the model sees them (standardised or not).
    private let loss: Loss
    /// Balanced MSE in place of `loss`, with σ after the model's parameters.
    let balanced: BalancedLoss?
    /// The RankSim regulariser on the features before FDS.
    private let rankSim: RankSimTerm?
    private let batch: TrainingBatch
    private let faults: FaultInjection?

    public init(config: TrainingConfig, comm: Communicator, data: PreparedData) throws {
        recipe = config.recipe
        execution = config.execution
        self.comm = comm
        self.data = data
        let plan: SyncPlan
        do {
            plan = try SyncPlan.choose(
                requested: execution.sync, overlap: execution.overlap, exact: recipe.microBatch != nil, comm: comm)
        } catch {
            throw SettingError(.sync, "\(error.message)")
        }
        // The flat buffer: the model's parameters, then Balanced MSE's σ when it is on.
        let architecture = recipe.architecture
        let modelCount = MLP.parameterCount(
            inputSize: data.featureCount, architecture: architecture, edges: data.binEdges,
            categories: data.categories)
        let parameterCount = modelCount + (recipe.balancedMSE == nil ? 0 : 1)
        let globalBatch = comm.size * execution.batchSize
        let rowsPerRank = Self.mostRowsPerRank(recipe, globalBatch: globalBatch, ranks: comm.size)
        let microBatch = recipe.microBatch ?? 1
        sync = makeGradientSync(
            plan, comm: comm, parameterCount: parameterCount, bucketBytes: execution.bucketBytes,
            microBatch: microBatch, microBatchSlots: (rowsPerRank + microBatch - 1) / microBatch)
        model = MLP(
            inputSize: data.featureCount, architecture: architecture, edges: data.binEdges,
            categories: data.categories,
            maxBatch: max(recipe.microBatch ?? execution.batchSize, execution.evaluationBatch),
            params: FloatBuffer(borrowing: sync.parameters.pointer, count: modelCount, owner: sync.parameters),
            grads: FloatBuffer(borrowing: sync.gradients.pointer, count: modelCount, owner: sync.gradients))
        optimizer = Self.optimizer(recipe, parameterCount: parameterCount)
        batch = TrainingBatch(capacity: rowsPerRank, featureCount: data.featureCount, members: architecture.members)
        let (featureSize, maxBatch) = (model.featureSize, model.maxBatch)
        fds = config.recipe.fds.map {
            FeatureSmoothingLayer(
                config: $0, binCount: data.binning.count, featureSize: featureSize, maxBatch: maxBatch,
                chunk: config.execution.evaluationBatch, exact: config.recipe.microBatch != nil)
        }
        loss = config.recipe.loss.forTargets(dividedBy: data.targetScale.std)
        let (parameters, gradients) = (sync.parameters, sync.gradients)
        balanced = recipe.balancedMSE.map {
            BalancedLoss(
                $0, prior: data.labelPrior, scale: data.targetScale, parameters: parameters,
                gradients: gradients, sigmaIndex: modelCount, capacity: globalBatch)
        }
        if let settings = recipe.balancedMSE {
            // σ's own constant rate (0 keeps it fixed), in the units the model sees.
            let rate = settings.fixedSigma ? 0 : BalancedLoss.modelSigma(settings.sigmaLearningRate, data.targetScale)
            optimizer.constantRate = ConstantRate(range: modelCount..<parameterCount, rate: rate)
        }
        let seed = config.recipe.seed
        rankSim = config.recipe.rankSim.map {
            RankSimTerm($0, seed: seed, comm: comm, capacity: globalBatch, featureSize: featureSize)
        }
        faults = FaultInjection.fromEnvironment(rank: comm.rank)
        // Identical replicas: rank 0 draws the weights, everyone computes with them.
        if comm.isRoot {
            model.initialize(seed: recipe.seed)
            if let settings = recipe.balancedMSE {
                sync.parameters.pointer[modelCount] = BalancedLoss.modelSigma(settings.initialSigma, data.targetScale)
            }
        }
        sync.shareInitialParameters()
    }

    private static func optimizer(_ recipe: Recipe, parameterCount: Int) -> Optimizer {
        switch recipe.optimizer {
        case .adam, .adamw:
            return Adam(
                parameterCount: parameterCount, learningRate: Float(recipe.learningRate),
                weightDecay: Float(recipe.weightDecay), decoupled: recipe.optimizer == .adamw)
        case .sgd:
            return SGD(
                parameterCount: parameterCount, learningRate: Float(recipe.learningRate),
                momentum: Float(recipe.momentum), weightDecay: Float(recipe.weightDecay))
        }
    }

    public var globalBatch: Int { comm.size * execution.batchSize }

    /// How this run sums its gradients.
    public var syncPlan: SyncPlan { sync.plan }

    /// FDS statistics, when FDS is on.
    public var featureStatistics: FeatureStatistics? { fds?.statistics }

    /// This rank's parameters as the end-of-run replica check should see them: its own,
    /// or (fault injection `diverge`) one value moved by an ulp.
    public var parametersForReplicaCheck: [Float] {
        var values = parameters
        if faults?.kind == .diverge, !values.isEmpty { values[0] = values[0].nextUp }
        return values
    }

    /// Whether reproducible FDS statistics had to leave out a feature too large to sum exactly.
    public var fdsStatisticsOverflowed: Bool { fds?.statisticsOverflowed ?? false }

    /// Seconds of FDS work in the current epoch, by part (nil without FDS).
    public var fdsTimes: FDSTimes? { fds?.times }

    public func resetTimes() { times = PhaseTimes() }

    /// Sets the parameters on every rank (collective: all ranks pass the same values).
    public func setParameters(_ values: [Float]) { sync.setParameters(values) }

    /// Every trained value: the model's parameters, then σ with Balanced MSE.
    public var parameters: [Float] { sync.parameters.array }

    /// Balanced MSE's noise scale σ in the target's units (nil without Balanced MSE).
    public var sigma: Double? {
        balanced.map { Double(sync.parameters.pointer[$0.sigmaIndex]) * data.targetScale.std }
    }

    /// Balanced MSE's label prior (GAI's mixture, BNI's buckets) in the target's units.
    public var labelPrior: LabelPrior? { balanced?.userPrior }

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
    /// the feature statistics. All ranks stop at the same step: the stop signals travel
    /// with the gradient sum.
    public func trainEpoch() -> EpochResult {
        fds?.beginEpoch(epoch, midEpoch: nextStep > 0)
        let n = data.bundle.train.count
        let order = Self.permutation(count: n, seed: recipe.seed, epoch: epoch)
        let g = globalBatch
        let stepsPerEpoch = (n + g - 1) / g
        var lossSum = 0.0
        var step = nextStep
        var interruption: Interruption?
        order.withUnsafeBufferPointer { order in
            while interruption == nil && step * g < n {
                // Rank r's slice of the global batch: r·b..<(r+1)·b when the batch is full, or
                // its run of whole micro-batches (reproducible training).
                let start = step * g, count = min(g, n - start)
                let batch = UnsafeBufferPointer(rebasing: order[start..<(start + count)])
                let (first, last) = rowsOfRank(inBatchOf: count)
                optimizer.learningRate = learningRate(step: step, stepsPerEpoch: stepsPerEpoch)
                faults?.beforeStep(epoch: epoch, step: step, comm: comm)
                Watchdog.beat(epoch: epoch, step: step)
                let signals = self.step(batch, mine: first..<last, step: step, lossSum: &lossSum)
                if signals.nonFiniteLoss {
                    interruption = .nonFiniteLoss
                    break
                }
                step += 1
                if signals.preempted { interruption = .preempted }
            }
        }
        Watchdog.pause()
        let epochLossSum = comm.allreduce(lossSum) + carriedLossSum
        let fdsSeconds = fds?.times.total ?? 0
        if let interruption {
            nextStep = step
            carriedLossSum = epochLossSum
            return EpochResult(loss: .nan, fdsSeconds: fdsSeconds, interruption: interruption, step: step)
        }
        fds?.endEpoch(epoch, model: model, data: data, comm: comm)
        epoch += 1
        nextStep = 0
        carriedLossSum = 0
        return EpochResult(
            loss: epochLossSum / Double(n), fdsSeconds: fds?.times.total ?? 0, interruption: nil,
            step: step)
    }

    /// One optimisation step on this rank's rows `mine` of the global batch `rows`; adds
    /// this rank's Σ w·l (and rank 0 the regulariser's share) to `lossSum` and returns
    /// every rank's stop signals.
    private func step(_ rows: UnsafeBufferPointer<Int32>, mine: Range<Int>, step: Int, lossSum: inout Double)
        -> StepSignals
    {
        let n = mine.count, first = mine.lowerBound, globalCount = rows.count
        var clock = PhaseClock()
        // Gather: standardised rows x[n×in], targets y[n], weights w[n], bins[n]; RankSim's subset.
        batch.gather(UnsafeBufferPointer(rebasing: rows[mine]), from: data)
        rankSim?.choose(batch: rows, data: data, epoch: epoch, step: step) { self.rowsOf(rank: $0, inBatchOf: $1) }
        times.forward += clock.lap()
        // Forward and backward: the rank's rows as one product, or micro-batch by micro-batch,
        // each micro-batch's gradient kept for the exact sum.
        sync.beginStep(globalRows: globalCount)
        var batchLoss = 0.0
        if let m = recipe.microBatch {
            // RankSim needs the features of every kept row before any backward pass: a first
            // forward pass over the micro-batches collects them (the second recomputes them).
            var regularizer = 0.0
            if let rankSim {
                for offset in stride(from: 0, to: n, by: m) {
                    let count = min(m, n - offset)
                    let z = model.features(
                        batch.input + offset * data.featureCount, count: count,
                        dropout: dropoutMasks(rows, position: first + offset))
                    rankSim.collect(features: z, first: first + offset, count: count)
                }
                regularizer = rankSim.evaluateCollected()
            }
            lossSum += comm.isRoot ? regularizer * Double(globalCount) : 0
            for offset in stride(from: 0, to: n, by: m) {
                let count = min(m, n - offset)
                batchLoss += pass(rows, offset: offset, first: first, count: count, lossSum: &lossSum, clock: &clock)
                sync.backwardPassDone()
            }
        } else {
            batchLoss = pass(rows, offset: 0, first: first, count: n, lossSum: &lossSum, clock: &clock)
            sync.backwardPassDone()
        }
        // Reduce and update: the gradients summed over all ranks, the same optimizer step on
        // every rank (none when some loss was not finite), every rank's stop signals combined.
        let signals = sync.reduceAndUpdate(signals(loss: batchLoss, step: step), with: optimizer) {
            times.sync += clock.lap()
        }
        times.update += clock.lap()
        times.count(rows: n)
        return signals
    }

    /// Forward and backward over `count` gathered rows from `offset` (batch positions
    /// first + offset…): leaves their gradients in the sync's buffer, adds their Σ w·l
    /// (and rank 0 the regulariser's share) to `lossSum`, returns their loss.
    private func pass(
        _ rows: UnsafeBufferPointer<Int32>, offset: Int, first: Int, count n: Int, lossSum: inout Double,
        clock: inout PhaseClock
    ) -> Double {
        let globalCount = rows.count, position = first + offset
        let input = batch.input + offset * data.featureCount
        let (targets, weights, bins) = (batch.targets + offset, batch.weights + offset, batch.bins + offset)
        // Forward: z = body(x) (with dropout), RankSim's γ·R on z, z' = FDS calibration of z (training only), ŷ = head(z').
        let z = model.features(input, count: n, dropout: dropoutMasks(rows, position: position))
        // Reproducible training evaluated RankSim before its micro-batches (`step`).
        let regularizer = recipe.microBatch != nil ? 0 : rankSim?.evaluate(features: z, first: position, count: n) ?? 0
        let zc = fds?.forward(z, bins: bins, count: n) ?? z
        let prediction = model.head(zc, count: n)
        // Loss: Σ w·l(ŷ, y) / (global batch · members), so the sum over ranks is the gradient of
        // the global mean of the members' losses; the batch's loss is the members' mean.
        let members = model.members
        let scale = 1 / Double(globalCount * members)
        var memberLosses = 0.0
        for j in 0..<members {
            let p = prediction + j * n, dp = batch.dPrediction + j * n
            memberLosses +=
                balanced?.evaluate(
                    batch: rows, first: position, count: n, prediction: p, weights: weights, data: data,
                    scale: scale, dPrediction: dp, accumulate: j > 0)
                ?? loss.evaluate(
                    prediction: p, target: targets, weights: weights, count: n, scale: scale, dPrediction: dp)
        }
        let passLoss = memberLosses / Double(members)
        // γ·R is one number for the whole batch: rank 0 counts it, as the mean's share of every row.
        lossSum += passLoss + (comm.isRoot ? regularizer * Double(globalCount) : 0)
        times.forward += clock.lap()
        // Backward: head, calibration, RankSim, hidden layers; finished gradients may start their sum.
        let dz = model.backwardHead(zc, dPrediction: batch.dPrediction, count: n)
        sync.gradientsReady(prefix: model.headParameterCount)
        fds?.backward(dz, bins: bins, count: n)
        rankSim?.addGradient(into: dz, first: position, count: n)
        model.backwardFeatures(input, dFeatures: dz, count: n) { sync.gradientsReady(prefix: $0) }
        times.backward += clock.lap()
        return passLoss
    }

    /// This rank's rows of a global batch of `count`.
    private func rowsOfRank(inBatchOf count: Int) -> (Int, Int) {
        let mine = rowsOf(rank: comm.rank, inBatchOf: count)
        return (mine.lowerBound, mine.upperBound)
    }

    /// Rank r's rows of a global batch of `count`: an even share, or with micro-batches a
    /// contiguous run of whole micro-batches.
    private func rowsOf(rank r: Int, inBatchOf count: Int) -> Range<Int> {
        guard let m = recipe.microBatch else { return (r * count / comm.size)..<((r + 1) * count / comm.size) }
        let microBatches = (count + m - 1) / m
        let mine = (r * microBatches / comm.size)..<((r + 1) * microBatches / comm.size)
        return min(mine.lowerBound * m, count)..<min(mine.upperBound * m, count)
    }

    /// Dropout's masks for the batch rows from `position` (nil without dropout).
    private func dropoutMasks(_ rows: UnsafeBufferPointer<Int32>, position: Int) -> DropoutMasks? {
        recipe.dropout.map {
            DropoutMasks(rate: Float($0), seed: recipe.seed, epoch: epoch, rows: rows.baseAddress! + position)
        }
    }

    /// The most rows of a global batch any rank takes.
    private static func mostRowsPerRank(_ recipe: Recipe, globalBatch: Int, ranks: Int) -> Int {
        guard let m = recipe.microBatch else { return globalBatch / ranks }
        let microBatches = (globalBatch + m - 1) / m
        return (microBatches + ranks - 1) / ranks * m
    }

    /// The scheduled rate of `step` in the current epoch.
    private func learningRate(step: Int, stepsPerEpoch: Int) -> Float {
        Float(recipe.learningRate * recipe.schedule.factor(epoch: epoch, step: step, stepsPerEpoch: stepsPerEpoch))
    }

    /// This rank's stop requests for the step: a preemption signal, or a loss that is
    /// not finite (or that fault injection declares so).
    private func signals(loss: Double, step: Int) -> StepSignals {
        let poisoned = faults?.poisonsLoss(epoch: epoch, step: step) ?? false
        return StepSignals(preempted: Preemption.requested, nonFiniteLoss: !loss.isFinite || poisoned)
    }
}
