// A trainer's state as a checkpoint and back: position, parameters, optimizer state,
// FDS statistics and the model selection so far. The file format is Checkpoints'.
import Checkpoints
import DIR

/// The epoch with the lowest validation MAE so far (0: none yet): for early stopping,
/// and under `--select best` with its parameters, which are tested at the end.
public struct Selection: Sendable {
    public var epoch: Int
    public var mae = Double.infinity
    public var parameters = [Float]()

    public init(epoch: Int = 0, mae: Double = .infinity, parameters: [Float] = []) {
        self.epoch = epoch
        self.mae = mae
        self.parameters = parameters
    }
}

extension Trainer {
    /// The state to save. Every rank takes part (the FDS online sums are reduced, the
    /// optimizer state shards gathered); only rank 0 gets the checkpoint.
    public func checkpoint(identity: [UInt8], selection: Selection) -> Checkpoint? {
        let partialSums = fds?.partialSums(comm) ?? []
        sync.gatherOptimizerState(optimizer)
        guard comm.isRoot else { return nil }
        var c = Checkpoint(
            identity: identity, dataFingerprint: data.fingerprint, weightsFingerprint: data.weightsFingerprint,
            epoch: epoch, step: nextStep, epochLossSum: carriedLossSum, seed: recipe.seed,
            parameters: parameters, optimizerSteps: optimizer.stepCount,
            optimizerState: optimizer.stateBuffers.map { $0.array }, featureStatistics: fds?.statistics.flat ?? [],
            bestEpoch: selection.epoch, bestMAE: selection.mae, bestParameters: selection.parameters,
            fdsPartialSums: partialSums)
        c.labelPrior = labelPrior?.flat ?? []
        return c
    }

    /// Continues from `c` (already checked to belong to this configuration and data).
    public func restore(_ c: Checkpoint) {
        setParameters(c.parameters)
        for (buffer, values) in zip(optimizer.stateBuffers, c.optimizerState) { buffer.assign(values) }
        optimizer.stepCount = c.optimizerSteps
        epoch = c.epoch
        nextStep = c.step
        carriedLossSum = c.epochLossSum
        if let fds, !c.featureStatistics.isEmpty { fds.restore(c.featureStatistics) }
        fds?.restorePartialSums(c.fdsPartialSums, isRoot: comm.isRoot)
        if let balanced, !c.labelPrior.isEmpty { balanced.restore(prior: LabelPrior(flat: c.labelPrior)) }
    }
}
