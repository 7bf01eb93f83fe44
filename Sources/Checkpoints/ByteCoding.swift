// Little-endian binary encoding for checkpoints and model files: a writer that
// appends and a reader that throws on truncation instead of reading past the end.

public struct ByteWriter {
    public private(set) var bytes = [UInt8]()

    public init() {}

    public mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }
    public mutating func append(_ value: Double) { append(value.bitPattern) }
    /// Bytes as they are, without a length.
    public mutating func append(raw data: [UInt8]) { bytes += data }
    /// A length-prefixed byte string.
    public mutating func append(_ data: [UInt8]) {
        append(UInt64(data.count))
        bytes += data
    }
    /// A length-prefixed Float32 array.
    public mutating func append(_ values: [Float]) {
        append(UInt64(values.count))
        bytes.reserveCapacity(bytes.count + 4 * values.count)
        for v in values { append(v.bitPattern) }
    }
    /// A length-prefixed Float64 array.
    public mutating func append(_ values: [Double]) {
        append(UInt64(values.count))
        bytes.reserveCapacity(bytes.count + 8 * values.count)
        for v in values { append(v.bitPattern) }
    }
}

public struct ByteReader {
    public struct Truncated: Error {}
    let bytes: [UInt8]
    public private(set) var offset = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var remaining: Int { bytes.count - offset }

    public mutating func read<T: FixedWidthInteger>(_: T.Type) throws -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { throw Truncated() }
        let v = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) }
        offset += size
        return T(littleEndian: v)
    }
    public mutating func readDouble() throws -> Double { Double(bitPattern: try read(UInt64.self)) }
    mutating func readCount(_ elementSize: Int) throws -> Int {
        let n = try read(UInt64.self)
        guard n <= UInt64(remaining / max(elementSize, 1)) else { throw Truncated() }
        return Int(n)
    }
    /// `count` bytes without a length prefix.
    public mutating func readRaw(_ count: Int) throws -> [UInt8] {
        guard count <= remaining else { throw Truncated() }
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }
    public mutating func readBytes() throws -> [UInt8] {
        let n = try readCount(1)
        defer { offset += n }
        return Array(bytes[offset..<(offset + n)])
    }
    public mutating func readFloats() throws -> [Float] {
        let n = try readCount(4)
        return try (0..<n).map { _ in Float(bitPattern: try read(UInt32.self)) }
    }
    public mutating func readDoubles() throws -> [Double] {
        let n = try readCount(8)
        return try (0..<n).map { _ in try readDouble() }
    }
}
