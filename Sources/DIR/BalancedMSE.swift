// Balanced MSE (Ren et al., CVPR 2022; docs/peer-methods.md §1): the three losses BMC, GAI and
// BNI with one learnable noise scale σ (variance v = σ²). Every loss ends with the
// factor 2v treated as a constant (the reference detaches it), so ∂/∂σ = 2v·∂ℓ/∂v·2σ.
// Log-sum-exps are max-shifted; sums run in Double.

#if canImport(Glibc)
    import Glibc
#endif

public enum BalancedMSEKind: String, CaseIterable, Codable, Sendable {
    /// Batch-based Monte-Carlo: the batch's own targets are the prior.
    case bmc
    /// GMM-based analytical integration: a Gaussian mixture of the training labels.
    case gai
    /// Bin-based numerical integration: the training histogram's bucket centres.
    case bni
}

/// The training-label prior of GAI and BNI as weighted components: centre μ_k,
/// variance s_k (0 for BNI's buckets) and weight π_k.
public struct LabelPrior: Codable, Sendable, Equatable {
    public var means: [Double]
    public var variances: [Double]
    public var weights: [Double]

    public init(means: [Double], variances: [Double], weights: [Double]) {
        precondition(means.count == variances.count && means.count == weights.count, "prior arrays differ in length")
        self.means = means
        self.variances = variances
        self.weights = weights
    }

    /// Means, then variances, then weights: how a checkpoint stores the prior and a
    /// broadcast moves it.
    public var flat: [Double] { means + variances + weights }

    /// A prior from `flat` (3·K values, as `flat` gives them).
    public init(flat: [Double]) {
        let k = flat.count / 3
        precondition(flat.count == 3 * k, "a flat prior has 3·K values, got \(flat.count)")
        self.init(
            means: Array(flat[0..<k]), variances: Array(flat[k..<(2 * k)]), weights: Array(flat[(2 * k)...]))
    }

    /// The same prior for labels mapped by y' = (y − shift) / scale.
    public func mapped(shift: Double, scale: Double) -> LabelPrior {
        LabelPrior(
            means: means.map { ($0 - shift) / scale }, variances: variances.map { $0 / (scale * scale) },
            weights: weights)
    }

    /// BNI's buckets (BM `datasets.py` `get_bucket_info`): for integer labels the
    /// distinct values ⌊y⌋ (labels with ⌊y⌋ ≥ `maxTarget` left out, as the reference's
    /// max_target), otherwise the midpoints of the non-empty bins of `binning`;
    /// weights are the counts over their sum.
    public static func buckets(labels: [Double], binning: Binning, maxTarget: Int? = nil) -> LabelPrior {
        var counts = [Double: Double]()
        let integers = labels.allSatisfy { $0 == $0.rounded(.down) }
        for y in labels {
            if integers {
                if let maxTarget, y >= Double(maxTarget) { continue }
                counts[y.rounded(.down), default: 0] += 1
            } else {
                let k = binning.bin(y)
                counts[(binning.edge(k) + binning.edge(k + 1)) / 2, default: 0] += 1
            }
        }
        let centres = counts.keys.sorted()
        let total = counts.values.reduce(0, +)
        return LabelPrior(
            means: centres, variances: centres.map { _ in 0 }, weights: centres.map { counts[$0]! / total })
    }
}

/// One Balanced MSE loss. `prior` is used by GAI and BNI (BNI's variances are 0, and
/// with them GAI's formula is BNI's: the ½·log v terms cancel).
public struct BalancedMSE {
    public let kind: BalancedMSEKind
    public let prior: LabelPrior?
    private let logWeights: [Double]

    public init(kind: BalancedMSEKind, prior: LabelPrior?) {
        precondition(kind == .bmc || prior != nil, "\(kind.rawValue) needs a label prior")
        self.kind = kind
        self.prior = prior
        logWeights = prior?.weights.map { log($0) } ?? []
    }

    /// The result of `evaluate`: Σ_i w_i·2v·ℓ_i over the rows given, and
    /// scale·Σ_i w_i·∂(2v·ℓ_i)/∂σ.
    public struct Value {
        public var loss: Double
        public var dSigma: Double
    }

    /// Rows i = 0..<n of a batch whose targets are `batchTargets[0..<batchCount]`, row i
    /// being batch row `firstRow + i` (BMC compares each prediction with every target of
    /// the batch; GAI and BNI need only the row's own). Writes dPrediction[i] =
    /// scale·w_i·∂(2v·ℓ_i)/∂p_i. `weights == nil` means all ones.
    public func evaluate(
        prediction: UnsafePointer<Float>, batchTargets: UnsafePointer<Float>, batchCount: Int, firstRow: Int,
        weights: UnsafePointer<Float>?, count n: Int, sigma: Float, scale: Double,
        dPrediction: UnsafeMutablePointer<Float>
    ) -> Value {
        let s = Double(sigma), v = s * s
        var total = 0.0, dVariance = 0.0
        for i in 0..<n {
            let w = weights.map { Double($0[i]) } ?? 1
            let p = Double(prediction[i]), t = Double(batchTargets[firstRow + i])
            let (l, dp, dv) =
                kind == .bmc
                ? monteCarloRow(p, own: firstRow + i, batchTargets, batchCount, v)
                : integralRow(p, t, v)
            total += w * 2 * v * l
            dVariance += w * dv
            dPrediction[i] = Float(scale * w * 2 * v * dp)
        }
        return Value(loss: total, dSigma: scale * 2 * v * dVariance * 2 * s)
    }

    /// BMC row: ℓ = LSE_j z_j − z_own with z_j = −(p − t_j)²/(2v); returns ℓ, ∂ℓ/∂p, ∂ℓ/∂v.
    @inline(__always)
    private func monteCarloRow(_ p: Double, own: Int, _ t: UnsafePointer<Float>, _ count: Int, _ v: Double)
        -> (Double, Double, Double)
    {
        var top = -Double.infinity
        for j in 0..<count {
            let d = p - Double(t[j])
            top = max(top, -d * d / (2 * v))
        }
        var sum = 0.0, sumD = 0.0, sumD2 = 0.0
        for j in 0..<count {
            let d = p - Double(t[j])
            let e = exp(-d * d / (2 * v) - top)
            sum += e
            sumD += e * d
            sumD2 += e * d * d
        }
        let dOwn = p - Double(t[own])
        let l = top + log(sum) + dOwn * dOwn / (2 * v)
        let dp = (dOwn - sumD / sum) / v
        let dv = (sumD2 / sum - dOwn * dOwn) / (2 * v * v)
        return (l, dp, dv)
    }

    /// GAI/BNI row: ℓ = (p − t)²/(2v) + ½·log v + LSE_k a_k with
    /// a_k = −½·log S_k − ½(p − μ_k)²/S_k + log π_k, S_k = s_k + v (BNI: s_k = 0);
    /// returns ℓ, ∂ℓ/∂p, ∂ℓ/∂v.
    @inline(__always)
    private func integralRow(_ p: Double, _ t: Double, _ v: Double) -> (Double, Double, Double) {
        let prior = prior!
        let k = prior.means.count
        var top = -Double.infinity
        for c in 0..<k {
            top = max(top, component(p, c, prior, v))
        }
        var sum = 0.0, sumP = 0.0, sumV = 0.0
        for c in 0..<k {
            let spread = prior.variances[c] + v, d = p - prior.means[c]
            let r = exp(component(p, c, prior, v) - top)
            sum += r
            sumP += r * d / spread
            sumV += r * (-1 / (2 * spread) + d * d / (2 * spread * spread))
        }
        let e = p - t
        let l = e * e / (2 * v) + 0.5 * log(v) + top + log(sum)
        let dp = e / v - sumP / sum
        let dv = -e * e / (2 * v * v) + 1 / (2 * v) + sumV / sum
        return (l, dp, dv)
    }

    @inline(__always)
    private func component(_ p: Double, _ c: Int, _ prior: LabelPrior, _ v: Double) -> Double {
        let spread = prior.variances[c] + v, d = p - prior.means[c]
        return -0.5 * log(spread) - 0.5 * d * d / spread + logWeights[c]
    }
}
