// `--resume FILE|auto`: rank 0 finds, reads and verifies the checkpoint, every rank
// receives its bytes, and all check it belongs to this configuration and data.
import Collectives
import Datasets
import Foundation

enum Resume {
    static func load(_ config: TrainingConfig, identity: [UInt8], data: PreparedData, store: CheckpointStore?,
                     comm: Communicator) throws -> (String, Checkpoint)? {
        guard let resume = config.resume else { return nil }
        var found = try Agreement.together(comm) { () throws -> (String, [UInt8])? in
            guard comm.isRoot else { return nil }
            guard resume == "auto" else {
                let bytes = try CheckpointStore.read(resume)
                _ = try Checkpoint.decode(bytes, path: resume)
                return (resume, bytes)
            }
            let newest = store!.newestValid { path, why in
                FileHandle.standardError.write(Data("warning: skipping \(path): \(why)\n".utf8))
            }
            if newest == nil, FileManager.default.fileExists(atPath: "\(store!.directory)/metrics.jsonl") {
                throw InputError("--resume", "no valid checkpoint in '\(store!.directory)', which holds an earlier run's metrics.jsonl; choose a new --out")
            }
            return newest
        }
        var present = [found == nil ? 0 : 1]
        comm.broadcast(&present)
        guard present[0] == 1 else { return nil }
        var path = Array((found?.0 ?? "").utf8)
        var bytes = found?.1 ?? []
        comm.broadcast(bytes: &path)
        comm.broadcast(bytes: &bytes)
        found = nil
        let name = String(decoding: path, as: UTF8.self)
        let checkpoint = try Checkpoint.decode(bytes, path: name)
        if checkpoint.identity != identity {
            throw InputError(name, "checkpoint belongs to another configuration (differs in: \(differences(checkpoint.identity, identity)))")
        }
        if checkpoint.dataFingerprint != data.fingerprint {
            throw InputError(name, "checkpoint belongs to another data set (fingerprint differs)")
        }
        if checkpoint.weightsFingerprint != data.weightsFingerprint {
            throw InputError(name, "checkpoint was trained with other LDS weights")
        }
        if checkpoint.epoch > config.epochs || (checkpoint.epoch == config.epochs && checkpoint.step > 0) {
            throw InputError("--epochs", "the checkpoint is at epoch \(checkpoint.epoch + 1); ask for more epochs than that")
        }
        return (name, checkpoint)
    }

    /// The top-level configuration keys whose values differ.
    static func differences(_ a: [UInt8], _ b: [UInt8]) -> String {
        guard let x = try? JSONSerialization.jsonObject(with: Data(a)) as? [String: Any],
              let y = try? JSONSerialization.jsonObject(with: Data(b)) as? [String: Any] else { return "unreadable" }
        let keys = Set(x.keys).union(y.keys).sorted().filter { key in
            let u = x[key].flatMap { try? JSONSerialization.data(withJSONObject: [$0], options: .sortedKeys) }
            let v = y[key].flatMap { try? JSONSerialization.data(withJSONObject: [$0], options: .sortedKeys) }
            return u != v
        }
        let names = ["batchSize": "global batch", "learningRate": "lr"]
        return keys.map { names[$0] ?? $0 }.joined(separator: ", ")
    }
}

/// Refuses a launch where srun started several tasks without working PMI: each
/// process would be rank 0 of 1 and train alone.
enum Launcher {
    static func check(_ comm: Communicator) throws {
        let env = ProcessInfo.processInfo.environment
        guard comm.size == 1, env["OMPI_COMM_WORLD_SIZE"] == nil,
              let tasks = env["SLURM_STEP_NUM_TASKS"].flatMap(Int.init), tasks > 1 else { return }
        if env["SLURM_PROCID"] ?? "0" != "0" { throw SilentFailure() }
        throw InputError("srun", "started \(tasks) tasks but MPI sees each as rank 0 of 1 (no working PMI); use srun --mpi=pmix (see srun --mpi=list) or mpirun")
    }
}

/// A failure already reported by another process.
struct SilentFailure: Error {}
