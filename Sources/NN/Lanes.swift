// Eight Float32 lanes through raw pointers: the vector loops of the optimizers and
// of the shared-memory gradient sum. Not a general SIMD library.

/// Eight Float lanes, loaded and stored through raw pointers (unaligned is fine:
/// shards and ranges start anywhere).
public enum Lanes {
    public typealias Vector = SIMD8<Float>
    public static let scalarCount = 8

    @inline(__always) public static func load(_ p: UnsafePointer<Float>) -> Vector {
        UnsafeRawPointer(p).loadUnaligned(as: Vector.self)
    }

    @inline(__always) public static func store(_ v: Vector, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector.self)
    }

    /// out[i] = a[i] + b[i] for i < count, eight lanes at a time (out may be a or b).
    public static func add(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int
    ) {
        var i = 0
        while i + scalarCount <= count {
            store(load(a + i) + load(b + i), out + i)
            i += scalarCount
        }
        while i < count {
            out[i] = a[i] + b[i]
            i += 1
        }
    }
}
