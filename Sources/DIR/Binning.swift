// Equal-width label bins with the reference's exact edge rule (docs/specification.md §1).
// Shared by LDS weights, FDS statistics and the shot evaluation.

/// `count` equal-width bins over `[lo, hi]`, edges `lo + k·((hi − lo)/count)` in
/// double precision (NumPy's convention, last edge exactly `hi`). `bin(y)` is the
/// largest k with edge_k ≤ y, clamped to the first and last bin.
public struct Binning: Codable, Sendable, Equatable {
    public let lo: Double
    public let hi: Double
    public let count: Int

    public init(lo: Double, hi: Double, count: Int) {
        precondition(count >= 1 && hi > lo, "bad binning: \(count) bins over [\(lo), \(hi)]")
        self.lo = lo
        self.hi = hi
        self.count = count
    }

    /// Integer labels (ages): bin width 1 over [0, maxLabel + 1]; labels above
    /// `maxLabel` fold into the last bin.
    public static func integer(maxLabel: Int) -> Binning {
        Binning(lo: 0, hi: Double(maxLabel + 1), count: maxLabel + 1)
    }

    public var width: Double { (hi - lo) / Double(count) }

    public func edge(_ k: Int) -> Double {
        k == count ? hi : lo + Double(k) * width
    }

    public func bin(_ y: Double) -> Int {
        if !(y >= lo) { return 0 }
        if y >= hi { return count - 1 }
        var k = min(Int((y - lo) / width), count - 1)
        // The quotient can be off by one near an edge; the edges decide.
        while k > 0 && y < edge(k) { k -= 1 }
        while k < count - 1 && y >= edge(k + 1) { k += 1 }
        return k
    }

    /// Histogram of `labels` (a partial one on each rank; sum across ranks).
    public func histogram<S: Sequence>(_ labels: S) -> [Double] where S.Element == Double {
        var h = [Double](repeating: 0, count: count)
        for y in labels { h[bin(y)] += 1 }
        return h
    }
}
