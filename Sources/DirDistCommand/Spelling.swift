// The one mapping from a configuration setting to the option a user types, and the
// one way a command's error becomes the `error:` line a user reads and its exit status.
import Checkpoints
import Collectives
import Datasets
import Foundation
import Orchestration
import Settings
import Training

extension Setting {
    /// The command-line option that sets this.
    var option: String {
        switch self {
        case .epochs: return "--epochs"
        case .labelRange: return "--label-range"
        case .maxLabel: return "--max-label"
        case .outputDirectory: return "--out"
        case .fdsDump: return "--fds-dump"
        case .resume: return "--resume"
        case .learningRate: return "--lr"
        case .denseWeightBandwidth: return "--dw-bandwidth"
        case .gaiComponents: return "--gai-components"
        case .ranksPerRun: return "--ranks-per-run"
        case .sync: return "--sync"
        case .batchSize: return "--batch-size"
        case .resumeNewBatch: return "--resume-new-batch"
        }
    }
}

/// Runs a command's work on every rank and ends the process: an error becomes one line
/// from rank 0 and its exit status. Ranks meet in a barrier before a non-zero exit: a
/// rank that exited first would make mpirun kill rank 0 before its line is out.
func runAndExit(_ comm: Communicator, _ work: () throws -> ExitStatus) -> Never {
    let status: ExitStatus
    do { status = try work() } catch {
        status = ExitStatus(for: error)
        if comm.isRoot, let line = ErrorLine.of(error) { FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }
    if status != .success { comm.barrier() }
    comm.finalize()
    exit(status.rawValue)
}

enum ErrorLine {
    /// The line to print for `error` (nil when another process has printed it).
    static func of(_ error: Error) -> String? {
        switch error {
        case let e as SettingError:
            return e.line { $0.option }
        case let e as RemoteFailure:
            guard let setting = e.setting else { return e.description }
            return setting.line { $0.option } + " (seen on rank \(e.rank))"
        case is SilentFailure:
            return nil
        case let e as CustomStringConvertible where "\(e)".hasPrefix("error: "):
            return "\(e)"
        default:
            return "error: \(error)"
        }
    }
}
