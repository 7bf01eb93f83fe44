// How a run ends: the exit statuses of docs/file-formats.md §4, and the
// ways a training run can end without an error.
import Checkpoints
import Datasets
import Settings
import Training

/// Exit statuses (docs/file-formats.md §4).
public enum ExitStatus: Int32, Sendable {
    case success = 0
    case runtimeFailure = 1
    case badInput = 2
    case preempted = 3
    case nonFiniteLoss = 4
    /// Set by the step watchdog in CSignals, which ends the process itself.
    case watchdog = 5
    /// A failed MPI call: `Communicator.failureStatus`, set where the call failed.
    case mpiFailure = 6
    /// The ranks ended training with different parameters (a bug in dir-dist or MPI).
    case replicaMismatch = 7

    /// Bad input (files, settings, checkpoints, or any of these seen on another rank) is
    /// status 2; anything else is a runtime failure.
    public init(for error: Error) {
        switch error {
        case is InputError, is SettingError, is CheckpointError, is RemoteFailure, is SilentFailure:
            self = .badInput
        case is ReplicaMismatch:
            self = .replicaMismatch
        default:
            self = .runtimeFailure
        }
    }
}

/// A training run that ended without an error.
public enum RunEnd: Sendable {
    case finished
    /// A signal asked the job to stop; a checkpoint was written when there is an output folder.
    case preempted
    /// Some rank's loss was not finite; the step was not applied.
    case nonFiniteLoss

    public var status: ExitStatus {
        switch self {
        case .finished: return .success
        case .preempted: return .preempted
        case .nonFiniteLoss: return .nonFiniteLoss
        }
    }
}

/// The end-of-run check found ranks whose parameters differ: no model is written.
public struct ReplicaMismatch: Error, CustomStringConvertible {
    let ranks: Int
    public var description: String {
        "error: replicas: the ranks' parameters differ at the end of training (of \(ranks) ranks); no model was "
            + "written (a bug: please report it)"
    }
}
