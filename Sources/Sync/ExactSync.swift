// The gradient sum of reproducible training: each backward pass covers one micro-batch,
// whose gradient ExactSum keeps; the step's sum over every rank's micro-batches is exact
// (ExactSum.swift), so every rank takes the same optimizer step on its own copy of the
// parameters, with the same bits whatever the number of ranks.
import Collectives
import NN

final class ExactSync: GradientSync {
    let plan = SyncPlan(.exact)
    let parameters: FloatBuffer
    let gradients: FloatBuffer
    private let comm: Communicator
    private let exact: ExactSum
    private let microBatch: Int
    /// Micro-batches in this step's global batch (the sum's headroom).
    private var microBatches = 1

    /// `slots`: the most micro-batches one rank takes in a step.
    init(comm: Communicator, parameterCount n: Int, microBatch: Int, slots: Int) {
        self.comm = comm
        self.microBatch = max(microBatch, 1)
        parameters = FloatBuffer(count: n)
        gradients = FloatBuffer(count: n)
        exact = ExactSum(count: n, slots: slots, comm: comm)
    }

    func beginStep(globalRows: Int) {
        microBatches = (globalRows + microBatch - 1) / microBatch
    }

    func backwardPassDone() { exact.add(gradients.pointer) }

    func reduceAndUpdate(_ signals: StepSignals, with optimizer: Optimizer, summed: () -> Void) -> StepSignals {
        let combined = exact.sum(into: gradients.pointer, microBatches: microBatches, signals: signals)
        summed()
        if !combined.nonFiniteLoss { optimizer.step(params: parameters, grads: gradients) }
        return combined
    }

    /// Every rank updated every parameter: the state is already whole.
    func gatherOptimizerState(_ optimizer: Optimizer) {}

    func shareInitialParameters() { comm.broadcast(parameters.buffer) }

    func setParameters(_ values: [Float]) { parameters.assign(values) }
}
