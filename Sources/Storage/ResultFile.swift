// Writing result files so that a crash or a full disk never leaves a half-written
// one in place: write a temporary file, fsync it, rename it over the target, fsync
// the folder. Also appending lines to a table that grows over runs.
import Datasets
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

public enum ResultFile {
    /// Replaces `path` with `bytes` atomically: readers see the old file or the new one.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let temporary = temporaryPath(for: path)
        try writeSynced(bytes, to: temporary)
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw InputError(path, "cannot rename into place: \(String(cString: strerror(errno)))")
        }
        syncFolder(of: path)
    }

    /// Appends `text`; a new file starts with `header`.
    public static func append(_ text: String, to path: String, header: String = "") throws {
        let isNew = !FileManager.default.fileExists(atPath: path)
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard fd >= 0 else { throw InputError(path, "cannot open for appending: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        try write(Array(((isNew ? header : "") + text).utf8), to: fd, path: path)
    }

    /// The temporary file beside `path` that an atomic write goes through.
    public static func temporaryPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp").path
    }

    /// Creates or truncates `path`, writes `bytes` and fsyncs them.
    public static func writeSynced(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw InputError(path, "cannot create: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        try write(bytes, to: fd, path: path)
        guard fsync(fd) == 0 else { throw InputError(path, "cannot sync: \(String(cString: strerror(errno)))") }
    }

    /// Makes a rename in the folder of `path` durable.
    public static func syncFolder(of path: String) {
        let fd = open(URL(fileURLWithPath: path).deletingLastPathComponent().path, O_RDONLY)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    private static func write(_ bytes: [UInt8], to fd: Int32, path: String) throws {
        var written = 0
        try bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + written, raw.count - written)
                guard n > 0 else { throw InputError(path, "cannot write: \(String(cString: strerror(errno)))") }
                written += n
            }
        }
    }
}
