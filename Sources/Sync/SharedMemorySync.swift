// The gradient sum and update through MPI-3 shared memory, for ranks on one node.
// Every rank writes its gradients into its own shared segment; after one barrier
// rank r reads shard r of every segment, sums it, and applies the optimizer to
// shard r of the one parameter copy that all ranks compute with; a second barrier
// publishes the update. No gradient or parameter bytes travel as messages, and each
// rank does 1/P of the optimizer's work (its optimizer state is current for its
// shard only; `gatherOptimizerState` completes it for checkpoints).
import Collectives
import NN

final class SharedMemorySync: GradientSync {
    let plan = SyncPlan(.shared)
    let parameters: FloatBuffer
    let gradients: FloatBuffer
    private let comm: Communicator
    private let node: NodeWindow
    private var window: SharedSegments { node.window }
    /// Every rank's gradient segment as the optimizer reads them (allocated once, not per step).
    private let summands: UnsafeMutableBufferPointer<UnsafePointer<Float>>
    /// Shard boundaries: rank r updates offsets[r]..<offsets[r + 1].
    var offsets: [Int] { node.offsets }
    private var shard: Range<Int> { offsets[comm.rank]..<offsets[comm.rank + 1] }

    init(comm: Communicator, parameterCount n: Int) {
        precondition(comm.size > 1, "the shared-memory sum is for two or more ranks, got \(comm.size)")
        self.comm = comm
        node = NodeWindow(node: comm, parameterCount: n)
        parameters = node.parameters
        gradients = FloatBuffer(borrowing: node.gradients[comm.rank], count: n, owner: node.window)
        summands = .allocate(capacity: comm.size)
        for (q, g) in node.gradients.enumerated() { summands[q] = UnsafePointer(g) }
    }

    deinit { summands.deallocate() }

    /// Posts this rank's signals after its gradients and waits until every rank has
    /// written both; then updates this rank's shard of the shared parameters with the
    /// sum of every rank's gradients, read as the optimizer goes (rank order, so every
    /// run adds alike: the sum exists only inside the update), and waits for the other
    /// shards.
    func reduceAndUpdate(_ signals: StepSignals, with optimizer: Optimizer, summed: () -> Void) -> StepSignals {
        let combined = node.post(signals, rank: comm.rank)
        summed()
        guard !combined.nonFiniteLoss else { return combined }
        optimizer.step(params: parameters.pointer, summing: UnsafeBufferPointer(summands), range: shard)
        window.synchronize()
        return combined
    }

    /// Each rank's state is current on its shard only: gather the shards everywhere.
    func gatherOptimizerState(_ optimizer: Optimizer) {
        for state in optimizer.stateBuffers { comm.allgather(state.buffer, offsets: offsets) }
    }

    func shareInitialParameters() {
        window.synchronize()
    }

    /// One copy of the parameters: rank 0 writes it, the others wait for it.
    func setParameters(_ values: [Float]) {
        if comm.isRoot { parameters.assign(values) }
        window.synchronize()
    }
}
