// LDS and cost-sensitive reweighting (docs/specification.md §2): per-bin values from the
// global training histogram, optionally kernel-smoothed, inverted into weights.

public enum Reweight: String, CaseIterable, Codable, Sendable {
    case none
    case inverse
    case sqrtInv = "sqrt_inv"
    /// Per-sample weights from a KDE of the labels (`DenseWeight`), not from bins.
    case denseWeight = "denseweight"
}

/// The per-bin steps of the weight computation, kept so `dir-dist lds` can show them.
public struct LabelWeights: Sendable {
    /// Training samples per bin (over all ranks).
    public let counts: [Double]
    /// v_b: sqrt(n_b), clip(n_b, 5, 1000), or 1 for `none`.
    public let values: [Double]
    /// v'_b: values convolved with the LDS window (equal to values without LDS).
    public let smoothed: [Double]
    /// Weight of a sample in bin b: c / v'_b, with c making the training mean 1.
    public let binWeights: [Double]

    /// - Parameters:
    ///   - counts: the global training histogram.
    ///   - kernel: the LDS kernel, or nil without LDS.
    public init(counts: [Double], reweight: Reweight, kernel: Kernel?) {
        precondition(
            kernel == nil || reweight == .inverse || reweight == .sqrtInv, "LDS needs --reweight inverse or sqrt_inv")
        self.counts = counts
        let values: [Double]
        switch reweight {
        case .none, .denseWeight: values = counts.map { _ in 1 }
        case .sqrtInv: values = counts.map { $0.squareRoot() }
        case .inverse: values = counts.map { min(max($0, 5), 1000) }
        }
        let smoothed = kernel.map { convolveZeroPadded(values, $0.ldsWindow) } ?? values
        self.values = values
        self.smoothed = smoothed
        // Mean over samples of 1/v' = Σ_b n_b / v'_b / N.
        var sum = 0.0
        var total = 0.0
        for (n, v) in zip(counts, smoothed) where n > 0 {
            sum += n / v
            total += n
        }
        let unweighted = reweight == .none || reweight == .denseWeight
        let scale = unweighted || total == 0 ? 1 : total / sum
        binWeights = smoothed.map { unweighted ? 1 : ($0 > 0 ? scale / $0 : 0) }
    }

    /// The table of per-sample weights (DenseWeight): per bin the mean weight of its
    /// samples (0 for an empty bin); values and smoothed values are 1.
    public init(counts: [Double], sampleBins: [Int32], sampleWeights: [Double]) {
        self.counts = counts
        values = counts.map { _ in 1 }
        smoothed = values
        var sums = [Double](repeating: 0, count: counts.count)
        for (b, w) in zip(sampleBins, sampleWeights) { sums[Int(b)] += w }
        binWeights = zip(sums, counts).map { $1 > 0 ? $0 / $1 : 0 }
    }

    public func weight(bin: Int) -> Double { binWeights[bin] }

    /// The per-bin table as CSV (`lds_weights.csv`, `dir-dist lds`):
    /// `bin,lo,hi,count,value,smoothed,weight`.
    public func table(_ binning: Binning) -> String {
        var csv = "bin,lo,hi,count,value,smoothed,weight\n"
        for b in 0..<binning.count {
            csv += "\(b),\(binning.edge(b)),\(binning.edge(b + 1)),\(Int(counts[b])),\(values[b]),\(smoothed[b]),"
            csv += "\(binWeights[b])\n"
        }
        return csv
    }
}

/// scipy.ndimage.convolve1d(values, window, mode='constant'): zeros beyond both ends.
public func convolveZeroPadded(_ values: [Double], _ window: [Double]) -> [Double] {
    let half = window.count / 2
    return values.indices.map { b in
        var s = 0.0
        for (j, w) in window.enumerated() {
            let k = b + j - half
            if k >= 0 && k < values.count { s += w * values[k] }
        }
        return s
    }
}
