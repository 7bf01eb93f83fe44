// Checkpoint files in the output folder: written atomically by rank 0 (temporary
// file, fsync, rename over `checkpoint.ckpt`), numbered copies pruned to `keep`,
// and the newest valid one found for `--resume auto`.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public struct CheckpointStore {
    public let directory: String
    public let keep: Int

    public var latestPath: String { "\(directory)/checkpoint.ckpt" }

    /// Writes `checkpoint` as the latest and as `checkpoint-eEEEE-sSSSSSS.ckpt`;
    /// an interrupted write leaves the previous latest intact.
    public func write(_ checkpoint: Checkpoint) throws {
        let bytes = checkpoint.encode()
        let temporary = "\(directory)/.checkpoint.tmp"
        try writeSynced(bytes, to: temporary)
        let numbered = "\(directory)/" + String(format: "checkpoint-e%04d-s%06d.ckpt", checkpoint.epoch, checkpoint.step)
        unlink(numbered)
        if link(temporary, numbered) != 0 { throw failure("cannot create \(numbered)") }
        if rename(temporary, latestPath) != 0 { throw failure("cannot rename into \(latestPath)") }
        syncDirectory()
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

    public static func read(_ path: String) throws -> [UInt8] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw CheckpointError(path, "no such checkpoint file")
        }
        guard !isDir.boolValue, let data = FileManager.default.contents(atPath: path) else {
            throw CheckpointError(path, "cannot read the checkpoint")
        }
        return [UInt8](data)
    }

    private func prune() {
        for path in numbered().dropFirst(max(keep, 1)) { unlink(path) }
    }

    private func writeSynced(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw failure("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var written = 0
        try bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + written, raw.count - written)
                if n <= 0 { throw failure("cannot write \(path): \(String(cString: strerror(errno)))") }
                written += n
            }
        }
        if fsync(fd) != 0 { throw failure("cannot sync \(path)") }
    }

    private func syncDirectory() {
        let fd = open(directory, O_RDONLY)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }

    private func failure(_ message: String) -> Error { CheckpointError(directory, message) }
}
