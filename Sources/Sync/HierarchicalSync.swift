// The gradient sum across several nodes, each with several ranks: shared memory within
// a node, an allreduce of one shard across nodes (the pattern of Horovod's hierarchical
// allreduce). Every rank writes its gradients into its node's shared window; after one
// barrier, the rank with local index r sums shard r of its node's segments, and the
// ranks with local index r on all nodes (one communicator per shard index) allreduce
// that shard. Each then applies the optimizer to shard r of its node's one parameter
// copy, and a second barrier publishes the update. A node sends 1/L of the gradients
// per rank (L ranks a node) instead of all of them, and the per-step messages between
// nodes run in L communicators at once.
import Collectives
import NN

final class HierarchicalSync: GradientSync {
    let plan = SyncPlan(.hierarchical)
    let parameters: FloatBuffer
    let gradients: FloatBuffer
    /// This node's ranks, and the window their gradients and parameters live in.
    private let node: Communicator
    private let local: NodeWindow
    private var window: SharedSegments { local.window }
    /// The ranks with this rank's local index on every node: they own the same shard.
    private let peers: Communicator
    /// This rank's shard (at its own offsets) summed over its node, then over all nodes,
    /// with the signals right after it; the rest of the buffer is unused.
    private let reduced: FloatBuffer
    private var shard: Range<Int> { local.offsets[node.rank]..<local.offsets[node.rank + 1] }

    /// Every node must hold the same number of ranks (the choice checks it).
    init(comm: Communicator, parameterCount n: Int) {
        node = comm.splitByNode()
        peers = comm.split(color: node.rank)
        local = NodeWindow(node: node, parameterCount: n)
        parameters = local.parameters
        gradients = FloatBuffer(borrowing: local.gradients[node.rank], count: n, owner: local.window)
        reduced = FloatBuffer(count: n + StepSignals.slotCount)
    }

    /// Posts the signals, sums this rank's shard over the node (local rank order), then
    /// over the nodes together with the node's combined signals; updates this rank's
    /// shard of the node's parameters from it and waits for the node's other shards.
    func reduceAndUpdate(_ signals: StepSignals, with optimizer: Optimizer, summed: () -> Void) -> StepSignals {
        let nodeSignals = local.post(signals, rank: node.rank)
        let (lo, count) = (shard.lowerBound, shard.count)
        let out = reduced.pointer + lo
        out.update(from: local.gradients[0] + lo, count: count)
        for q in 1..<node.size {
            let g = local.gradients[q] + lo
            for i in 0..<count { out[i] += g[i] }
        }
        // The slots right after this shard's values: one message per step between nodes.
        nodeSignals.write(to: out + count)
        peers.allreduce(UnsafeMutableBufferPointer(start: out, count: count + StepSignals.slotCount))
        summed()
        let combined = StepSignals(slots: out + count)
        guard !combined.nonFiniteLoss else { return combined }
        optimizer.step(params: parameters.pointer, grads: reduced.pointer, range: shard)
        window.synchronize()
        return combined
    }

    /// Each rank's state is current on its shard only (the same on every node): gather
    /// the shards within the node.
    func gatherOptimizerState(_ optimizer: Optimizer) {
        for state in optimizer.stateBuffers { node.allgather(state.buffer, offsets: local.offsets) }
    }

    /// World rank 0 has written the initial parameters into its node's copy; the first
    /// rank of every node (the communicator of local index 0) receives them.
    func shareInitialParameters() {
        window.synchronize()
        if node.isRoot { peers.broadcast(parameters.buffer) }
        window.synchronize()
    }

    /// One copy per node: its first rank writes it, the others wait for it.
    func setParameters(_ values: [Float]) {
        if node.isRoot { parameters.assign(values) }
        window.synchronize()
    }
}
