// Eight Float32 lanes through raw pointers: the vector loops of the optimizers (which
// also sum the ranks' gradients on the shared-memory path) and of ReLU. Not a general
// SIMD library.

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
}
