// The gradient sync: how one step's gradients become the same update on every rank.
// This file is the concept (the vocabulary, the choice, the contract, the signals that
// ride along); the implementations are AllreduceSync.swift, SharedMemorySync.swift,
// HierarchicalSync.swift and ExactSync.swift.
import Collectives
import Foundation
import NN

/// How the ranks sum their gradients: the one vocabulary of `--sync`, the log and the
/// bench. The user asks for one of the first three (or none: chosen for the layout);
/// `--reproducible` takes the exact sum.
public enum GradientSum: String, CaseIterable, Codable, Sendable {
    /// One allreduce of the whole gradient buffer (any ranks, any nodes), or buckets of it
    /// started during backward (overlap).
    case allreduce
    /// All ranks on one node: MPI-3 shared memory, each rank updates one shard.
    case shared
    /// Several nodes: shared memory within each, each shard allreduced across nodes.
    case hierarchical
    /// Fixed-point integers in one allreduce: the same bits for any number of ranks.
    case exact

    /// The sums `--sync` offers.
    public static let requestable: [GradientSum] = [.allreduce, .shared, .hierarchical]
}

/// The sum a run uses: its kind, and whether the allreduce overlaps backward.
public struct SyncPlan: Equatable, Sendable, CustomStringConvertible {
    public let sum: GradientSum
    /// Buckets of the allreduce start during backward (MPI_Iallreduce).
    public let overlapped: Bool

    public init(_ sum: GradientSum, overlapped: Bool = false) {
        self.sum = sum
        self.overlapped = overlapped
    }

    public var description: String { overlapped ? "allreduce, overlapped with backward" : sum.rawValue }

    /// The plan for this job (collective). `exact`: the reproducible sum, which takes no
    /// other request. `requested` nil: shared memory when every rank is on one node,
    /// hierarchical when several nodes hold the same number (> 1) of ranks, else the
    /// allreduce; and the allreduce whenever ranks share cores on some node (they measured
    /// faster meeting once per step in the allreduce than twice in barriers,
    /// docs/performance.md) or `overlap` asks for buckets. Overlap needs two ranks.
    public static func choose(requested: GradientSum?, overlap: Bool, exact: Bool, comm: Communicator)
        throws(SyncChoiceError) -> SyncPlan
    {
        if exact {
            guard requested == nil && !overlap else {
                throw SyncChoiceError(
                    "reproducible training sums gradients exactly with its own allreduce; leave the sum to it")
            }
            return SyncPlan(.exact)
        }
        let allreduce = SyncPlan(.allreduce, overlapped: overlap && comm.size > 1)
        let localSizes = comm.extremes(comm.localSize)
        let evenNodes = localSizes.min == localSizes.max
        let nodes = comm.size / comm.localSize
        switch requested {
        case .allreduce:
            return allreduce
        case .exact:
            throw SyncChoiceError("the exact sum comes with --reproducible")
        case .shared, .hierarchical:
            if overlap {
                throw SyncChoiceError("overlapping the gradient sum with backward works with the allreduce only")
            }
            if requested == .shared && !comm.isSingleNode {
                throw SyncChoiceError(
                    "shared memory needs every rank on one node; this job spans \(evenNodes ? "\(nodes)" : "several") nodes (use hierarchical)"
                )
            }
            if requested == .hierarchical && !evenNodes {
                throw SyncChoiceError(
                    "hierarchical needs the same number of ranks on every node; this job has \(localSizes.min) to \(localSizes.max)"
                )
            }
            return comm.size == 1 ? allreduce : SyncPlan(requested!)
        case nil:
            // Whether every rank has a core is a fact of each node: agreed on (all or none),
            // so that every rank takes the same sum and none waits in a collective another
            // rank never enters.
            let coreHere = comm.localSize <= Cores.allowed ? 1 : 0
            let coreEach = comm.extremes(coreHere).min == 1
            guard !overlap && comm.size > 1 && comm.localSize > 1 && coreEach else { return allreduce }
            if comm.isSingleNode { return SyncPlan(.shared) }
            return evenNodes ? SyncPlan(.hierarchical) : allreduce
        }
    }
}

/// A requested gradient sum that this job's layout or options rule out.
public struct SyncChoiceError: Error, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
}

/// What a step tells every rank besides its gradients: the stop requests. Each rank
/// posts its own; the sync returns them combined over all ranks (any rank's request
/// counts), so all ranks stop at the same step.
public struct StepSignals: Equatable, Sendable {
    /// A rank received SIGUSR1 or SIGTERM.
    public var preempted: Bool
    /// A rank's loss was NaN or infinite: the step must not be applied.
    public var nonFiniteLoss: Bool

    public init(preempted: Bool, nonFiniteLoss: Bool) {
        self.preempted = preempted
        self.nonFiniteLoss = nonFiniteLoss
    }

    /// How many Floats the signals take where they ride after the gradients.
    static let slotCount = 2

    /// Writes the signals as 0/1 Floats (summed over ranks, a positive sum means "some rank").
    func write(to slots: UnsafeMutablePointer<Float>) {
        slots[0] = preempted ? 1 : 0
        slots[1] = nonFiniteLoss ? 1 : 0
    }

    /// Reads signal slots (one rank's, or their sum over ranks).
    init(slots: UnsafePointer<Float>) {
        self.init(preempted: slots[0] > 0, nonFiniteLoss: slots[1] > 0)
    }

    /// Some rank asked for it.
    func merged(with other: StepSignals) -> StepSignals {
        StepSignals(preempted: preempted || other.preempted, nonFiniteLoss: nonFiniteLoss || other.nonFiniteLoss)
    }
}

/// One rank's side of the gradient sync. The contract every implementation keeps: a
/// step calls `beginStep`, runs its backward passes (`gradientsReady` as gradients
/// finish, `backwardPassDone` after each pass), then `reduceAndUpdate` once. When that
/// returns, every rank computes with the same parameters, updated by the optimizer with
/// the gradients summed over all ranks (not updated when some rank's loss was not
/// finite), and holds every rank's signals combined. No point exists at which the summed
/// gradients could be read: a sum may exist only shard by shard, or only inside the
/// update (shared memory), so anything that needs them (clipping, a norm) belongs in the
/// sync. Every method is called by all ranks in the same order (the collectives inside
/// must match).
public protocol GradientSync: AnyObject {
    var plan: SyncPlan { get }
    /// The parameters the model computes with (possibly memory shared between ranks).
    var parameters: FloatBuffer { get }
    /// This rank's gradients, exactly as many as parameters; each backward pass writes them.
    var gradients: FloatBuffer { get }
    /// Before a step's first backward pass; `globalRows`: the rows of the step's global batch.
    func beginStep(globalRows: Int)
    /// Backward has finished the first `prefix` gradient values (the buffer is head first).
    func gradientsReady(prefix: Int)
    /// After each backward pass (one per step, or one per micro-batch of reproducible training).
    func backwardPassDone()
    /// Sums every rank's gradients, calls `summed` (where the caller's clock ends the
    /// sum's wait), applies `optimizer` unless some loss was not finite, and returns every
    /// rank's signals combined.
    func reduceAndUpdate(_ signals: StepSignals, with optimizer: Optimizer, summed: () -> Void) -> StepSignals
    /// Makes the optimizer state whole on every rank (for a checkpoint).
    func gatherOptimizerState(_ optimizer: Optimizer)
    /// After rank 0 has written the initial parameters: all ranks compute with them.
    func shareInitialParameters()
    /// Sets every rank's parameters to `values` (the same on every rank).
    func setParameters(_ values: [Float])
}

/// Most sums need none of the step's hooks: only the overlapped allreduce starts buckets
/// during backward, and only the exact sum keeps each pass's gradients.
extension GradientSync {
    public func beginStep(globalRows: Int) {}
    public func gradientsReady(prefix: Int) {}
    public func backwardPassDone() {}
}

/// The sync of `plan` for a model of `parameterCount` parameters (collective). With the
/// exact sum, `microBatch` is its size and `microBatchSlots` the most micro-batches one
/// rank takes in a step.
public func makeGradientSync(
    _ plan: SyncPlan, comm: Communicator, parameterCount: Int, bucketBytes: Int, microBatch: Int = 1,
    microBatchSlots: Int = 1
) -> GradientSync {
    switch plan.sum {
    case .shared:
        return SharedMemorySync(comm: comm, parameterCount: parameterCount)
    case .hierarchical:
        return HierarchicalSync(comm: comm, parameterCount: parameterCount)
    case .allreduce:
        return AllreduceSync(comm: comm, parameterCount: parameterCount, plan: plan, bucketBytes: bucketBytes)
    case .exact:
        return ExactSync(
            comm: comm, parameterCount: parameterCount, microBatch: microBatch, slots: microBatchSlots)
    }
}
