// The empty-bin rule of docs/specification.md §3 on hand-made statistics: never-populated bins
// stay out of the smoothing sums (the window is renormalised), get their smoothed
// values from populated bins in reach, else from the nearest populated bin.
import DIR
import TestSupport
import XCTest

final class FDSEmptyBinTests: XCTestCase {
    /// One dimension; bins 0, 1, 3 and 7 populated with means 10, 20, 40, 80 and variances 1, 2, 4, 8.
    private func handMade() -> FeatureStatistics {
        let s = FeatureStatistics(binCount: 8, featureSize: 1)
        var sums = [Double](repeating: 0, count: 8 * s.sumsWidth)
        for (b, m, v) in [(0, 10.0, 1.0), (1, 20, 2), (3, 40, 4), (7, 80, 8)] {
            // Two samples m ± sqrt(v/2) have mean m and unbiased variance v.
            let h = (v / 2).squareRoot()
            for z in [m - h, m + h] {
                sums[b * 3] += 1
                sums[b * 3 + 1] += z
                sums[b * 3 + 2] += z * z
            }
        }
        s.update(sums: sums, isFirstUpdate: true, momentum: 0.9)
        return s
    }

    func testEmptyBinsAreLeftOutAndTheWindowRenormalised() {
        let s = handMade()
        XCTAssertEqual(s.runningMean[2], 0, "an empty bin keeps its placeholder")
        let w = [0.25, 0.5, 0.25]
        s.smooth(window: w)
        // Bin 1 covers bins 0, 1, 2; bin 2 is empty: (0.25·10 + 0.5·20) / 0.75.
        Approx.assertClose(s.smoothedMean[1], (0.25 * 10 + 0.5 * 20) / 0.75, rel: 1e-12, "bin 1 mean")
        Approx.assertClose(s.smoothedVariance[1], (0.25 * 1 + 0.5 * 2) / 0.75, rel: 1e-12, "bin 1 variance")
        // Bin 0 reflects: window over (1, 0, 1).
        Approx.assertClose(s.smoothedMean[0], (0.25 * 20 + 0.5 * 10 + 0.25 * 20) / 1, rel: 1e-12, "bin 0 mean")
        // Empty bin 2 in reach of bins 1 and 3: (0.25·20 + 0.25·40) / 0.5.
        Approx.assertClose(s.smoothedMean[2], 30, rel: 1e-12, "empty bin 2 from its neighbours")
        // Empty bin 5 has no populated bin within reach (4, 5, 6): nearest populated is 3 (distance 2)
        // before 7 (distance 2)? Both at 2: the lower bin wins. Bin 3 smooths over (2, 3, 4) → 40.
        Approx.assertClose(
            s.smoothedMean[5], s.smoothedMean[3], rel: 1e-12, "empty bin 5 from the nearest populated bin")
        Approx.assertClose(s.smoothedMean[3], 40, rel: 1e-12, "bin 3 alone in its window")
        // Placeholders (mean 0, variance 1) never leak: bin 7 reflects over (6, 7, 6) → 80 exactly.
        Approx.assertClose(s.smoothedMean[7], 80, rel: 1e-12, "bin 7")
        Approx.assertClose(s.smoothedVariance[7], 8, rel: 1e-12, "bin 7 variance")
    }

    func testMomentumKeepsBinsWithoutNewSamples() {
        let s = handMade()
        var sums = [Double](repeating: 0, count: 8 * s.sumsWidth)
        sums[0] = 1
        sums[1] = 30
        sums[2] = 900
        s.update(sums: sums, isFirstUpdate: false, momentum: 0.9)
        Approx.assertClose(s.runningMean[0], 0.1 * 30 + 0.9 * 10, rel: 1e-12, "momentum mean")
        Approx.assertClose(s.runningVariance[0], 0.9 * 1, rel: 1e-12, "one sample: biased variance 0")
        XCTAssertEqual(s.runningMean[1], 20, "no new samples: unchanged")
        XCTAssertEqual(s.samplesTracked, [3, 2, 0, 2, 0, 0, 0, 2])
    }
}
