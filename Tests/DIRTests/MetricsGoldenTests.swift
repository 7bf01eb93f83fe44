// The shot evaluation against the reference (Tests/Golden/metrics.json):
// MSE, MAE and G-Mean overall and per shot, to 1e-6.
import DIR
import TestSupport
import XCTest

// Field names are the golden file's JSON keys.
// swift-format-ignore: AlwaysUseLowerCamelCase
private struct MetricsGolden: Decodable {
    struct Expected: Decodable {
        var n: Int?
        var mse: Double?
        var l1: Double?
        var gmean: Double?
    }
    var train_labels: [Double]
    var test_labels: [Double]
    var pred: [Double]
    var many_shot_thr: Double
    var low_shot_thr: Double
    var expected: [String: Expected]
}

final class MetricsGoldenTests: XCTestCase {
    func testShotMetricsMatchReference() throws {
        let golden = try loadGolden("metrics.json", as: MetricsGolden.self)
        let maxLabel = Int((golden.train_labels + golden.test_labels).max()!)
        let bins = Binning.integer(maxLabel: maxLabel)
        var perBin = [ErrorSums](repeating: ErrorSums(), count: bins.count)
        for (p, y) in zip(golden.pred, golden.test_labels) { perBin[bins.bin(y)].add(prediction: p, target: y) }
        let report = ShotReport(
            perBin: perBin, trainCounts: bins.histogram(golden.train_labels),
            thresholds: ShotThresholds(many: golden.many_shot_thr, few: golden.low_shot_thr))
        for (name, expected) in golden.expected {
            let m = name == "all" ? report.all : report.shots[Shot(rawValue: name)!]!
            if let n = expected.n { XCTAssertEqual(m.count, n, "\(name): count") }
            if let mse = expected.mse {
                Approx.assertClose(try XCTUnwrap(m.mse), mse, rel: 1e-6, "\(name) mse")
                Approx.assertClose(try XCTUnwrap(m.mae), expected.l1!, rel: 1e-6, "\(name) mae")
                Approx.assertClose(try XCTUnwrap(m.gmean), expected.gmean!, rel: 1e-6, "\(name) gmean")
            } else {
                XCTAssertNil(m.mse, "\(name): no samples, no mse")
            }
        }
    }

    func testGMeanIsZeroWhenAnErrorIsZeroAndPearsonIsExactForALine() {
        var s = ErrorSums()
        s.add(prediction: 1, target: 1)
        s.add(prediction: 3, target: 2)
        XCTAssertEqual(s.metrics.gmean, 0)
        var line = ErrorSums()
        for y in [1.0, 2, 4, 8] { line.add(prediction: 2 * y + 1, target: y) }
        Approx.assertClose(line.metrics.pearson!, 1, rel: 1e-12, "pearson of a line")
    }
}
