// Gradient sum and update through MPI-3 shared memory, for ranks on one node.
// Every rank writes its gradients into its own shared segment; after one barrier
// rank r reads shard r of every segment, sums it, and applies the optimizer to
// shard r of the one parameter copy that all ranks compute with; a second barrier
// publishes the update. No gradient or parameter bytes travel as messages, and each
// rank does 1/P of the optimizer's work (its optimizer state is current for its
// shard only; `gatherOptimizerState` completes it for checkpoints).
import Collectives
import NN

final class SharedMemoryReducer: GradientSync {
    let params: FloatBuffer
    let gradients: FloatBuffer
    private let comm: Communicator
    private let window: SharedSegments
    /// Every rank's gradient segment, rank order.
    private let peerGradients: [UnsafePointer<Float>]
    /// Shard boundaries: rank r updates offsets[r]..<offsets[r + 1].
    let offsets: [Int]
    private var shard: Range<Int> { offsets[comm.rank]..<offsets[comm.rank + 1] }
    /// The summed gradient; only this rank's shard is used.
    private let summed: FloatBuffer

    init(comm: Communicator, parameterCount n: Int, reductionSlots: Int) {
        precondition(comm.size > 1, "the shared-memory sum is for two or more ranks")
        self.comm = comm
        // Rank 0's segment holds the parameters, then its gradients; other ranks hold
        // their gradients only. Lengths are rounded to 16 Floats (64-byte lines), so
        // no two ranks write to one cache line.
        let parameterSpan = Self.roundUp(n)
        let gradientSpan = Self.roundUp(n + reductionSlots)
        let window = comm.sharedSegments(count: (comm.isRoot ? parameterSpan : 0) + gradientSpan)
        self.window = window
        params = FloatBuffer(borrowing: window.segment(0), count: n, owner: window)
        let gradientStart = { (q: Int) in window.segment(q) + (q == 0 ? parameterSpan : 0) }
        gradients = FloatBuffer(borrowing: gradientStart(comm.rank), count: n + reductionSlots, owner: window)
        peerGradients = (0..<comm.size).map { UnsafePointer(gradientStart($0)) }
        let shardLength = Self.roundUp((n + comm.size - 1) / comm.size)
        offsets = (0...comm.size).map { min(n, $0 * shardLength) }
        summed = FloatBuffer(count: n)
    }

    private static func roundUp(_ count: Int) -> Int { (count + 15) / 16 * 16 }

    var name: String { "shared-memory" }

    func begin() {}
    func ready(prefix: Int) {}

    /// Waits until every rank has written its gradients and flags, then reads the flags.
    func finish() -> StopFlags {
        window.synchronize()
        var flags = StopFlags(preempted: false, nonFiniteLoss: false)
        for q in peerGradients.indices {
            flags.preempted = flags.preempted || slot(0, of: q) > 0
            flags.nonFiniteLoss = flags.nonFiniteLoss || slot(1, of: q) > 0
        }
        return flags
    }

    func slot(_ index: Int, of rank: Int) -> Float {
        peerGradients[rank][params.count + index]
    }

    /// Sums this rank's shard over all ranks (rank order, so every run adds alike),
    /// updates that shard of the shared parameters, and waits for the other shards.
    func apply(_ optimizer: Optimizer) {
        let lo = shard.lowerBound, count = shard.count
        let out = summed.pointer + lo
        Self.add(peerGradients[0] + lo, peerGradients[1] + lo, into: out, count: count)
        for g in peerGradients.dropFirst(2) { Self.add(out, g + lo, into: out, count: count) }
        optimizer.step(params: params.pointer, grads: summed.pointer, range: shard)
        window.synchronize()
    }

    /// out = a + b, eight lanes at a time.
    private static func add(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>,
                            count: Int) {
        var i = 0
        while i + 8 <= count {
            let sum = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self)
                + UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(out + i).storeBytes(of: sum, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            out[i] = a[i] + b[i]
            i += 1
        }
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
        if comm.isRoot { params.assign(values) }
        window.synchronize()
    }
}
