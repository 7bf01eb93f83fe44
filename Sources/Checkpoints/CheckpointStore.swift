// Checkpoint files in the output folder: written atomically by rank 0 (temporary
// file, fsync, rename over `checkpoint.ckpt`), numbered copies pruned to `keep`,
// and the newest valid one found for `--resume auto`.
import Foundation
import Storage

#if canImport(Glibc)
    import Glibc
#endif

public struct CheckpointStore {
    public let directory: String
    public let keep: Int

    public init(directory: String, keep: Int) {
        self.directory = directory
        self.keep = keep
    }

    public var latestPath: String { "\(directory)/checkpoint.ckpt" }

    /// Writes `checkpoint` as the latest and as `checkpoint-eEEEE-sSSSSSS.ckpt`;
    /// an interrupted write leaves the previous latest intact.
    public func write(_ checkpoint: Checkpoint) throws {
        let temporary = ResultFile.temporaryPath(for: latestPath)
        do { try ResultFile.writeSynced(checkpoint.encode(), to: temporary) } catch {
            throw CheckpointError(directory, "cannot write the checkpoint: \(error)")
        }
        let name = String(format: "checkpoint-e%04d-s%06d.ckpt", checkpoint.epoch, checkpoint.step)
        let numbered = "\(directory)/\(name)"
        unlink(numbered)
        if link(temporary, numbered) != 0 { throw CheckpointError(directory, "cannot create \(numbered)") }
        if rename(temporary, latestPath) != 0 { throw CheckpointError(directory, "cannot rename into \(latestPath)") }
        ResultFile.syncFolder(of: latestPath)
        prune()
    }

    /// Numbered checkpoints, newest first.
    public func numbered() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasPrefix("checkpoint-e") && $0.hasSuffix(".ckpt") }.sorted(by: >)
            .map { "\(directory)/\($0)" }
    }

    /// The newest checkpoint that reads and verifies, with its bytes; nil when none.
    /// Damaged files are skipped (and reported through `skipped`).
    public func newestValid(skipped: (String, String) -> Void) -> (String, [UInt8])? {
        for path in [latestPath] + numbered() where FileManager.default.fileExists(atPath: path) {
            do {
                let bytes = try Self.read(path)
                _ = try Checkpoint.decode(bytes, path: path)
                return (path, bytes)
            } catch let error as CheckpointError {
                skipped(path, error.message)
            } catch {
                skipped(path, "\(error)")
            }
        }
        return nil
    }

    public static func read(_ path: String, what: String = "checkpoint") throws -> [UInt8] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw CheckpointError(path, "no such \(what) file")
        }
        guard !isDir.boolValue, let data = FileManager.default.contents(atPath: path) else {
            throw CheckpointError(path, "cannot read the \(what)")
        }
        return [UInt8](data)
    }

    private func prune() {
        for path in numbered().dropFirst(max(keep, 1)) { unlink(path) }
    }
}
