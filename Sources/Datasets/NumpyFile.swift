// Reads NumPy .npy files (format 1.0–3.0; '<f4' or '<f8'; C order) by mapping
// them into memory: ranks on one node share the pages, and touch only the rows they use.
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A read-only memory mapping of a whole file, unmapped when released.
final class MappedFile {
    let base: UnsafeRawPointer
    let size: Int

    init(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw InputError(path, "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw InputError(path, "cannot stat the file") }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw InputError(path, "is a directory, not a .npy file") }
        size = Int(st.st_size)
        guard size > 0 else { throw InputError(path, "file is empty") }
        guard let p = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0), p != MAP_FAILED else {
            throw InputError(path, "cannot map the file: \(String(cString: strerror(errno)))")
        }
        base = UnsafeRawPointer(p)
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: base), size) }
}

/// The parsed header of a .npy file.
public struct NumpyHeader: Equatable, Sendable {
    public enum DType: String, Sendable { case float32 = "<f4", float64 = "<f8" }
    public let dtype: DType
    public let shape: [Int]
    public let dataOffset: Int
}

public enum NumpyFile {
    /// Parses and validates the header at the start of `bytes` (the whole file).
    public static func header(_ bytes: UnsafeRawBufferPointer, path: String) throws -> NumpyHeader {
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
            throw InputError(path, "not a .npy file (bad magic)")
        }
        let major = bytes[6]
        let lengthBytes = major == 1 ? 2 : 4
        guard (1...3).contains(major), bytes.count >= 8 + lengthBytes else {
            throw InputError(path, "unsupported .npy format version \(major)")
        }
        var headerLength = 0
        for i in 0..<lengthBytes { headerLength |= Int(bytes[8 + i]) << (8 * i) }
        let start = 8 + lengthBytes
        guard bytes.count >= start + headerLength else {
            throw InputError(path, "truncated .npy header")
        }
        let text = String(decoding: bytes[start..<(start + headerLength)], as: UTF8.self)
        guard let descr = field("descr", in: text), let order = field("fortran_order", in: text),
            let shapeText = field("shape", in: text)
        else {
            throw InputError(path, "malformed .npy header: \(text.trimmingSpaces)")
        }
        let descrValue = descr.trimming("'\" ")
        guard let dtype = NumpyHeader.DType(rawValue: descrValue) else {
            throw InputError(
                path, "unsupported dtype '\(descrValue)' (need little-endian float32 '<f4' or float64 '<f8')")
        }
        guard order.trimmingSpaces == "False" else {
            throw InputError(path, "Fortran-ordered arrays are not supported (save with C order)")
        }
        let dims = shapeText.trimming("() ").split(separator: ",")
            .map { $0.trimmingSpaces }.filter { !$0.isEmpty }
        var shape = [Int]()
        for d in dims {
            guard let v = Int(d), v >= 0 else { throw InputError(path, "bad shape \(shapeText)") }
            shape.append(v)
        }
        return NumpyHeader(dtype: dtype, shape: shape, dataOffset: start + headerLength)
    }

    /// A feature array's header, rows and columns, checked against the file's `bytes`.
    public static func featureLayout(_ bytes: UnsafeRawBufferPointer, path: String) throws
        -> (header: NumpyHeader, rows: Int, columns: Int)
    {
        let h = try header(bytes, path: path)
        guard h.shape.count == 2 || h.shape.count == 1 else {
            throw InputError(path, "features must be 2-D (rows, columns), got shape \(h.shape)")
        }
        let rows = h.shape[0]
        let columns = h.shape.count == 2 ? h.shape[1] : 1
        try checkSize(bytes.count, h, rows, columns, path: path)
        return (h, rows, columns)
    }

    /// A label vector's header and length, checked against the file's `bytes`.
    public static func labelLayout(_ bytes: UnsafeRawBufferPointer, path: String) throws
        -> (header: NumpyHeader, count: Int)
    {
        let h = try header(bytes, path: path)
        guard h.shape.count == 1 || (h.shape.count == 2 && h.shape[1] == 1) else {
            throw InputError(path, "labels must be a vector (n,) or (n, 1), got shape \(h.shape)")
        }
        try checkSize(bytes.count, h, h.shape[0], 1, path: path)
        return (h, h.shape[0])
    }

    /// Maps a 2-D feature array (or a 1-D one as a single column).
    public static func features(path: String) throws -> FeatureMatrix {
        let file = try MappedFile(path: path)
        let (h, rows, columns) = try featureLayout(
            UnsafeRawBufferPointer(start: file.base, count: file.size), path: path)
        let itemSize = h.dtype == .float32 ? 4 : 8
        let data = file.base + h.dataOffset
        guard Int(bitPattern: data) % itemSize == 0 else {
            throw InputError(path, "data offset \(h.dataOffset) is not aligned for \(h.dtype.rawValue)")
        }
        let storage: FeatureStorage =
            h.dtype == .float32
            ? .float32(data.assumingMemoryBound(to: Float.self))
            : .float64(data.assumingMemoryBound(to: Double.self))
        return FeatureMatrix(rows: rows, columns: columns, storage: storage, owner: file)
    }

    /// The bytes of a `.npy` file (format 1.0) holding `values` as a float64 vector.
    public static func encode(_ values: [Double]) -> [UInt8] {
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (\(values.count),), }"
        // Magic (6) + version (2) + length (2) + header, padded with spaces to a multiple of 64, ending in \n.
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        let length = UInt16(header.utf8.count)
        bytes += [UInt8(length & 0xff), UInt8(length >> 8)] + Array(header.utf8)
        bytes.reserveCapacity(bytes.count + 8 * values.count)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
        return bytes
    }

    /// Reads a label vector, shape (n,) or (n, 1), as doubles.
    public static func labels(path: String) throws -> [Double] {
        let file = try MappedFile(path: path)
        let (h, n) = try labelLayout(UnsafeRawBufferPointer(start: file.base, count: file.size), path: path)
        let raw = file.base + h.dataOffset
        return (0..<n).map { i in
            h.dtype == .float32
                ? Double(raw.loadUnaligned(fromByteOffset: 4 * i, as: Float.self))
                : raw.loadUnaligned(fromByteOffset: 8 * i, as: Double.self)
        }
    }

    /// The data of `rows` × `columns` values must fit in the file (products from the header
    /// are checked for overflow: a shape of (2^40, 2^40) is a short file, not a trap).
    private static func checkSize(_ size: Int, _ h: NumpyHeader, _ rows: Int, _ columns: Int, path: String) throws {
        let itemSize = h.dtype == .float32 ? 4 : 8
        let count = rows.multipliedReportingOverflow(by: columns)
        let data = count.partialValue.multipliedReportingOverflow(by: itemSize)
        let need = data.partialValue.addingReportingOverflow(h.dataOffset)
        guard !count.overflow, !data.overflow, !need.overflow, size >= need.partialValue else {
            throw InputError(
                path, "truncated: shape \(h.shape) needs more bytes than the file's \(size)")
        }
    }

    /// The text after `'key':` up to the next top-level comma.
    private static func field(_ key: String, in text: String) -> String? {
        guard let r = text.range(of: "'\(key)':") else { return nil }
        var depth = 0
        var out = ""
        for ch in text[r.upperBound...] {
            if ch == "(" { depth += 1 }
            if ch == ")" { depth -= 1 }
            if (ch == "," && depth == 0) || ch == "}" { break }
            out.append(ch)
        }
        return out
    }
}

extension StringProtocol {
    var trimmingSpaces: String { trimming(" \t\r\n") }

    func trimming(_ set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
