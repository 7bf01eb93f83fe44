// A learned embedding per categorical column with many levels (where one-hot columns
// would be wide and rare levels would each own a column): level code k > 0 reads row k
// of the column's table, code 0 (a level training never saw) reads zeros.
import PRNG

/// `CategoryEmbedding(levels, size d)`: codes c[n×C] → e[n×(C·d)], e[i, j·d..<(j+1)·d] =
/// T_j[c_ij − 1] (zeros for c_ij = 0). Parameters at `offset`: the tables T_j[levels_j × d]
/// one after another.
public struct CategoryEmbedding {
    /// Levels per column (table rows).
    public let levels: [Int]
    public let size: Int
    public let offset: Int
    private let tableOffsets: [Int]

    /// Embedding width per column: TabM's and rtdl's default for categorical embeddings.
    public static let defaultSize = 16

    public init(levels: [Int], size: Int = defaultSize, offset: Int) {
        self.levels = levels
        self.size = size
        self.offset = offset
        var start = offset, offsets = [Int]()
        for l in levels {
            offsets.append(start)
            start += l * size
        }
        tableOffsets = offsets
    }

    public var columns: Int { levels.count }
    public var outputSize: Int { columns * size }
    public var parameterCount: Int { levels.reduce(0, +) * size }

    /// Entries uniform in ±1/sqrt(d), as rtdl's categorical embeddings start.
    public func initialize(_ params: UnsafeMutablePointer<Float>, rng: inout Xoshiro256) {
        let bound = 1 / Double(size).squareRoot()
        for i in 0..<parameterCount { params[offset + i] = Float(rng.uniform(-bound, bound)) }
    }

    /// The table row of a code, or nil for code 0 and codes past the table (unseen levels).
    @inline(__always)
    private func row(column j: Int, code: Float) -> Int? {
        let k = Int(exactly: code) ?? 0
        return k >= 1 && k <= levels[j] ? tableOffsets[j] + (k - 1) * size : nil
    }

    /// Writes the embeddings of codes (column j of row i at codes[i·stride + j]) into
    /// out[i·outStride ..< i·outStride + C·d].
    public func forward(
        _ params: UnsafePointer<Float>, codes: UnsafePointer<Float>, stride: Int,
        output out: UnsafeMutablePointer<Float>, outStride: Int, count n: Int
    ) {
        let d = size
        for i in 0..<n {
            for j in 0..<columns {
                let target = out + i * outStride + j * d
                if let r = row(column: j, code: codes[i * stride + j]) {
                    target.update(from: params + r, count: d)
                } else {
                    target.update(repeating: 0, count: d)
                }
            }
        }
    }

    /// Adds each row's output gradient (dOut laid out as `forward`'s output) into the
    /// table rows its codes read.
    public func backward(
        grads: UnsafeMutablePointer<Float>, codes: UnsafePointer<Float>, stride: Int,
        dOutput: UnsafePointer<Float>, outStride: Int, count n: Int
    ) {
        let d = size
        grads.advanced(by: offset).update(repeating: 0, count: parameterCount)
        for i in 0..<n {
            for j in 0..<columns {
                guard let r = row(column: j, code: codes[i * stride + j]) else { continue }
                let g = grads + r, source = dOutput + i * outStride + j * d
                for t in 0..<d { g[t] += source[t] }
            }
        }
    }
}
