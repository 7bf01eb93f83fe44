// An owned, contiguous, aligned Float32 allocation that lives as long as its owner.
// Hot loops take its pointer once; there is no copy-on-write and no resizing.

/// A fixed-size zero-initialised Float buffer. A class so that layers can share
/// slices of it without copies; never resized after creation.
public final class FloatBuffer {
    public let count: Int
    public let pointer: UnsafeMutablePointer<Float>
    /// Keeps borrowed memory alive; nil when the buffer owns its allocation.
    private let owner: AnyObject?

    public init(count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
        owner = nil
    }

    /// A view of `count` Floats at `pointer` that `owner` keeps alive (for example a
    /// segment of memory shared between ranks); never deallocated by the buffer.
    public init(borrowing pointer: UnsafeMutablePointer<Float>, count: Int, owner: AnyObject) {
        self.count = count
        self.pointer = pointer
        self.owner = owner
    }

    deinit { if owner == nil { pointer.deallocate() } }

    public var buffer: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: pointer, count: count)
    }

    public func copy(from other: FloatBuffer) {
        precondition(other.count == count, "buffer sizes differ: \(other.count) vs \(count)")
        pointer.update(from: other.pointer, count: count)
    }

    public var array: [Float] { Array(buffer) }

    public func assign(_ values: [Float]) {
        precondition(values.count == count, "assign: \(values.count) values into \(count)")
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: count) }
    }
}
