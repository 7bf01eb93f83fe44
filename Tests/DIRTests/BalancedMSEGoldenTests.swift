// Balanced MSE against the reference code (BM `imdb-wiki-dir/balanaced_mse.py`, docs/peer-methods.md §1):
// the value, ∂/∂prediction and ∂/∂σ of BMC, GAI and BNI (every case of the golden file) at the float32
// tolerances of docs/peer-methods.md §4, and BNI's bucket construction from the recorded label sets.
import DIR
import TestSupport
import XCTest

// Field names are the golden file's JSON keys.
// swift-format-ignore: AlwaysUseLowerCamelCase
private struct PeersGolden: Decodable {
    struct Case: Decodable {
        var n: Int
        var init_noise_sigma: Double
        var noise_var: Double
        var pred: [Double]
        var target: [Double]
        var value: Double
        var grad_pred: [Double]
        var grad_noise_sigma: Double
        var means: [Double]?
        var variances: [Double]?
        var weights: [Double]?
        var labels_set: String?
        var max_target: Int?
        var bucket_centers: [Double]?
        var bucket_weights: [Double]?
    }
    struct BNIPart: Decodable {
        var label_sets: [String: [Double]]
        var cases: [Case]
    }
    var bmc: [Case]
    var gai: [Case]
    var bni: BNIPart
}

final class BalancedMSEGoldenTests: XCTestCase {
    /// Worst differences over cases, each against its docs/peer-methods.md §4 allowance.
    private struct Worst {
        var value = 0.0, prediction = 0.0, sigma = 0.0
    }

    private func check(_ loss: BalancedMSE, _ c: PeersGolden.Case, _ what: String, _ worst: inout Worst) {
        let pred = c.pred.map { Float($0) }, target = c.target.map { Float($0) }
        var dPrediction = [Float](repeating: .nan, count: c.n)
        let value = loss.evaluate(
            prediction: pred, batchTargets: target, batchCount: c.n, firstRow: 0, weights: nil, count: c.n,
            sigma: Float(c.init_noise_sigma), scale: 1 / Double(c.n), dPrediction: &dPrediction)
        let mean = value.loss / Double(c.n)
        let valueError = abs(mean - c.value), valueAllowed = 2e-5 * abs(c.value) + 1e-6 * 2 * c.noise_var
        XCTAssertLessThanOrEqual(valueError, valueAllowed, "\(what): value \(mean) vs \(c.value)")
        let largest = c.grad_pred.map(abs).max() ?? 0
        let predictionError = zip(dPrediction, c.grad_pred).map { abs(Double($0) - $1) }.max() ?? 0
        XCTAssertLessThanOrEqual(predictionError, 2e-5 * largest + 1e-9, "\(what): d/d prediction")
        let sigmaError = abs(value.dSigma - c.grad_noise_sigma)
        XCTAssertLessThanOrEqual(sigmaError, 5e-5 * abs(c.grad_noise_sigma) + 1e-6, "\(what): d/d sigma")
        worst.value = max(worst.value, valueError / max(abs(c.value), 1e-12))
        worst.prediction = max(worst.prediction, predictionError / max(largest, 1e-12))
        worst.sigma = max(worst.sigma, sigmaError / max(abs(c.grad_noise_sigma), 1e-12))
    }

    private func report(_ name: String, _ w: Worst) {
        print(
            "\(name): worst value rel \(w.value), worst d/dpred rel-to-max \(w.prediction), worst d/dsigma rel \(w.sigma)"
        )
    }

    func testBMCMatchesTheReference() throws {
        let golden = try loadGolden("peers.json", as: PeersGolden.self).bmc
        XCTAssertFalse(golden.isEmpty, "peers.json holds BMC cases")
        var worst = Worst()
        for (k, c) in golden.enumerated() { check(BalancedMSE(kind: .bmc, prior: nil), c, "bmc case \(k)", &worst) }
        report("BMC", worst)
    }

    func testGAIMatchesTheReference() throws {
        let golden = try loadGolden("peers.json", as: PeersGolden.self).gai
        XCTAssertFalse(golden.isEmpty, "peers.json holds GAI cases")
        var worst = Worst()
        for (k, c) in golden.enumerated() {
            let prior = LabelPrior(
                means: try XCTUnwrap(c.means), variances: try XCTUnwrap(c.variances), weights: try XCTUnwrap(c.weights))
            check(BalancedMSE(kind: .gai, prior: prior), c, "gai case \(k)", &worst)
        }
        report("GAI", worst)
    }

    func testBNIBucketsAndLossMatchTheReference() throws {
        let golden = try loadGolden("peers.json", as: PeersGolden.self).bni
        XCTAssertFalse(golden.cases.isEmpty, "peers.json holds BNI cases")
        var worst = Worst()
        for (k, c) in golden.cases.enumerated() {
            let labels = try XCTUnwrap(golden.label_sets[try XCTUnwrap(c.labels_set)])
            let binning = Binning.integer(maxLabel: Int(labels.max()!))
            let prior = LabelPrior.buckets(labels: labels, binning: binning, maxTarget: c.max_target)
            XCTAssertEqual(prior.means, c.bucket_centers, "bni case \(k): bucket centres")
            let weightError = zip(prior.weights, try XCTUnwrap(c.bucket_weights)).map { abs($0 - $1) }.max() ?? 1
            XCTAssertLessThan(weightError, 1e-12, "bni case \(k): bucket weights")
            check(BalancedMSE(kind: .bni, prior: prior), c, "bni case \(k)", &worst)
        }
        report("BNI", worst)
    }

    /// Rows split between two callers (as between ranks) give the whole batch's loss and gradients.
    func testBMCShardsAddUpToTheWholeBatch() throws {
        let c = try loadGolden("peers.json", as: PeersGolden.self).bmc[2]
        let pred = c.pred.map { Float($0) }, target = c.target.map { Float($0) }
        let loss = BalancedMSE(kind: .bmc, prior: nil)
        var whole = [Float](repeating: 0, count: c.n), parts = whole
        let all = loss.evaluate(
            prediction: pred, batchTargets: target, batchCount: c.n, firstRow: 0, weights: nil, count: c.n,
            sigma: 1.5, scale: 1 / Double(c.n), dPrediction: &whole)
        let half = c.n / 2
        let first = loss.evaluate(
            prediction: pred, batchTargets: target, batchCount: c.n, firstRow: 0, weights: nil, count: half,
            sigma: 1.5, scale: 1 / Double(c.n), dPrediction: &parts)
        let second = pred.withUnsafeBufferPointer { p in
            parts.withUnsafeMutableBufferPointer { d in
                loss.evaluate(
                    prediction: p.baseAddress! + half, batchTargets: target, batchCount: c.n, firstRow: half,
                    weights: nil, count: c.n - half, sigma: 1.5, scale: 1 / Double(c.n),
                    dPrediction: d.baseAddress! + half)
            }
        }
        XCTAssertEqual(first.loss + second.loss, all.loss, accuracy: 1e-9 * abs(all.loss))
        XCTAssertEqual(first.dSigma + second.dSigma, all.dSigma, accuracy: 1e-9 * abs(all.dSigma))
        XCTAssertEqual(parts, whole)
    }
}
