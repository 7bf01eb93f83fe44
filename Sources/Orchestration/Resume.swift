// `--resume FILE|auto`: rank 0 finds, reads and verifies the checkpoint, every rank
// receives its bytes, and all check it belongs to this configuration and data.
import Checkpoints
import Collectives
import Foundation
import Settings
import Training

enum Resume {
    /// The checkpoint to continue from, and its path; nil when not resuming (or `auto`
    /// found none in a fresh folder).
    static func load(
        _ execution: Execution, identity: [UInt8], data: PreparedData, store: CheckpointStore?,
        reporter: Reporter, comm: Communicator
    ) throws -> (path: String, checkpoint: Checkpoint)? {
        guard let resume = execution.resume else { return nil }
        let found = try Agreement.together(comm) { () throws -> (String, [UInt8])? in
            guard comm.isRoot else { return nil }
            return try find(resume, store: store, reporter: reporter)
        }
        var present = [found == nil ? 0 : 1]
        comm.broadcast(&present)
        guard present[0] == 1 else { return nil }
        var path = Array((found?.0 ?? "").utf8)
        var bytes = found?.1 ?? []
        comm.broadcast(bytes: &path)
        comm.broadcast(bytes: &bytes)
        let name = String(decoding: path, as: UTF8.self)
        let checkpoint = try Checkpoint.decode(bytes, path: name)
        let batchChanged = try check(
            checkpoint, name: name, identity: identity, data: data, execution: execution, ranks: comm.size)
        if batchChanged {
            let old = TrainingIdentity.globalBatch(checkpoint.identity) ?? 0
            reporter.note(
                "resuming with global batch \(comm.size * execution.batchSize) instead of the checkpoint's \(old) "
                    + "(\(Setting.resumeNewBatch))")
        }
        return (name, checkpoint)
    }

    /// Rank 0: the named file, or the newest valid checkpoint of the output folder.
    private static func find(_ resume: String, store: CheckpointStore?, reporter: Reporter) throws
        -> (String, [UInt8])?
    {
        guard resume == "auto" else {
            let bytes = try CheckpointStore.read(resume)
            _ = try Checkpoint.decode(bytes, path: resume)
            return (resume, bytes)
        }
        guard let store else { preconditionFailure("--resume auto without an output folder passed validation") }
        let newest = store.newestValid { path, why in reporter.warning("skipping \(path): \(why)") }
        if newest == nil, FileManager.default.fileExists(atPath: "\(store.directory)/metrics.jsonl") {
            throw SettingError(
                .resume,
                "no valid checkpoint in '\(store.directory)', which holds an earlier run's metrics.jsonl; choose "
                    + "a new \(.outputDirectory)"
            )
        }
        return newest
    }

    /// Throws when the checkpoint cannot be continued here; true when it is continued with
    /// another global batch (`--resume-new-batch`).
    private static func check(
        _ c: Checkpoint, name: String, identity: [UInt8], data: PreparedData, execution: Execution, ranks: Int
    ) throws -> Bool {
        let epochs = execution.epochs
        let differences = TrainingIdentity.differences(c.identity, identity)
        if differences == ["global batch"], !execution.resumeNewBatch {
            // Only the rank count or the batch changed: say how to keep the global batch.
            let old = TrainingIdentity.globalBatch(c.identity) ?? 0
            let now = ranks * execution.batchSize
            let keep: SettingText =
                old % ranks == 0 ? "keep it with \(Setting.batchSize) \(old / ranks) on \(ranks) ranks, or " : ""
            throw SettingError(
                .resume,
                "'\(name)' was trained with global batch \(old), this run has \(now) (\(ranks) ranks × "
                    + "\(execution.batchSize)); \(keep)resume anyway with \(Setting.resumeNewBatch)")
        }
        if !differences.isEmpty && differences != ["global batch"] {
            let keys = differences.joined(separator: ", ")
            throw CheckpointError(name, "checkpoint belongs to another configuration (differs in: \(keys))")
        }
        if c.dataFingerprint != data.fingerprint {
            throw CheckpointError(name, "checkpoint belongs to another data set (fingerprint differs)")
        }
        if c.weightsFingerprint != data.weightsFingerprint {
            throw CheckpointError(name, "checkpoint was trained with other LDS weights")
        }
        if c.epoch > epochs || (c.epoch == epochs && c.step > 0) {
            throw SettingError(.epochs, "the checkpoint is at epoch \(c.epoch + 1); ask for more epochs than that")
        }
        return differences == ["global batch"]
    }
}
