// How each global batch is split among the ranks. Fixed (the default): rank r takes
// rows [r·B/P, (r+1)·B/P). Balanced (`--balance`): shares follow each rank's measured
// compute speed, so a rank whose core runs slow for a while gets fewer rows and the
// others do not wait for it. The gradient of the global batch is a sum over its rows,
// whichever rank computes them, so the model is the same up to summation order; but
// the split now depends on timing, so runs are not bit-for-bit repeatable.

/// The split of global batches among `ranks` ranks. Every rank holds an identical copy
/// and feeds it identical measurements, so all compute the same boundaries.
struct BatchSplit {
    let ranks: Int
    /// Most rows one rank may take (its buffers' size).
    let capacity: Int
    let balanced: Bool
    /// Estimated seconds per row of each rank (0: not measured yet).
    private var secondsPerRow: [Double]
    private var shares: [Double]
    private var counts: [Int]
    /// Row offsets of the last split: rank r takes offsets[r]..<offsets[r + 1].
    private(set) var offsets: [Int]

    /// Weight of the newest measurement: speeds persist over tens of steps on a noisy
    /// machine, and the previous steps' speed predicts the next one well.
    static let smoothing = 0.5
    /// No rank's share falls below this fraction of an even share, so it keeps
    /// getting rows (and measurements) and recovers when its core does.
    static let smallestShare = 0.25

    init(ranks: Int, capacity: Int, balanced: Bool) {
        self.ranks = ranks
        self.capacity = capacity
        self.balanced = balanced
        secondsPerRow = [Double](repeating: 0, count: ranks)
        shares = [Double](repeating: 1 / Double(ranks), count: ranks)
        counts = [Int](repeating: 0, count: ranks)
        offsets = [Int](repeating: 0, count: ranks + 1)
    }

    /// Splits a global batch of `count` rows (count ≤ ranks · capacity).
    mutating func split(_ count: Int) {
        if !balanced {
            for r in 0...ranks { offsets[r] = r * count / ranks }
            return
        }
        Self.apportion(count, shares: shares, capacity: capacity, into: &counts)
        offsets[0] = 0
        for r in 0..<ranks { offsets[r + 1] = offsets[r] + counts[r] }
    }

    /// Takes each rank's seconds per row of the last step (0 when it had no rows).
    mutating func observe(_ measured: (Int) -> Float) {
        guard balanced else { return }
        for r in 0..<ranks {
            let m = Double(measured(r))
            guard m > 0, m.isFinite else { continue }
            secondsPerRow[r] = secondsPerRow[r] == 0 ? m : Self.smoothing * m + (1 - Self.smoothing) * secondsPerRow[r]
        }
        guard secondsPerRow.allSatisfy({ $0 > 0 }) else { return }
        var total = 0.0
        for r in 0..<ranks {
            shares[r] = 1 / secondsPerRow[r]
            total += shares[r]
        }
        let floor = Self.smallestShare / Double(ranks)
        var clamped = 0.0
        for r in 0..<ranks {
            shares[r] = max(shares[r] / total, floor)
            clamped += shares[r]
        }
        for r in 0..<ranks { shares[r] /= clamped }
    }

    /// Whole rows in proportion to `shares`, none above `capacity`, summing to `count`:
    /// the floors first, then one row at a time to the largest remainder (lowest rank
    /// on ties), so every rank computes the same result.
    static func apportion(_ count: Int, shares: [Double], capacity: Int, into counts: inout [Int]) {
        precondition(count <= capacity * shares.count, "batch of \(count) rows exceeds \(shares.count) × \(capacity)")
        var left = count
        for r in shares.indices {
            counts[r] = min(Int((Double(count) * shares[r]).rounded(.down)), capacity)
            left -= counts[r]
        }
        while left > 0 {
            var best = -1
            var bestRemainder = -Double.infinity
            for r in shares.indices where counts[r] < capacity {
                let remainder = Double(count) * shares[r] - Double(counts[r])
                if remainder > bestRemainder {
                    best = r
                    bestRemainder = remainder
                }
            }
            counts[best] += 1
            left -= 1
        }
    }
}
