// RankSim (Gong et al., ICML 2022; docs/peer-methods.md §2): a regulariser that makes the ranking
// of a sample's feature similarities follow the ranking of its label similarities,
// differentiated as a blackbox ranker (Vlastelica et al.). All scratch is allocated
// once; a step sorts with an in-place heap sort (no allocation).
import NN
import PRNG

#if canImport(Glibc)
    import Glibc
#endif

public final class RankSim {
    /// γ: the regulariser's weight in the loss (fed to the ranker as is, docs/peer-methods.md §2.3).
    public let gamma: Double
    /// λ: the blackbox interpolation strength.
    public let lambda: Double
    public let capacity: Int
    public let dimension: Int
    private let unit: FloatBuffer  // U[n×d], rows normalised
    private let norms: FloatBuffer  // max(‖x_i‖, 1e-12)
    private let similarity: FloatBuffer  // S = U·Uᵀ [n×n], then the ranker's G + Gᵀ
    private let rowGradient: FloatBuffer  // G[n×n]
    private let dUnit: FloatBuffer  // dU[n×d]
    private let featureRanks: UnsafeMutablePointer<Float>
    private let labelRanks: UnsafeMutablePointer<Float>
    private let perturbed: UnsafeMutablePointer<Float>
    private let order: UnsafeMutablePointer<Int32>
    /// The samples by ascending label, and each sample's place in that order.
    private let byLabel: UnsafeMutablePointer<Int32>
    private let labelPlace: UnsafeMutablePointer<Int32>

    public init(gamma: Double, lambda: Double, capacity: Int, dimension: Int) {
        self.gamma = gamma
        self.lambda = lambda
        self.capacity = max(capacity, 1)
        self.dimension = dimension
        let n = self.capacity
        unit = FloatBuffer(count: n * dimension)
        norms = FloatBuffer(count: n)
        similarity = FloatBuffer(count: n * n)
        rowGradient = FloatBuffer(count: n * n)
        dUnit = FloatBuffer(count: n * dimension)
        featureRanks = .allocate(capacity: n)
        labelRanks = .allocate(capacity: n)
        perturbed = .allocate(capacity: n)
        order = .allocate(capacity: n)
        byLabel = .allocate(capacity: n)
        labelPlace = .allocate(capacity: n)
    }

    deinit {
        for p in [featureRanks, labelRanks, perturbed] { p.deallocate() }
        for p in [order, byLabel, labelPlace] { p.deallocate() }
    }

    /// The samples the regulariser uses (docs/peer-methods.md §2.1): the whole batch in batch order
    /// when every label differs; otherwise one sample per distinct label, in ascending
    /// label order, drawn uniformly by `rng` among that label's samples (in batch order).
    /// Writes batch positions into `kept` and returns how many.
    public static func subset(
        labels: UnsafePointer<Float>, count n: Int, rng: inout Xoshiro256, kept: UnsafeMutablePointer<Int32>
    ) -> Int {
        for i in 0..<n { kept[i] = Int32(i) }
        heapSort(kept, n) { a, b in
            labels[Int(a)] < labels[Int(b)] || (labels[Int(a)] == labels[Int(b)] && a < b)
        }
        var distinct = 0, start = 0
        while start < n {
            var end = start + 1
            while end < n && labels[Int(kept[end])] == labels[Int(kept[start])] { end += 1 }
            kept[distinct] = kept[start + (end - start > 1 ? rng.below(end - start) : 0)]
            distinct += 1
            start = end
        }
        if distinct == n { for i in 0..<n { kept[i] = Int32(i) } }
        return distinct
    }

    /// R over n samples with features x[n×d] (rows as kept) and labels y[n]; writes
    /// ∂(γ·R)/∂x into dx[n×d] and returns R.
    public func evaluate(
        features x: UnsafePointer<Float>, labels y: UnsafePointer<Float>, count n: Int,
        dFeatures dx: UnsafeMutablePointer<Float>
    ) -> Double {
        precondition(n <= capacity, "RankSim over \(n) samples exceeds its capacity \(capacity)")
        let d = dimension
        guard n > 1 else {
            dx.update(repeating: 0, count: n * d)
            return 0
        }
        normalise(x, n)
        let s = similarity.pointer, g = rowGradient.pointer
        similarities(n)
        let scale = Float(lambda + 1e-8)
        let twoOverN = Float(2 / Double(n)), gammaFloat = Float(gamma), lambdaFloat = Float(lambda)
        let distinctLabels = sortLabels(y, n)
        var value = 0.0
        for i in 0..<n {
            let row = s + i * n
            let yi = y[i]
            if distinctLabels {
                labelRanksOutward(from: i, y, n)
            } else {
                Self.normalisedRanks(n, { -abs(yi - y[$0]) }, into: labelRanks, order: order)
            }
            // Last, so that `order` holds the row's order for `reRank`.
            Self.normalisedRanks(n, { row[$0] }, into: featureRanks, order: order)
            // The ranker's incoming gradient is γ·∂R/∂ranks, exactly (never rescaled), rounded
            // as the reference's mean-squared-error backward rounds it: (2/n)·(r_f − r_y), then
            // ·γ. A perturbed value that lands on a tie ranks by that last bit.
            for j in 0..<n {
                let difference = featureRanks[j] - labelRanks[j]
                value += Double(difference) * Double(difference) / Double(n)
                let upstream = twoOverN * difference * gammaFloat
                perturbed[j] = row[j] + lambdaFloat * upstream
            }
            let perturbedRanks = labelRanks  // the label ranks of row i are used up
            Self.reRank(n, perturbed, into: perturbedRanks, order: order)
            for j in 0..<n { g[i * n + j] = -(featureRanks[j] - perturbedRanks[j]) / scale }
        }
        // Through S = U·Uᵀ: dU = (G + Gᵀ)·U.
        for i in 0..<n { for j in 0..<n { s[i * n + j] = g[i * n + j] + g[j * n + i] } }
        BLAS.gemm(m: n, n: d, k: n, a: s, lda: n, b: unit.pointer, ldb: d, c: dUnit.pointer, ldc: d)
        // Through U = x / max(‖x‖, 1e-12).
        for i in 0..<n {
            let u = unit.pointer + i * d, du = dUnit.pointer + i * d, out = dx + i * d
            var dot: Float = 0
            for k in 0..<d { dot += u[k] * du[k] }
            let inverse = 1 / norms.pointer[i]
            let projected: Float = norms.pointer[i] > 1e-12 ? dot : 0
            for k in 0..<d { out[k] = (du[k] - u[k] * projected) * inverse }
        }
        return value
    }

    /// Sorts the samples by label; true when no two labels are equal (always so for the
    /// subsets `subset` keeps).
    private func sortLabels(_ y: UnsafePointer<Float>, _ n: Int) -> Bool {
        for i in 0..<n { byLabel[i] = Int32(i) }
        Self.heapSort(byLabel, n) { a, b in y[Int(a)] < y[Int(b)] || (y[Int(a)] == y[Int(b)] && a < b) }
        for p in 0..<n { labelPlace[Int(byLabel[p])] = Int32(p) }
        return (1..<max(n, 1)).allSatisfy { y[Int(byLabel[$0 - 1])] < y[Int(byLabel[$0])] }
    }

    /// Row i's label ranks when labels are distinct: in label order, the next most similar
    /// label is the nearer of the two neighbours not yet ranked, so the ranking is a merge
    /// outward from y_i (n steps instead of a sort). Equal distances on both sides go to
    /// the larger index first, the sort's tie rule.
    private func labelRanksOutward(from i: Int, _ y: UnsafePointer<Float>, _ n: Int) {
        let yi = y[i], place = Int(labelPlace[i])
        var below = place - 1, above = place + 1
        labelRanks[i] = 1 / Float(n)
        for rank in 1..<n {
            let takeBelow: Bool
            if below < 0 {
                takeBelow = false
            } else if above >= n {
                takeBelow = true
            } else {
                let a = Int(byLabel[below]), b = Int(byLabel[above])
                let da = abs(yi - y[a]), db = abs(yi - y[b])
                takeBelow = da < db || (da == db && a > b)
            }
            let j = Int(byLabel[takeBelow ? below : above])
            if takeBelow { below -= 1 } else { above += 1 }
            labelRanks[j] = Float(rank + 1) / Float(n)
        }
    }

    /// S = U·Uᵀ, every entry from one fixed-order dot product, so that equal rows of U
    /// give exactly equal similarities: an exact tie the ranks must break by index, as
    /// the reference's do. (A GEMM's edge tiles round some columns differently, which
    /// turns such ties into ranks that differ from the reference's.)
    private func similarities(_ n: Int) {
        let d = dimension, u = UnsafePointer(unit.pointer), s = similarity.pointer
        for i in 0..<n {
            for j in 0...i {
                let v = Self.dot(u + i * d, u + j * d, d)
                s[i * n + j] = v
                s[j * n + i] = v
            }
        }
    }

    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ d: Int) -> Float {
        var lanes = Lanes.Vector(repeating: 0)
        var k = 0
        while k + Lanes.scalarCount <= d {
            lanes += Lanes.load(a + k) * Lanes.load(b + k)
            k += Lanes.scalarCount
        }
        var sum = lanes.sum()
        while k < d {
            sum += a[k] * b[k]
            k += 1
        }
        return sum
    }

    private func normalise(_ x: UnsafePointer<Float>, _ n: Int) {
        let d = dimension
        for i in 0..<n {
            var sum: Float = 0
            for k in 0..<d { sum += x[i * d + k] * x[i * d + k] }
            let norm = max(sum.squareRoot(), 1e-12)
            norms.pointer[i] = norm
            for k in 0..<d { unit.pointer[i * d + k] = x[i * d + k] / norm }
        }
    }

    /// (rank + 1)/n in Float, rank 0 for the largest value; among equal values the
    /// larger index ranks first (the stable-argsort rule of RS `sts-b-dir/ranking.py`).
    @inline(__always)
    static func normalisedRanks<T: Comparable>(
        _ n: Int, _ value: (Int) -> T, into ranks: UnsafeMutablePointer<Float>, order: UnsafeMutablePointer<Int32>
    ) {
        for i in 0..<n { order[i] = Int32(i) }
        heapSort(order, n) { a, b in
            let u = value(Int(a)), v = value(Int(b))
            return u > v || (u == v && a > b)
        }
        for p in 0..<n { ranks[Int(order[p])] = Float(p + 1) / Float(n) }
    }

    /// `normalisedRanks` of `values` when `order` already holds the order of values close
    /// to them (the row before the ranker's small perturbation): an insertion sort from
    /// there costs one pass plus the few swaps the perturbation causes.
    static func reRank(
        _ n: Int, _ values: UnsafePointer<Float>, into ranks: UnsafeMutablePointer<Float>,
        order: UnsafeMutablePointer<Int32>
    ) {
        func before(_ a: Int32, _ b: Int32) -> Bool {
            let u = values[Int(a)], v = values[Int(b)]
            return u > v || (u == v && a > b)
        }
        for p in 1..<max(n, 1) {
            let item = order[p]
            var q = p
            while q > 0 && before(item, order[q - 1]) {
                order[q] = order[q - 1]
                q -= 1
            }
            order[q] = item
        }
        for p in 0..<n { ranks[Int(order[p])] = Float(p + 1) / Float(n) }
    }

    /// Sorts `a[0..<n]` in place by `before` (a strict total order), without allocating.
    @inline(__always)
    static func heapSort(_ a: UnsafeMutablePointer<Int32>, _ n: Int, _ before: (Int32, Int32) -> Bool) {
        func siftDown(_ start: Int, _ end: Int) {
            var root = start
            while 2 * root + 1 < end {
                var child = 2 * root + 1
                if child + 1 < end && before(a[child], a[child + 1]) { child += 1 }
                guard before(a[root], a[child]) else { return }
                a.swapAt(root, child)
                root = child
            }
        }
        guard n > 1 else { return }
        for start in stride(from: n / 2 - 1, through: 0, by: -1) { siftDown(start, n) }
        for end in stride(from: n - 1, to: 0, by: -1) {
            a.swapAt(0, end)
            siftDown(0, end)
        }
    }
}

extension UnsafeMutablePointer {
    @inline(__always)
    fileprivate func swapAt(_ i: Int, _ j: Int) {
        let t = self[i]
        self[i] = self[j]
        self[j] = t
    }
}
