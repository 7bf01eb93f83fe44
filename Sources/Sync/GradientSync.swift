// The gradient sync: how one step's gradients become the same update on every rank.
// This file is the concept (protocol, kinds, the choice, the signals that ride along);
// the implementations are AllreduceSync.swift, SharedMemorySync.swift and
// HierarchicalSync.swift.
import Collectives
import Foundation
import NN

/// How a run sums its gradients.
public enum SyncKind: String, CaseIterable, Sendable {
    /// One in-place allreduce of the whole gradient buffer after backward (any ranks, any nodes).
    case allreduce
    /// The same allreduce in buckets, started during backward (MPI_Iallreduce).
    case overlappedAllreduce = "overlapped-allreduce"
    /// All ranks on one node: gradients summed in MPI-3 shared memory, the update split among ranks.
    case sharedMemory = "shared-memory"
    /// Several nodes: shared memory within each, each shard allreduced across nodes by its owners.
    case hierarchical

    /// The kind for this job (collective). `requested` nil: shared memory when every rank
    /// is on one node, hierarchical when several nodes hold the same number (> 1) of ranks,
    /// else the allreduce, and the allreduce whenever ranks share cores on some node (they measured
    /// faster meeting once per step in the allreduce than twice in barriers,
    /// docs/performance.md) or `overlap` asks for buckets. `requested` `.allreduce` gives
    /// the overlapped one when `overlap` is on.
    public static func choose(requested: SyncKind?, overlap: Bool, comm: Communicator) throws(SyncChoiceError)
        -> SyncKind
    {
        let overlapped: SyncKind = overlap && comm.size > 1 ? .overlappedAllreduce : .allreduce
        let localSizes = comm.extremes(comm.localSize)
        let evenNodes = localSizes.min == localSizes.max
        let nodes = comm.size / comm.localSize
        switch requested {
        case .allreduce, .overlappedAllreduce:
            return overlapped
        case .sharedMemory, .hierarchical:
            if overlap {
                throw SyncChoiceError("overlapping the gradient sum with backward works with the allreduce only")
            }
            if requested == .sharedMemory && !comm.isSingleNode {
                throw SyncChoiceError(
                    "shared memory needs every rank on one node; this job spans \(evenNodes ? "\(nodes)" : "several") nodes (use hierarchical)"
                )
            }
            if requested == .hierarchical && !evenNodes {
                throw SyncChoiceError(
                    "hierarchical needs the same number of ranks on every node; this job has \(localSizes.min) to \(localSizes.max)"
                )
            }
            return comm.size == 1 ? .allreduce : requested!
        case nil:
            // Whether every rank has a core is a fact of each node: agreed on (all or none),
            // so that every rank takes the same sum and none waits in a collective another
            // rank never enters.
            let coreHere = comm.localSize <= Cores.allowed ? 1 : 0
            let coreEach = comm.extremes(coreHere).min == 1
            guard !overlap && comm.size > 1 && comm.localSize > 1 && coreEach else { return overlapped }
            if comm.isSingleNode { return .sharedMemory }
            return evenNodes ? .hierarchical : .allreduce
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

/// One rank's side of the gradient sync. Every method is called by all ranks in the
/// same order (the collectives inside must match).
public protocol GradientSync: AnyObject {
    var kind: SyncKind { get }
    /// The parameters the model computes with (possibly memory shared between ranks).
    var parameters: FloatBuffer { get }
    /// This rank's gradients, exactly as many as parameters; the model writes them in backward.
    var gradients: FloatBuffer { get }
    /// Before backward.
    func beginBackward()
    /// Backward has finished the first `prefix` gradient values (the buffer is head first).
    func gradientsReady(prefix: Int)
    /// After backward: the gradients summed over all ranks, and every rank's signals combined.
    func sum(_ signals: StepSignals) -> StepSignals
    /// Applies `optimizer` to the summed gradients; afterwards every rank computes with
    /// the updated parameters.
    func update(with optimizer: Optimizer)
    /// Makes the optimizer state whole on every rank (for a checkpoint).
    func gatherOptimizerState(_ optimizer: Optimizer)
    /// After rank 0 has written the initial parameters: all ranks compute with them.
    func shareInitialParameters()
    /// Sets every rank's parameters to `values` (the same on every rank).
    func setParameters(_ values: [Float])
}

/// The sync of `kind` for a model of `parameterCount` parameters (collective).
public func makeGradientSync(_ kind: SyncKind, comm: Communicator, parameterCount: Int, bucketBytes: Int)
    -> GradientSync
{
    switch kind {
    case .sharedMemory:
        return SharedMemorySync(comm: comm, parameterCount: parameterCount)
    case .hierarchical:
        return HierarchicalSync(comm: comm, parameterCount: parameterCount)
    case .allreduce, .overlappedAllreduce:
        return AllreduceSync(
            comm: comm, parameterCount: parameterCount, overlap: kind == .overlappedAllreduce,
            bucketBytes: bucketBytes)
    }
}
