// FDS against the reference implementation (Tests/Golden/fds.json): windows,
// three epochs of running statistics, smoothing, calibration of a batch, and the
// calibrate_mean_var edge cases (zero variances, clipping), to 1e-5.
import DIR
import TestSupport
import XCTest

// Field names are the golden file's JSON keys.
// swift-format-ignore: AlwaysUseLowerCamelCase
struct FDSGolden: Decodable {
    struct Epoch: Decodable {
        var epoch: Int
        var labels: [Double]
        var features: [[Float]]
        var running_mean_after: [[Double]]
        var running_var_after: [[Double]]
        var num_samples_tracked_after: [Double]
    }
    struct Batch: Decodable {
        var labels: [Double]
        var features: [[Float]]
        var output: [[Double]]
    }
    struct Case: Decodable {
        var kernel: String
        var ks: Int
        var sigma: Double
        var feature_dim: Int
        var bucket_num: Int
        var bucket_start: Int
        var momentum: Double
        var start_update: Int
        var window: [Double]
        var epochs: [Epoch]
        var smoothed_mean: [[Double]]
        var smoothed_var: [[Double]]
        var calibrate: Batch
    }
    struct CalibrateCase: Decodable {
        var x: [[Float]]
        var m1: [Double], v1: [Double], m2: [Double], v2: [Double]
        var clip: [Double]
        var y: [[Double]]
    }
    var cases: [Case]
    var calibrate_mean_var: [CalibrateCase]
}

final class FDSGoldenTests: XCTestCase {
    /// The reference's bucket of an integer label: clamp(l − start, 0, num − start − 1).
    private func bins(_ labels: [Double], _ c: FDSGolden.Case) -> [Int32] {
        labels.map { Int32(min(max(Int($0) - c.bucket_start, 0), c.bucket_num - c.bucket_start - 1)) }
    }

    func testRunningStatisticsSmoothingAndCalibrationMatchReference() throws {
        let golden = try loadGolden("fds.json", as: FDSGolden.self)
        XCTAssertFalse(golden.cases.isEmpty, "the golden file holds cases")
        for c in golden.cases {
            let what = "\(c.kernel) ks \(c.ks) sigma \(c.sigma)"
            let kernel = Kernel(KernelKind(rawValue: c.kernel)!, size: c.ks, sigma: c.sigma)
            Approx.assertClose(kernel.fdsWindow, c.window, rel: 1e-5, "\(what): window")
            let stats = FeatureStatistics(binCount: c.bucket_num - c.bucket_start, featureSize: c.feature_dim)
            for e in c.epochs {
                var sums = [Double](repeating: 0, count: stats.binCount * stats.sumsWidth)
                let z = e.features.flatMap { $0 }
                stats.accumulate(z, bins: bins(e.labels, c), count: e.labels.count, into: &sums)
                stats.update(sums: sums, isFirstUpdate: e.epoch == c.start_update, momentum: c.momentum)
                Approx.assertClose(
                    stats.runningMean, e.running_mean_after.flatMap { $0 }, rel: 1e-5, abs: 1e-6,
                    "\(what) epoch \(e.epoch): running mean")
                Approx.assertClose(
                    stats.runningVariance, e.running_var_after.flatMap { $0 }, rel: 1e-5, abs: 1e-6,
                    "\(what) epoch \(e.epoch): running variance")
                XCTAssertEqual(stats.samplesTracked, e.num_samples_tracked_after, "\(what) epoch \(e.epoch): tracked")
            }
            stats.smooth(window: kernel.fdsWindow)
            Approx.assertClose(
                stats.smoothedMean, c.smoothed_mean.flatMap { $0 }, rel: 1e-5, abs: 1e-6, "\(what): smoothed mean")
            Approx.assertClose(
                stats.smoothedVariance, c.smoothed_var.flatMap { $0 }, rel: 1e-5, abs: 1e-6,
                "\(what): smoothed variance")
            let calibration = Calibration(binCount: stats.binCount, featureSize: stats.featureSize)
            calibration.set(from: stats, clip: 0.1...10)
            let batch = c.calibrate
            var out = [Float](repeating: 0, count: batch.labels.count * c.feature_dim)
            calibration.forward(
                batch.features.flatMap { $0 }, bins: bins(batch.labels, c), count: batch.labels.count, into: &out)
            Approx.assertClose(
                out.map(Double.init), batch.output.flatMap { $0 }, rel: 1e-5, abs: 1e-5, "\(what): calibrated batch")
        }
    }

    func testCalibrateMeanVarEdgeCases() throws {
        let golden = try loadGolden("fds.json", as: FDSGolden.self)
        XCTAssertFalse(golden.calibrate_mean_var.isEmpty, "the golden file holds cases")
        for (k, c) in golden.calibrate_mean_var.enumerated() {
            let d = c.m1.count
            let stats = FeatureStatistics(binCount: 1, featureSize: d)
            stats.runningMean = c.m1
            stats.runningVariance = c.v1
            stats.smoothedMean = c.m2
            stats.smoothedVariance = c.v2
            let calibration = Calibration(binCount: 1, featureSize: d)
            calibration.set(from: stats, clip: c.clip[0]...c.clip[1])
            var out = [Float](repeating: 0, count: c.x.count * d)
            calibration.forward(
                c.x.flatMap { $0 }, bins: [Int32](repeating: 0, count: c.x.count), count: c.x.count, into: &out)
            Approx.assertClose(
                out.map(Double.init), c.y.flatMap { $0 }, rel: 1e-5, abs: 1e-5, "calibrate_mean_var case \(k)")
        }
    }
}
