// The gradient allreduce of a step: either one allreduce of the whole fused buffer
// after backward, or buckets started (MPI_Iallreduce) as soon as backward has
// finished them, last layer first, and driven forward between layers.
import Collectives
import NN

/// Sums the flat gradient buffer (plus its trailing flag slots) over all ranks.
/// The buffer is laid out head first, so finished gradients form a growing prefix.
final class GradientReducer {
    private let comm: Communicator
    private let buffer: UnsafeMutableBufferPointer<Float>
    private let overlap: Bool
    private let bucketElements: Int
    private var pending: [PendingReduction]
    /// Start of the gradients not yet handed to a bucket.
    private var started = 0

    init(comm: Communicator, gradients: FloatBuffer, overlap: Bool, bucketBytes: Int) {
        self.comm = comm
        buffer = gradients.buffer
        self.overlap = overlap && comm.size > 1
        bucketElements = max(1, bucketBytes / MemoryLayout<Float>.stride)
        pending = []
        pending.reserveCapacity(64)
    }

    /// Before backward.
    func begin() {
        started = 0
        pending.removeAll(keepingCapacity: true)
    }

    /// Backward has finished the first `prefix` gradient values: start a bucket
    /// once enough are ready, and let earlier buckets progress.
    func ready(prefix: Int) {
        guard overlap else { return }
        if prefix - started >= bucketElements {
            pending.append(comm.startAllreduce(UnsafeMutableBufferPointer(rebasing: buffer[started..<prefix])))
            started = prefix
        }
        for i in pending.indices { _ = pending[i].test() }
    }

    /// After backward: reduce what is left (with the flag slots) and wait for everything.
    func finish() {
        if overlap {
            pending.append(comm.startAllreduce(UnsafeMutableBufferPointer(rebasing: buffer[started...])))
            for i in pending.indices { pending[i].wait() }
        } else {
            comm.allreduce(buffer)
        }
    }
}
