// The numerical embeddings and the ensemble's parts: every parameter's gradient against
// central finite differences of the training loss (the members' mean), and the
// piecewise-linear encoding against values worked out by hand.
import NN
import TestSupport
import XCTest

final class ArchitectureGradientTests: XCTestCase {
    private let n = 5, inputs = 3

    /// The training loss: the mean over members of Σ_i w_i·loss(ŷ_ji − y_i) / n.
    private func memberLoss(
        _ model: MLP, _ x: [Float], _ y: [Float], _ w: [Float], _ loss: Loss, gradient: Bool,
        dropout: DropoutMasks? = nil
    ) -> Double {
        let k = model.members
        var dPrediction = [Float](repeating: 0, count: n * k)
        return x.withUnsafeBufferPointer { xb in
            let z = model.features(xb.baseAddress!, count: n, dropout: dropout)
            let p = model.head(z, count: n)
            var total = 0.0
            for j in 0..<k {
                total += dPrediction.withUnsafeMutableBufferPointer { dp in
                    loss.evaluate(
                        prediction: p + j * n, target: y, weights: w, count: n, scale: 1 / Double(n * k),
                        dPrediction: dp.baseAddress! + j * n) / Double(n * k)
                }
            }
            if gradient {
                let dz = model.backwardHead(z, dPrediction: dPrediction, count: n)
                model.backwardFeatures(xb.baseAddress!, dFeatures: dz, count: n)
            }
            return total
        }
    }

    private func assertGradients(
        _ architecture: Architecture, edges: [[Float]]? = nil, categories: [Int] = [],
        dropout: DropoutMasks? = nil, _ what: String
    ) {
        let inputs = self.inputs + categories.count
        let model = MLP(
            inputSize: inputs, architecture: architecture, edges: edges, categories: categories, maxBatch: n)
        XCTAssertEqual(
            model.parameterCount,
            MLP.parameterCount(inputSize: inputs, architecture: architecture, edges: edges, categories: categories),
            "\(what): parameter count")
        model.initialize(seed: 3)
        var rng = SimpleRandom(seed: 9)
        var x = (0..<(n * inputs)).map { _ in Float(rng.next() * 4 - 2) }
        // Category codes in the last columns: rows 0 and 1 share a level, row 2 is unseen (0),
        // row 3 has a code past the table (also unseen).
        for (j, levels) in categories.enumerated() {
            let codes = [1, 1, 0, levels + 1, levels].map(Float.init)
            for i in 0..<n { x[i * inputs + self.inputs + j] = codes[i % codes.count] }
        }
        let y = (0..<n).map { _ in Float(rng.next() * 2 - 1) }
        let w = (0..<n).map { _ in Float(0.5 + rng.next()) }
        let loss = Loss(.mse)
        _ = memberLoss(model, x, y, w, loss, gradient: true, dropout: dropout)
        let analytic = model.grads.array.map(Double.init)
        var numeric = [Double](repeating: 0, count: analytic.count)
        // Small steps, so that few perturbations cross a ReLU's kink; Float32 rounding of a
        // loss near 1 (6e-8) over 2h keeps the numeric derivative within about 2e-5.
        let h: Float = 2e-3
        for i in 0..<model.parameterCount {
            let saved = model.params.pointer[i]
            model.params.pointer[i] = saved + h
            let up = memberLoss(model, x, y, w, loss, gradient: false, dropout: dropout)
            model.params.pointer[i] = saved - h
            let down = memberLoss(model, x, y, w, loss, gradient: false, dropout: dropout)
            model.params.pointer[i] = saved
            numeric[i] = (up - down) / Double(2 * h)
        }
        Approx.assertClose(analytic, numeric, rel: 2e-2, abs: 2e-3, "\(what) gradient")
        XCTAssertGreaterThan(analytic.map(abs).max()!, 1e-3, "\(what): the gradient is not all zero")
    }

    private let edges: [[Float]] = [[-2, -0.5, 0.5, 2], [-1, 1], [0]]

    func testPeriodicEmbeddingGradients() {
        assertGradients(
            Architecture(hidden: [6, 4], embedding: .periodic(frequencies: 3, size: 4, sigma: 0.3)), "periodic")
    }

    func testEnsembleGradients() {
        assertGradients(Architecture(hidden: [6, 4], members: 3), "ensemble of 3")
    }

    func testEmbeddingsInsideAnEnsemble() {
        assertGradients(
            Architecture(hidden: [5], embedding: .periodic(frequencies: 2, size: 3, sigma: 0.3), members: 4),
            "periodic, ensemble of 4")
        assertGradients(
            Architecture(hidden: [5, 4], embedding: .piecewiseLinear(bins: 3), members: 2), edges: edges,
            "ple, ensemble of 2")
    }

    /// One member's network is the plain MLP (same parameters, same predictions).
    func testCategoryEmbeddingGradients() {
        assertGradients(Architecture(hidden: [7, 4]), categories: [3, 2], "category embeddings")
        assertGradients(
            Architecture(hidden: [5], embedding: .periodic(frequencies: 2, size: 3, sigma: 0.3), members: 3),
            categories: [4], "category embedding, periodic, ensemble of 3")
        assertGradients(
            Architecture(hidden: [5], embedding: .piecewiseLinear(bins: 4)), edges: edges, categories: [2],
            "category embedding, ple")
    }

    func testUnseenCodesReadZeros() {
        let embedding = CategoryEmbedding(levels: [2], size: 3, offset: 1)
        let params: [Float] = [9, 1, 2, 3, 4, 5, 6]
        let codes: [Float] = [2, 0, 3, 1.5]
        var out = [Float](repeating: .nan, count: 12)
        embedding.forward(params, codes: codes, stride: 1, output: &out, outStride: 3, count: 4)
        XCTAssertEqual(
            out, [4, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0], "level 2's row; 0, past the table, fractional: zeros")
    }

    func testDropoutGradients() {
        // The masks are a function of (seed, epoch, row, layer), so every evaluation of the
        // loss drops the same units and finite differences see the masked network.
        let rows: [Int32] = [7, 0, 3, 12, 5]
        rows.withUnsafeBufferPointer { rows in
            let masks = DropoutMasks(rate: 0.3, seed: 4, epoch: 2, rows: rows.baseAddress!)
            assertGradients(Architecture(hidden: [6, 4]), dropout: masks, "dropout 0.3")
            assertGradients(Architecture(hidden: [6, 4], members: 3), dropout: masks, "dropout 0.3, ensemble of 3")
        }
    }

    func testDropoutMasksDependOnTheRowNotItsPlace() {
        let width = 4000, rate: Float = 0.25
        let rows: [Int32] = [11, 4, 11]
        var a = [Float](repeating: 2, count: 3 * width)
        rows.withUnsafeBufferPointer { rows in
            DropoutMasks(rate: rate, seed: 1, epoch: 0, rows: rows.baseAddress!)
                .apply(&a, layer: 1, count: 3, width: width)
        }
        XCTAssertEqual(Array(a[0..<width]), Array(a[(2 * width)...]), "row 11 has one mask wherever it sits")
        XCTAssertNotEqual(Array(a[0..<width]), Array(a[width..<(2 * width)]), "rows 11 and 4 differ")
        XCTAssertEqual(Set(a), [0, 2 / (1 - rate)], "dropped units are 0, kept ones scaled by 1/(1 - p)")
        // 12000 draws: the dropped share's sd is sqrt(p(1 - p)/12000) = 0.004; allow 5 sd.
        let dropped = Double(a.filter { $0 == 0 }.count) / Double(a.count)
        XCTAssertEqual(dropped, Double(rate), accuracy: 0.02, "share dropped")
        var other = [Float](repeating: 2, count: width)
        [Int32(11)].withUnsafeBufferPointer { rows in
            DropoutMasks(rate: rate, seed: 1, epoch: 1, rows: rows.baseAddress!)
                .apply(&other, layer: 1, count: 1, width: width)
        }
        XCTAssertNotEqual(other, Array(a[0..<width]), "another epoch draws another mask")
    }

    func testOneMemberIsThePlainNetwork() {
        let plain = MLP(inputSize: inputs, hiddenSizes: [6, 4], maxBatch: n)
        let one = MLP(inputSize: inputs, architecture: Architecture(hidden: [6, 4], members: 1), maxBatch: n)
        plain.initialize(seed: 5)
        one.initialize(seed: 5)
        XCTAssertEqual(plain.params.array, one.params.array)
    }

    /// The ensemble predicts the members' mean.
    func testEnsemblePredictsTheMembersMean() {
        let model = MLP(inputSize: inputs, architecture: Architecture(hidden: [6], members: 3), maxBatch: n)
        model.initialize(seed: 2)
        var rng = SimpleRandom(seed: 4)
        let x = (0..<(n * inputs)).map { _ in Float(rng.next() * 2 - 1) }
        x.withUnsafeBufferPointer { xb in
            let members = Array(
                UnsafeBufferPointer(
                    start: model.head(model.features(xb.baseAddress!, count: n), count: n), count: 3 * n))
            let mean = Array(UnsafeBufferPointer(start: model.predict(xb.baseAddress!, count: n), count: n))
            for i in 0..<n {
                let expected = (members[i] + members[n + i] + members[2 * n + i]) / 3
                XCTAssertEqual(mean[i], expected, accuracy: 1e-6 * max(1, abs(expected)))
            }
            XCTAssertNotEqual(members[0], members[n], "members differ (their input scaling and heads)")
        }
    }

    func testPiecewiseLinearEncodingValues() {
        let encoding = PiecewiseLinearEncoding(edges: edges)
        XCTAssertEqual(encoding.outputSize, 4, "3 bins + 1 bin + none for the single edge")
        // Below, inside and beyond the first feature's bins; the second's single bin extrapolates both ways.
        let x: [Float] = [-3, 0, 7, 0, 3, 7]
        var e = [Float](repeating: .nan, count: 8)
        encoding.forward(x, output: &e, count: 2)
        XCTAssertEqual(Array(e[0..<4]), [-2.0 / 3, 0, 0, 0.5])
        XCTAssertEqual(Array(e[4..<8]), [1, 0.5, 0, 2])
    }

    func testQuantileEdgesDropRepeatsAndConstants() {
        // Column 0: 0…9; column 1: two values; column 2: constant.
        let x: [Float] = (0..<10).flatMap { i -> [Float] in [Float(i), Float(i % 2), 4] }
        let edges = PiecewiseLinearEncoding.quantileEdges(x, rows: 10, features: 3, bins: 3)
        XCTAssertEqual(edges[0], [0, 3, 6, 9])
        XCTAssertEqual(edges[1], [0, 1])
        XCTAssertEqual(edges[2], [4])
    }
}
