// LDS windows, smoothed bin values and per-sample weights against the reference
// implementation (Tests/Golden/lds.json, lds_continuous.json), to 1e-5 relative.
import DIR
import TestSupport
import XCTest

// Field names are the golden file's JSON keys.
// swift-format-ignore: AlwaysUseLowerCamelCase
private struct LDSGolden: Decodable {
    struct Window: Decodable {
        var kernel: String
        var ks: Int
        var sigma: Double
        var window: [Double]
    }
    struct Case: Decodable {
        var labels_set: String
        var reweight: String
        var lds: Bool
        var kernel: String?
        var ks: Int?
        var sigma: Double?
        var max_target: Int
        var bin_values_before_smoothing: [Double]
        var smoothed: [Double]?
        var weights: [Double]
    }
    var label_sets: [String: [Double]]
    var windows: [Window]
    var weights: [Case]
}

// Field names are the golden file's JSON keys.
// swift-format-ignore: AlwaysUseLowerCamelCase
private struct ContinuousGolden: Decodable {
    struct Case: Decodable {
        var bins: Int
        var range: [Double]
        var reweight: String
        var kernel: String
        var ks: Int
        var sigma: Double
        var bin_index: [Int]
        var smoothed: [Double]
        var weights: [Double]
    }
    var labels: [Double]
    var cases: [Case]
}

final class LDSGoldenTests: XCTestCase {
    func testWindowsMatchReference() throws {
        let golden = try loadGolden("lds.json", as: LDSGolden.self)
        XCTAssertFalse(golden.windows.isEmpty, "the golden file holds cases")
        for w in golden.windows {
            let kernel = Kernel(KernelKind(rawValue: w.kernel)!, size: w.ks, sigma: w.sigma)
            Approx.assertClose(kernel.ldsWindow, w.window, rel: 1e-5, "\(w.kernel) ks \(w.ks) sigma \(w.sigma)")
        }
    }

    func testIntegerLabelWeightsMatchReference() throws {
        let golden = try loadGolden("lds.json", as: LDSGolden.self)
        XCTAssertFalse(golden.weights.isEmpty, "the golden file holds cases")
        for c in golden.weights {
            let labels = try XCTUnwrap(golden.label_sets[c.labels_set])
            let bins = Binning.integer(maxLabel: c.max_target - 1)
            let kernel = c.lds ? Kernel(KernelKind(rawValue: c.kernel!)!, size: c.ks!, sigma: c.sigma!) : nil
            let w = LabelWeights(
                counts: bins.histogram(labels), reweight: Reweight(rawValue: c.reweight)!,
                kernel: kernel)
            let what = "\(c.labels_set) \(c.reweight) lds=\(c.lds) \(c.kernel ?? "") \(c.ks ?? 0) \(c.sigma ?? 0)"
            Approx.assertClose(w.values, c.bin_values_before_smoothing, rel: 1e-5, "\(what): bin values")
            if let smoothed = c.smoothed { Approx.assertClose(w.smoothed, smoothed, rel: 1e-5, "\(what): smoothed") }
            let perSample = labels.map { w.weight(bin: bins.bin($0)) }
            Approx.assertClose(perSample, c.weights, rel: 1e-5, "\(what): weights")
        }
    }

    func testContinuousLabelBinsAndWeightsMatchReference() throws {
        let golden = try loadGolden("lds_continuous.json", as: ContinuousGolden.self)
        XCTAssertFalse(golden.cases.isEmpty, "the golden file holds cases")
        for c in golden.cases {
            let bins = Binning(lo: c.range[0], hi: c.range[1], count: c.bins)
            XCTAssertEqual(golden.labels.map(bins.bin), c.bin_index, "\(c.bins) bins: bin indices")
            let w = LabelWeights(
                counts: bins.histogram(golden.labels), reweight: Reweight(rawValue: c.reweight)!,
                kernel: Kernel(KernelKind(rawValue: c.kernel)!, size: c.ks, sigma: c.sigma))
            let what = "\(c.bins) bins \(c.reweight) \(c.kernel) \(c.ks) \(c.sigma)"
            Approx.assertClose(w.smoothed, c.smoothed, rel: 1e-5, "\(what): smoothed")
            Approx.assertClose(
                golden.labels.map { w.weight(bin: bins.bin($0)) }, c.weights, rel: 1e-5,
                "\(what): weights")
        }
    }
}
