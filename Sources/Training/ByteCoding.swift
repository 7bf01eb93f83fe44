// Little-endian binary encoding for checkpoints: a writer that appends and a
// reader that throws on truncation instead of reading past the end.

struct ByteWriter {
    private(set) var bytes = [UInt8]()

    mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }
    mutating func append(_ value: Double) { append(value.bitPattern) }
    mutating func append(_ data: [UInt8]) {
        append(UInt64(data.count))
        bytes += data
    }
    mutating func append(_ values: [Float]) {
        append(UInt64(values.count))
        values.withUnsafeBytes { bytes += $0 }
    }
    mutating func append(_ values: [Double]) {
        append(UInt64(values.count))
        values.withUnsafeBytes { bytes += $0 }
    }
}

struct ByteReader {
    struct Truncated: Error {}
    let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    mutating func read<T: FixedWidthInteger>(_: T.Type) throws -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { throw Truncated() }
        let v = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) }
        offset += size
        return T(littleEndian: v)
    }
    mutating func readDouble() throws -> Double { Double(bitPattern: try read(UInt64.self)) }
    mutating func readCount(_ elementSize: Int) throws -> Int {
        let n = try read(UInt64.self)
        guard n <= UInt64(remaining / max(elementSize, 1)) else { throw Truncated() }
        return Int(n)
    }
    mutating func readBytes() throws -> [UInt8] {
        let n = try readCount(1)
        defer { offset += n }
        return Array(bytes[offset..<(offset + n)])
    }
    mutating func readFloats() throws -> [Float] {
        let n = try readCount(4)
        let values = (0..<n).map { i in bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset + 4 * i, as: Float.self) } }
        offset += 4 * n
        return values
    }
    mutating func readDoubles() throws -> [Double] {
        let n = try readCount(8)
        let values = (0..<n).map { i in bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset + 8 * i, as: Double.self) } }
        offset += 8 * n
        return values
    }
}
