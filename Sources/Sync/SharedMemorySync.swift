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
    let kind = SyncKind.sharedMemory
    let parameters: FloatBuffer
    let gradients: FloatBuffer
    private let comm: Communicator
    private let window: SharedSegments
    /// Every rank's gradient segment, rank order; the step signals follow the gradients.
    private let peerGradients: [UnsafeMutablePointer<Float>]
    /// The same segments as the optimizer reads them (allocated once, not per step).
    private let summands: UnsafeMutableBufferPointer<UnsafePointer<Float>>
    /// Shard boundaries: rank r updates offsets[r]..<offsets[r + 1].
    let offsets: [Int]
    private var shard: Range<Int> { offsets[comm.rank]..<offsets[comm.rank + 1] }

    init(comm: Communicator, parameterCount n: Int) {
        precondition(comm.size > 1, "the shared-memory sum is for two or more ranks, got \(comm.size)")
        self.comm = comm
        // Rank 0's segment holds the parameters, then its gradients; other ranks hold
        // their gradients only. Lengths are rounded to 16 Floats (64-byte lines), so
        // no two ranks write to one cache line.
        let parameterSpan = Self.roundUp(n)
        let gradientSpan = Self.roundUp(n + StepSignals.slotCount)
        let window = comm.sharedSegments(count: (comm.isRoot ? parameterSpan : 0) + gradientSpan)
        self.window = window
        parameters = FloatBuffer(borrowing: window.segment(0), count: n, owner: window)
        peerGradients = (0..<comm.size).map { window.segment($0) + ($0 == 0 ? parameterSpan : 0) }
        gradients = FloatBuffer(borrowing: peerGradients[comm.rank], count: n, owner: window)
        let shardLength = Self.roundUp((n + comm.size - 1) / comm.size)
        offsets = (0...comm.size).map { min(n, $0 * shardLength) }
        summands = .allocate(capacity: comm.size)
        for (q, g) in peerGradients.enumerated() { summands[q] = UnsafePointer(g) }
    }

    deinit { summands.deallocate() }

    private static func roundUp(_ count: Int) -> Int { (count + 15) / 16 * 16 }

    func beginBackward() {}
    func gradientsReady(prefix: Int) {}

    /// Posts this rank's signals after its gradients, waits until every rank has
    /// written both, then combines every rank's signals. The gradient shards are
    /// summed in `update`, where each rank needs only its own.
    func sum(_ signals: StepSignals) -> StepSignals {
        signals.write(to: peerGradients[comm.rank] + parameters.count)
        window.synchronize()
        return peerGradients.reduce(signals) { $0.merged(with: StepSignals(slots: $1 + parameters.count)) }
    }

    /// Updates this rank's shard of the shared parameters with the sum of every rank's
    /// gradients, read as the optimizer goes (rank order, so every run adds alike), and
    /// waits for the other shards.
    func update(with optimizer: Optimizer) {
        optimizer.step(params: parameters.pointer, summing: UnsafeBufferPointer(summands), range: shard)
        window.synchronize()
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
