// GAI's label prior: the EM fit recovers a known mixture from its samples, and is
// deterministic in its seed.
import DIR
import PRNG
import XCTest

final class GaussianMixtureTests: XCTestCase {
    func testRecoversAKnownMixtureFromSamples() throws {
        let truth = LabelPrior(means: [10, 30, 60], variances: [4, 25, 9], weights: [0.5, 0.3, 0.2])
        var rng = Xoshiro256(seed: 7)
        var labels = [Double]()
        for _ in 0..<20_000 {
            let u = rng.nextUnit()
            let c = u < 0.5 ? 0 : (u < 0.8 ? 1 : 2)
            labels.append(truth.means[c] + truth.variances[c].squareRoot() * rng.normal())
        }
        let fit = try XCTUnwrap(GaussianMixture.fit(labels, components: 3, seed: 0))
        let order = fit.means.indices.sorted { fit.means[$0] < fit.means[$1] }
        for (c, k) in order.enumerated() {
            print("component \(c): mean \(fit.means[k]), variance \(fit.variances[k]), weight \(fit.weights[k])")
            XCTAssertEqual(fit.means[k], truth.means[c], accuracy: 0.3, "mean of component \(c)")
            XCTAssertEqual(fit.variances[k], truth.variances[c], accuracy: 0.1 * truth.variances[c], "variance \(c)")
            XCTAssertEqual(fit.weights[k], truth.weights[c], accuracy: 0.02, "weight of component \(c)")
        }
        XCTAssertEqual(fit.weights.reduce(0, +), 1, accuracy: 1e-12)
        XCTAssertEqual(GaussianMixture.fit(labels, components: 3, seed: 0), fit, "same labels and seed, same fit")
    }

    func testRefusesFewerDistinctLabelsThanComponents() {
        XCTAssertNil(GaussianMixture.fit([1, 1, 2, 2], components: 3, seed: 0))
    }
}
