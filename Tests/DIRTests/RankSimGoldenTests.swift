// RankSim against the reference code (RS `sts-b-dir/ranksim.py`, `ranking.py`; docs/peer-methods.md §2)
// on the reference golden batches (Tests/Golden/peers.json) and this repository's tie cases (Tests/Golden/ranksim-ties.json), with the
// reference's recorded subsets: the value, the gradient for γ = 1 and the gradient of γ·R
// with the case's γ (not linear in γ), at docs/peer-methods.md §4's tolerances; and the subset rule
// (one sample per distinct label, ascending).
import DIR
import Foundation
import PRNG
import TestSupport
import XCTest

// Field names are the golden file's JSON keys.
// swift-format-ignore: AlwaysUseLowerCamelCase
private struct PeersGolden: Decodable {
    struct Case: Decodable {
        var batch: Int
        var dim: Int
        var labels_kind: String
        var lambda: Double
        var labels: [Double]
        var features: [[Double]]
        var kept_indices: [Int]
        var value: Double
        var grad_features: [[Double]]
        var gamma: Double
        var grad_features_gamma_scaled: [[Double]]
    }
    var ranksim: [Case]
}

final class RankSimGoldenTests: XCTestCase {
    /// ∂(γ·R)/∂x for every batch row (0 for rows not kept), and R.
    private func gradient(_ c: PeersGolden.Case, gamma: Double) -> ([[Double]], Double) {
        let n = c.kept_indices.count
        let ranksim = RankSim(gamma: gamma, lambda: c.lambda, capacity: c.batch, dimension: c.dim)
        let x = c.kept_indices.flatMap { c.features[$0].map { Float($0) } }
        let y = c.kept_indices.map { Float(c.labels[$0]) }
        var dx = [Float](repeating: .nan, count: n * c.dim)
        let value = ranksim.evaluate(features: x, labels: y, count: n, dFeatures: &dx)
        var out = [[Double]](repeating: [Double](repeating: 0, count: c.dim), count: c.batch)
        for (k, row) in c.kept_indices.enumerated() { out[row] = (0..<c.dim).map { Double(dx[k * c.dim + $0]) } }
        return (out, value)
    }

    private func worstRelative(_ a: [[Double]], _ b: [[Double]]) -> Double {
        let largest = b.joined().map(abs).max() ?? 0
        let worst = zip(a.joined(), b.joined()).map { abs($0 - $1) }.max() ?? 0
        return largest == 0 ? worst : worst / largest
    }

    func testValueAndGradientsMatchTheReference() throws {
        try assertMatches(try loadGolden("peers.json", as: PeersGolden.self).ranksim, "peers.json")
    }

    /// 56-row batches with repeated labels (ages; fifths, which are not exact in Float32),
    /// duplicated, dead and sparse feature rows: the reference's ties, made by
    /// Tests/Golden/make-ranksim-ties.py from the reference code.
    func testTiesMatchTheReference() throws {
        let file = Paths.repositoryGolden.appendingPathComponent("ranksim-ties.json")
        let golden = try JSONDecoder().decode(PeersGolden.self, from: Data(contentsOf: file))
        try assertMatches(golden.ranksim, "ranksim-ties.json")
    }

    private func assertMatches(_ golden: [PeersGolden.Case], _ file: String) throws {
        XCTAssertFalse(golden.isEmpty, "\(file) holds RankSim cases")
        var worstValue = 0.0, worstGradient = 0.0, worstScaled = 0.0
        for (k, c) in golden.enumerated() {
            let what = "\(file) case \(k) (\(c.labels_kind), batch \(c.batch))"
            let (g1, value) = gradient(c, gamma: 1)
            let (gScaled, _) = gradient(c, gamma: c.gamma)
            let valueError = abs(value - c.value)
            XCTAssertLessThanOrEqual(valueError, 1e-6 * max(1, c.value), "\(what): value \(value) vs \(c.value)")
            let e1 = worstRelative(g1, c.grad_features), eScaled = worstRelative(gScaled, c.grad_features_gamma_scaled)
            XCTAssertLessThanOrEqual(e1, 1e-5, "\(what): gradient for gamma 1")
            XCTAssertLessThanOrEqual(eScaled, 1e-5, "\(what): gradient of gamma * R, gamma \(c.gamma)")
            if c.grad_features_gamma_scaled.joined().allSatisfy({ $0 == 0 }) {
                XCTAssertTrue(gScaled.joined().allSatisfy { $0 == 0 }, "\(what): no rank flips, gradient exactly 0")
            }
            (worstValue, worstGradient, worstScaled) = (
                max(worstValue, valueError), max(worstGradient, e1), max(worstScaled, eScaled)
            )
        }
        print(
            "RankSim, \(golden.count) cases of \(file): worst |value difference| \(worstValue), worst gradient "
                + "difference (of max) gamma 1 \(worstGradient), gamma-scaled \(worstScaled)")
    }

    func testSubsetKeepsOneSamplePerDistinctLabelInAscendingOrder() throws {
        let golden = try loadGolden("peers.json", as: PeersGolden.self).ranksim
        for c in golden {
            var rng = Xoshiro256(seed: 3)
            var kept = [Int32](repeating: -1, count: c.batch)
            let floats = c.labels.map(Float.init)
            let n = RankSim.subset(labels: floats, count: c.batch, rng: &rng, kept: &kept)
            XCTAssertEqual(n, c.kept_indices.count, "\(c.labels_kind): as many kept as the reference")
            let labels = kept[0..<n].map { floats[Int($0)] }
            if Set(floats).count == c.batch {
                XCTAssertEqual(kept[0..<n].map { Int($0) }, Array(0..<c.batch), "all distinct: the batch in order")
            } else {
                XCTAssertEqual(labels, Set(floats).sorted(), "\(c.labels_kind): one per label, ascending")
            }
        }
    }

    func testTheDrawDependsOnTheStreamAndOnlyOnIt() {
        let labels: [Float] = [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]
        func draw(_ stream: UInt64) -> [Int32] {
            var rng = Xoshiro256(seed: 1, stream: stream)
            var kept = [Int32](repeating: -1, count: labels.count)
            let n = RankSim.subset(labels: labels, count: labels.count, rng: &rng, kept: &kept)
            return Array(kept[0..<n])
        }
        XCTAssertEqual(draw(5), draw(5))
        XCTAssertTrue((6..<20).contains { draw($0) != draw(5) }, "different streams draw different samples")
    }
}
