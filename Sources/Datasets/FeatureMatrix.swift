// A row-major feature matrix, either owned in memory (CSV, generated) or mapped
// from a .npy file (float32 or float64), read through one gather kernel.
import CVectorKernels

/// Where the values live. A mapped file keeps its pages shared between the ranks of a node.
public enum FeatureStorage {
    case float32(UnsafePointer<Float>)
    case float64(UnsafePointer<Double>)
}

/// `rows × columns` features. `owner` keeps the memory alive (an array or a mapping).
public final class FeatureMatrix {
    public let rows: Int
    public let columns: Int
    public let storage: FeatureStorage
    private let owner: AnyObject

    public init(rows: Int, columns: Int, storage: FeatureStorage, owner: AnyObject) {
        self.rows = rows
        self.columns = columns
        self.storage = storage
        self.owner = owner
    }

    /// Owns a copy of `values` (row-major, rows × columns).
    public convenience init(rows: Int, columns: Int, values: [Float]) {
        precondition(values.count == rows * columns, "\(values.count) values for \(rows)×\(columns)")
        let box = OwnedFloats(values)
        self.init(
            rows: rows, columns: columns, storage: .float32(UnsafePointer(box.pointer)),
            owner: box)
    }

    /// Writes the standardised rows `indices` contiguously into `out`
    /// ([indices.count × columns]): out = (x − mean) · invStd. The only read
    /// path in training, so mapped files are touched only where a rank trains.
    public func gather(
        _ indices: UnsafeBufferPointer<Int32>, mean: UnsafePointer<Float>,
        invStd: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>
    ) {
        let c = columns
        if case .float32(let base) = storage, let rows = indices.baseAddress {
            cvk_gather_standardized(base, rows, indices.count, c, mean, invStd, out)
            return
        }
        for (k, row) in indices.enumerated() {
            let dst = out + k * c
            switch storage {
            case .float32(let base):
                let src = base + Int(row) * c
                for j in 0..<c { dst[j] = (src[j] - mean[j]) * invStd[j] }
            case .float64(let base):
                let src = base + Int(row) * c
                for j in 0..<c { dst[j] = (Float(src[j]) - mean[j]) * invStd[j] }
            }
        }
    }

    /// Adds Σx and Σx² per column over `rows` to `sums` ([2 × columns], doubles).
    public func accumulateMoments(rows range: Range<Int>, into sums: inout [Double]) {
        let c = columns
        sums.withUnsafeMutableBufferPointer { s in
            for row in range {
                for j in 0..<c {
                    let x = value(row, j)
                    s[j] += x
                    s[c + j] += x * x
                }
            }
        }
    }

    /// First non-finite value among `rows`, as (row, column), or nil.
    public func firstNonFinite(rows range: Range<Int>) -> (Int, Int)? {
        for row in range {
            for j in 0..<columns where !value(row, j).isFinite { return (row, j) }
        }
        return nil
    }

    /// Whether some value is NaN (a missing cell in a `.npy` file).
    public var hasNaN: Bool {
        switch storage {
        case .float32(let p): return (0..<(rows * columns)).contains { p[$0].isNaN }
        case .float64(let p): return (0..<(rows * columns)).contains { p[$0].isNaN }
        }
    }

    @inline(__always)
    public func value(_ row: Int, _ column: Int) -> Double {
        switch storage {
        case .float32(let p): return Double(p[row * columns + column])
        case .float64(let p): return p[row * columns + column]
        }
    }
}

/// Heap storage for an in-memory matrix.
final class OwnedFloats {
    let pointer: UnsafeMutablePointer<Float>
    init(_ values: [Float]) {
        pointer = .allocate(capacity: max(values.count, 1))
        values.withUnsafeBufferPointer { pointer.initialize(from: $0.baseAddress!, count: values.count) }
    }
    deinit { pointer.deallocate() }
}
