// Dropout after each hidden layer's ReLU during training (Srivastava et al., JMLR 2014),
// as TabM and RealMLP use it on tables. The mask of a row is drawn from (seed, epoch,
// training row, layer), not from a running stream, so it does not depend on which rank
// holds the row, on the batch it falls in, or on where a resumed run restarts.
import PRNG

/// Which units of one training batch are dropped: rate p, and the batch's training rows.
public struct DropoutMasks {
    /// Probability of dropping a unit; kept units are scaled by 1/(1 − p).
    public let rate: Float
    public let seed: UInt64
    public let epoch: Int
    /// The training-set row of each batch row.
    public let rows: UnsafePointer<Int32>

    public init(rate: Float, seed: UInt64, epoch: Int, rows: UnsafePointer<Int32>) {
        precondition(rate >= 0 && rate < 1, "dropout rate must be in [0, 1), got \(rate)")
        self.rate = rate
        self.seed = seed
        self.epoch = epoch
        self.rows = rows
    }

    var keptScale: Float { 1 / (1 - rate) }

    /// Drops units of layer `layer`'s activation a[n × width] (each row's `width` units
    /// follow one another; with an ensemble a row of the batch spans `members` of them)
    /// and scales the kept ones. A dropped unit becomes 0, which the ReLU backward pass
    /// already treats as inactive.
    public func apply(_ a: UnsafeMutablePointer<Float>, layer: Int, count n: Int, width: Int) {
        let threshold = UInt32(clamping: Int64((Double(rate) * 4_294_967_296).rounded(.down)))
        let scale = keptScale
        for i in 0..<n {
            var rng = generator(row: Int(rows[i]), layer: layer)
            let row = a + i * width
            var u = 0
            while u < width {
                let bits = rng.next()
                for half in 0..<2 where u < width {
                    let draw = UInt32(truncatingIfNeeded: bits >> (32 * UInt64(half)))
                    row[u] = draw < threshold ? 0 : row[u] * scale
                    u += 1
                }
            }
        }
    }

    private func generator(row: Int, layer: Int) -> Xoshiro256 {
        let key = (UInt64(truncatingIfNeeded: epoch) &* 0x1_0000_0000 &+ UInt64(truncatingIfNeeded: row)) &* 64
        return Xoshiro256(seed: seed ^ 0xD207_0D07, stream: key &+ UInt64(layer))
    }
}
