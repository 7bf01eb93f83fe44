// FDS per-bin feature statistics (docs/specification.md §3): momentum update from an epoch's
// per-bin sums, reflect-padded kernel smoothing that ignores never-populated bins,
// and the calibration z' = (z − μ_b)·sqrt(clip(σ̃²_b/σ²_b)) + μ̃_b. No MPI here.

/// Which features the statistics describe.
public enum FDSStatisticsMode: String, CaseIterable, Codable, Sendable {
    /// The raw last-hidden features z (this project's default, docs/specification.md §3.7 difference 1).
    case raw
    /// The calibrated features z', as the reference code collects them.
    case calibrated
}

/// When the epoch's statistics are gathered.
public enum FDSPass: String, CaseIterable, Codable, Sendable {
    /// A forward pass over the training set with the weights at the end of the epoch (docs/specification.md §3).
    case separate
    /// From the training steps' own forward passes during the epoch, as the reference
    /// code does: no extra pass, but each sample's features come from the weights of its step.
    case online
}

public struct FDSConfig: Codable, Sendable, Equatable {
    public var kernel = Kernel(.gaussian, size: 5, sigma: 2)
    public var momentum = 0.9
    public var clip: ClosedRange<Double> = 0.1...10
    public var statistics: FDSStatisticsMode = .raw
    public var startUpdate = 0
    public var startSmooth = 1
    public var pass: FDSPass = .online
    public init() {}
}

/// Running and smoothed statistics of `binCount` bins × `featureSize` dimensions,
/// row-major by bin. Every rank holds the same values (rank 0 computes, broadcasts).
public final class FeatureStatistics {
    public let binCount: Int
    public let featureSize: Int
    public var runningMean: [Double]
    public var runningVariance: [Double]
    public var smoothedMean: [Double]
    public var smoothedVariance: [Double]
    /// Samples seen per bin over all updates (the reference's num_samples_tracked).
    public var samplesTracked: [Double]

    public init(binCount: Int, featureSize: Int) {
        self.binCount = binCount
        self.featureSize = featureSize
        let n = binCount * featureSize
        runningMean = [Double](repeating: 0, count: n)
        runningVariance = [Double](repeating: 1, count: n)
        smoothedMean = [Double](repeating: 0, count: n)
        smoothedVariance = [Double](repeating: 1, count: n)
        samplesTracked = [Double](repeating: 0, count: binCount)
    }

    /// Width of one bin's record in the epoch sums: count, Σz, Σz².
    public var sumsWidth: Int { 1 + 2 * featureSize }

    /// Adds rows of `z` ([n × featureSize]) to `sums` ([binCount × sumsWidth]) by bin.
    public func accumulate(
        _ z: UnsafePointer<Float>, bins: UnsafePointer<Int32>, count n: Int,
        into sums: UnsafeMutablePointer<Double>
    ) {
        let d = featureSize, w = sumsWidth
        for i in 0..<n {
            let record = sums + Int(bins[i]) * w
            record[0] += 1
            let row = z + i * d
            for j in 0..<d {
                let v = Double(row[j])
                record[1 + j] += v
                record[1 + d + j] += v * v
            }
        }
    }

    /// The momentum update from an epoch's global per-bin sums: for bins with
    /// samples, μ = m (first update) or (1 − mom)·m + mom·μ, likewise σ² with the
    /// unbiased variance (biased for one sample). Bins without samples keep theirs.
    public func update(sums: [Double], isFirstUpdate: Bool, momentum: Double) {
        let d = featureSize, w = sumsWidth
        let factor = isFirstUpdate ? 0 : momentum
        for b in 0..<binCount {
            let c = sums[b * w]
            guard c > 0 else { continue }
            samplesTracked[b] += c
            for j in 0..<d {
                let s = sums[b * w + 1 + j], q = sums[b * w + 1 + d + j]
                let mean = s / c
                let variance = max(q - s * mean, 0) / (c > 1 ? c - 1 : 1)
                runningMean[b * d + j] = (1 - factor) * mean + factor * runningMean[b * d + j]
                runningVariance[b * d + j] = (1 - factor) * variance + factor * runningVariance[b * d + j]
            }
        }
    }

    /// Smooths the running statistics across bins with `window` (sum 1), padding by
    /// reflection (d c b | a b c d | c b a). Bins that never held a sample are left out
    /// of the sums and the window is renormalised over the populated bins it covers;
    /// an empty bin with no populated bin in reach takes the nearest populated bin's values.
    public func smooth(window: [Double]) {
        let d = featureSize, half = window.count / 2
        let populated = samplesTracked.map { $0 > 0 }
        var reached = [Bool](repeating: false, count: binCount)
        for b in 0..<binCount {
            var weight = 0.0
            var mean = [Double](repeating: 0, count: d), variance = mean
            for (t, w) in window.enumerated() {
                let k = reflectPadIndex(b + t - half, binCount)
                guard populated[k] else { continue }
                weight += w
                for j in 0..<d {
                    mean[j] += w * runningMean[k * d + j]
                    variance[j] += w * runningVariance[k * d + j]
                }
            }
            guard weight > 0 else { continue }
            reached[b] = true
            for j in 0..<d {
                smoothedMean[b * d + j] = mean[j] / weight
                smoothedVariance[b * d + j] = variance[j] / weight
            }
        }
        for b in 0..<binCount where !reached[b] {
            guard let source = nearest(b, where: populated) else { continue }
            for j in 0..<d {
                smoothedMean[b * d + j] = smoothedMean[source * d + j]
                smoothedVariance[b * d + j] = smoothedVariance[source * d + j]
            }
        }
    }

    private func nearest(_ b: Int, where ok: [Bool]) -> Int? {
        for distance in 1..<max(binCount, 1) {
            if b - distance >= 0 && ok[b - distance] { return b - distance }
            if b + distance < binCount && ok[b + distance] { return b + distance }
        }
        return nil
    }

    /// All four statistics as one flat buffer (for broadcast and checkpoints), and back.
    public var flat: [Double] {
        runningMean + runningVariance + smoothedMean + smoothedVariance + samplesTracked
    }

    public func assign(flat v: [Double]) {
        let n = binCount * featureSize
        precondition(v.count == 4 * n + binCount, "FDS statistics: \(v.count) values for \(binCount)×\(featureSize)")
        runningMean = Array(v[0..<n])
        runningVariance = Array(v[n..<(2 * n)])
        smoothedMean = Array(v[(2 * n)..<(3 * n)])
        smoothedVariance = Array(v[(3 * n)..<(4 * n)])
        samplesTracked = Array(v[(4 * n)...])
    }
}

/// PyTorch's F.pad(mode='reflect') index: the edge is not repeated.
func reflectPadIndex(_ i: Int, _ n: Int) -> Int {
    if n == 1 { return 0 }
    let period = 2 * (n - 1)
    var m = i % period
    if m < 0 { m += period }
    return m < n ? m : period - m
}
