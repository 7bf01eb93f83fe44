// The gradient allreduce of a step: either one allreduce of the whole fused buffer
// after backward, or buckets started (MPI_Iallreduce) as soon as backward has
// finished them, last layer first, and driven forward between layers.
import Collectives
import NN

/// Sums the flat gradient buffer (plus its trailing flag slots) over all ranks;
/// every rank then takes the same optimizer step on its own copy of the parameters.
/// The buffer is laid out head first, so finished gradients form a growing prefix.
final class GradientReducer: GradientSync {
    let params: FloatBuffer
    let gradients: FloatBuffer
    private let comm: Communicator
    private let buffer: UnsafeMutableBufferPointer<Float>
    private let overlap: Bool
    private let bucketElements: Int
    private var pending: [PendingReduction]
    /// Start of the gradients not yet handed to a bucket.
    private var started = 0

    var name: String { overlap ? "overlapped-allreduce" : "allreduce" }

    init(comm: Communicator, parameterCount: Int, reductionSlots: Int, overlap: Bool, bucketBytes: Int) {
        self.comm = comm
        params = FloatBuffer(count: parameterCount)
        gradients = FloatBuffer(count: parameterCount + reductionSlots)
        buffer = gradients.buffer
        self.overlap = overlap && comm.size > 1
        bucketElements = max(1, bucketBytes / MemoryLayout<Float>.stride)
        pending = []
        pending.reserveCapacity(64)
    }

    func begin() {
        started = 0
        pending.removeAll(keepingCapacity: true)
    }

    /// Starts a bucket once enough gradients are ready, and lets earlier buckets progress.
    func ready(prefix: Int) {
        guard overlap else { return }
        if prefix - started >= bucketElements {
            pending.append(comm.startAllreduce(UnsafeMutableBufferPointer(rebasing: buffer[started..<prefix])))
            started = prefix
        }
        for i in pending.indices { _ = pending[i].test() }
    }

    /// Reduces what is left (with the flag slots) and waits for everything.
    func finish() -> StopFlags {
        if overlap {
            pending.append(comm.startAllreduce(UnsafeMutableBufferPointer(rebasing: buffer[started...])))
            for i in pending.indices { pending[i].wait() }
        } else {
            comm.allreduce(buffer)
        }
        return StopFlags(sums: gradients.pointer + params.count)
    }

    func slot(_ index: Int, of rank: Int) -> Float {
        gradients.pointer[params.count + index]
    }

    func apply(_ optimizer: Optimizer) {
        optimizer.step(params: params, grads: gradients)
    }

    /// Every rank updated every parameter: the state is already whole.
    func gatherOptimizerState(_ optimizer: Optimizer) {}

    func shareInitialParameters() {
        comm.broadcast(params.buffer)
    }

    func setParameters(_ values: [Float]) {
        params.assign(values)
    }
}
