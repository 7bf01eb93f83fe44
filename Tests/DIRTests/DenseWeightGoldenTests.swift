// DenseWeight against the reference package (`denseweight` 0.1.2 on KDEpy, docs/peer-methods.md §3):
// bandwidth, practical support (Brent), grid, which grid point each label reads (exactly),
// densities and weights to 1e-9 relative, on four label sets and 14 (α, bandwidth) cases.
import DIR
import TestSupport
import XCTest

// Field names are the golden file's JSON keys.
// swift-format-ignore: AlwaysUseLowerCamelCase
private struct PeersGolden: Decodable {
    struct KDE: Decodable {
        var labels_set: String
        var bandwidth_arg: Double?
        var bandwidth_used: Double
        var practical_support: Double
        var grid_min: Double
        var grid_max: Double
        var grid_index: [Int]
        var density: [Double]
        var density_grid_scaled: [Double]
    }
    struct Case: Decodable {
        var labels_set: String
        var bandwidth_arg: Double?
        var alpha: Double
        var eps: Double
        var mean_w_star: Double
        var weights: [Double]
        var query_y: [Double]
        var query_weights: [Double]
    }
    struct DenseWeightPart: Decodable {
        var label_sets: [String: [Double]]
        var kde: [KDE]
        var cases: [Case]
    }
    var denseweight: DenseWeightPart
}

final class DenseWeightGoldenTests: XCTestCase {
    private func relative(_ a: Double, _ b: Double) -> Double { abs(a - b) / max(abs(b), 1e-300) }

    func testKDEGridAndDensitiesMatchTheReference() throws {
        let golden = try loadGolden("peers.json", as: PeersGolden.self).denseweight
        XCTAssertFalse(golden.kde.isEmpty, "the golden file holds cases")
        var worst = 0.0
        for k in golden.kde {
            let y = try XCTUnwrap(golden.label_sets[k.labels_set])
            let dw = DenseWeight(labels: y, alpha: 1, bandwidth: k.bandwidth_arg)
            let what = "\(k.labels_set), bandwidth \(k.bandwidth_arg.map { "\($0)" } ?? "default")"
            XCTAssertLessThan(relative(dw.bandwidth, k.bandwidth_used), 1e-12, "\(what): bandwidth")
            XCTAssertLessThan(relative(dw.practicalSupport, k.practical_support), 1e-12, "\(what): support")
            XCTAssertLessThan(relative(dw.grid.first!, k.grid_min), 1e-12, "\(what): grid min")
            XCTAssertLessThan(relative(dw.grid.last!, k.grid_max), 1e-12, "\(what): grid max")
            XCTAssertEqual(y.map(dw.gridIndex), k.grid_index, "\(what): grid index of every label")
            for (a, b) in zip(dw.scaledDensity, k.density_grid_scaled) { worst = max(worst, abs(a - b)) }
        }
        print("DenseWeight scaled grid density: worst |difference| \(worst)")
        XCTAssertLessThan(worst, 1e-9, "scaled density on the grid, worst |difference| \(worst)")
    }

    func testWeightsMatchTheReference() throws {
        let golden = try loadGolden("peers.json", as: PeersGolden.self).denseweight
        XCTAssertFalse(golden.cases.isEmpty, "the golden file holds cases")
        var worst = 0.0
        for c in golden.cases {
            let y = try XCTUnwrap(golden.label_sets[c.labels_set])
            let dw = DenseWeight(labels: y, alpha: c.alpha, bandwidth: c.bandwidth_arg, epsilon: c.eps)
            worst = max(worst, relative(dw.meanFlooredWeight, c.mean_w_star))
            for (a, b) in zip(dw.weights, c.weights) { worst = max(worst, relative(a, b)) }
            for (q, b) in zip(c.query_y, c.query_weights) { worst = max(worst, relative(dw.weight(q), b)) }
            XCTAssertEqual(dw.weights.reduce(0, +) / Double(y.count), 1, accuracy: 1e-12, "weights average to 1")
        }
        print("DenseWeight weights: worst relative difference \(worst)")
        XCTAssertLessThan(worst, 1e-9, "weights, mean of the floored weights, query weights: worst relative \(worst)")
    }
}
