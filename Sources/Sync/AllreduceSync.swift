// The gradient sum as an allreduce: either one allreduce of the whole fused buffer
// after backward, or buckets started (MPI_Iallreduce) as soon as backward has
// finished them, last layer first, and driven forward between layers.
import Collectives
import NN

/// Sums the flat gradient buffer, with the step signals riding in two slots after it,
/// over all ranks; every rank then takes the same optimizer step on its own copy of the
/// parameters. The buffer is laid out head first, so finished gradients form a growing prefix.
final class AllreduceSync: GradientSync {
    let plan: SyncPlan
    let parameters: FloatBuffer
    let gradients: FloatBuffer
    private let comm: Communicator
    /// The gradients followed by the signal slots: what the allreduce moves.
    private let reduced: FloatBuffer
    private let bucketElements: Int
    private var pending: [PendingReduction]
    /// Start of the gradients not yet handed to a bucket.
    private var started = 0

    init(comm: Communicator, parameterCount n: Int, plan: SyncPlan, bucketBytes: Int) {
        self.comm = comm
        self.plan = plan
        parameters = FloatBuffer(count: n)
        reduced = FloatBuffer(count: n + StepSignals.slotCount)
        gradients = FloatBuffer(borrowing: reduced.pointer, count: n, owner: reduced)
        bucketElements = max(1, bucketBytes / MemoryLayout<Float>.stride)
        pending = []
        pending.reserveCapacity(64)
    }

    func beginStep(globalRows: Int) {
        started = 0
        pending.removeAll(keepingCapacity: true)
    }

    /// Starts a bucket once enough gradients are ready, and lets earlier buckets progress.
    func gradientsReady(prefix: Int) {
        guard plan.overlapped else { return }
        if prefix - started >= bucketElements {
            pending.append(comm.startAllreduce(UnsafeMutableBufferPointer(rebasing: reduced.buffer[started..<prefix])))
            started = prefix
        }
        for i in pending.indices { _ = pending[i].test() }
    }

    /// Reduces what is left (with the signal slots), waits for everything, and takes the
    /// optimizer step on this rank's whole copy of the parameters.
    func reduceAndUpdate(_ signals: StepSignals, with optimizer: Optimizer, summed: () -> Void) -> StepSignals {
        let slots = reduced.pointer + parameters.count
        signals.write(to: slots)
        if plan.overlapped {
            pending.append(comm.startAllreduce(UnsafeMutableBufferPointer(rebasing: reduced.buffer[started...])))
            for i in pending.indices { pending[i].wait() }
        } else {
            comm.allreduce(reduced.buffer)
        }
        summed()
        let combined = StepSignals(slots: slots)
        if !combined.nonFiniteLoss { optimizer.step(params: parameters, grads: gradients) }
        return combined
    }

    /// Every rank updated every parameter: the state is already whole.
    func gatherOptimizerState(_ optimizer: Optimizer) {}

    func shareInitialParameters() {
        comm.broadcast(parameters.buffer)
    }

    func setParameters(_ values: [Float]) {
        parameters.assign(values)
    }
}
