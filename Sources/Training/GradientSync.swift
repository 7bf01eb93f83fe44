// How a step's gradients become the same update on every rank. Two ways: an
// allreduce of the fused gradient buffer (GradientReducer: any ranks, any nodes,
// optionally overlapped with backward), or, when all ranks share one node, a sum
// read directly from shared memory with the update split among the ranks
// (SharedMemoryReducer).
import NN

/// Stop requests every rank learns together with the gradient sum.
struct StopFlags {
    /// Some rank received SIGUSR1 or SIGTERM.
    var preempted: Bool
    /// Some rank's loss was NaN or infinite: the step must not be applied.
    var nonFiniteLoss: Bool
}

/// One rank's side of the gradient synchronisation. Every method is called by all
/// ranks in the same order (the collectives inside must match).
protocol GradientSync: AnyObject {
    /// How the gradients are summed, as the bench reports it.
    var name: String { get }
    /// The parameters the model computes with (possibly memory shared between ranks).
    var params: FloatBuffer { get }
    /// This rank's gradients, followed by the two stop-flag slots (and, when balancing
    /// the batch, one slot per rank for its compute speed).
    var gradients: FloatBuffer { get }
    /// Before backward.
    func begin()
    /// Backward has finished the first `prefix` gradient values (the buffer is head first).
    func ready(prefix: Int)
    /// After backward: the gradients and stop flags summed over all ranks.
    func finish() -> StopFlags
    /// After `finish` (and before `apply`): what rank `rank` wrote into slot `index`
    /// after the gradients (slots past the two flags hold one value per rank; on the
    /// allreduce path every other rank writes 0 there, so the sum is that value).
    func slot(_ index: Int, of rank: Int) -> Float
    /// Applies `optimizer` to the summed gradients; afterwards every rank computes
    /// with the updated parameters.
    func apply(_ optimizer: Optimizer)
    /// Makes the optimizer state whole on every rank (for a checkpoint).
    func gatherOptimizerState(_ optimizer: Optimizer)
    /// After rank 0 has written the initial parameters: all ranks compute with them.
    func shareInitialParameters()
    /// Sets every rank's parameters to `values` (the same on every rank).
    func setParameters(_ values: [Float])
}

extension StopFlags {
    /// Reads the two flag slots (sums over ranks) that follow `parameterCount` gradients.
    init(sums slots: UnsafePointer<Float>) {
        self.init(preempted: slots[0] > 0, nonFiniteLoss: slots[1] > 0)
    }
}
