// The FDS calibration of features, as per-bin affine maps fixed for an epoch:
// z' = (z − μ_b)·s_b + μ̃_b with s_b = sqrt(clip(σ̃²_b/σ²_b, lo, hi)) (docs/specification.md §3).

/// Per-bin scale and shifts in Float32, precomputed once per epoch from the
/// statistics, so the training step does one multiply-add per feature.
public final class Calibration {
    public let binCount: Int
    public let featureSize: Int
    /// s_b per dimension; 1 where σ²_b is 0 or the whole bin's σ² sums below 1e-10.
    public private(set) var scale: [Float]
    public private(set) var runningMean: [Float]
    public private(set) var smoothedMean: [Float]

    public init(binCount: Int, featureSize: Int) {
        self.binCount = binCount
        self.featureSize = featureSize
        scale = [Float](repeating: 1, count: binCount * featureSize)
        runningMean = [Float](repeating: 0, count: binCount * featureSize)
        smoothedMean = runningMean
    }

    /// Rebuilds the maps from the statistics (mean, variance, smoothed mean and variance).
    public func set(from stats: FeatureStatistics, clip: ClosedRange<Double>) {
        let d = featureSize
        for b in 0..<binCount {
            var total = 0.0
            for j in 0..<d { total += stats.runningVariance[b * d + j] }
            for j in 0..<d {
                let i = b * d + j
                let v1 = stats.runningVariance[i]
                if total < 1e-10 || v1 == 0 {
                    // Passes unchanged (the reference's calibrate_mean_var rules).
                    scale[i] = 1
                    runningMean[i] = 0
                    smoothedMean[i] = 0
                } else {
                    let ratio = min(max(stats.smoothedVariance[i] / v1, clip.lowerBound), clip.upperBound)
                    scale[i] = Float(ratio.squareRoot())
                    runningMean[i] = Float(stats.runningMean[i])
                    smoothedMean[i] = Float(stats.smoothedMean[i])
                }
            }
        }
    }

    /// out[n×d] = calibrated z[n×d] (rows by `bins`); `out` may equal `z`.
    public func forward(
        _ z: UnsafePointer<Float>, bins: UnsafePointer<Int32>, count n: Int,
        into out: UnsafeMutablePointer<Float>
    ) {
        let d = featureSize
        scale.withUnsafeBufferPointer { s in
            runningMean.withUnsafeBufferPointer { m1 in
                smoothedMean.withUnsafeBufferPointer { m2 in
                    for i in 0..<n {
                        let base = Int(bins[i]) * d
                        for j in 0..<d {
                            out[i * d + j] = (z[i * d + j] - m1[base + j]) * s[base + j] + m2[base + j]
                        }
                    }
                }
            }
        }
    }

    /// dz = dz' · s_b in place (the statistics are constants for the gradient).
    public func backward(_ dz: UnsafeMutablePointer<Float>, bins: UnsafePointer<Int32>, count n: Int) {
        let d = featureSize
        scale.withUnsafeBufferPointer { s in
            for i in 0..<n {
                let base = Int(bins[i]) * d
                for j in 0..<d { dz[i * d + j] *= s[base + j] }
            }
        }
    }
}
