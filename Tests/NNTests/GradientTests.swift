// Every layer's backward against central finite differences of its forward
// (in the MLP that wires them), and each loss's derivative likewise.
import NN
import TestSupport
import XCTest

final class GradientTests: XCTestCase {
    /// L(θ) = mean_i w_i · loss(ŷ_i − y_i) over a small batch.
    private func lossValue(_ model: MLP, _ x: [Float], _ y: [Float], _ w: [Float], _ loss: Loss) -> Double {
        let n = y.count
        let prediction = x.withUnsafeBufferPointer { model.predict($0.baseAddress!, count: n) }
        var scratch = [Float](repeating: 0, count: n)
        return y.withUnsafeBufferPointer { yb in
            w.withUnsafeBufferPointer { wb in
                loss.evaluate(
                    prediction: prediction, target: yb.baseAddress!, weights: wb.baseAddress!,
                    count: n, scale: 1, dPrediction: &scratch) / Double(n)
            }
        }
    }

    func testMLPGradientsMatchFiniteDifferences() {
        for lossKind in LossKind.allCases {
            let loss = Loss(lossKind)
            let n = 6
            let model = MLP(inputSize: 3, hiddenSizes: [5, 4], maxBatch: n)
            model.initialize(seed: 11)
            var rng = SimpleRandom(seed: 5)
            let x = (0..<(n * 3)).map { _ in Float(rng.next() * 2 - 1) }
            let y = (0..<n).map { _ in Float(rng.next() * 2 - 1) }
            let w = (0..<n).map { _ in Float(0.5 + rng.next()) }
            // Analytic: forward, loss derivative, backward.
            var dPrediction = [Float](repeating: 0, count: n)
            x.withUnsafeBufferPointer { xb in
                let z = model.features(xb.baseAddress!, count: n)
                let p = model.head(z, count: n)
                _ = y.withUnsafeBufferPointer { yb in
                    w.withUnsafeBufferPointer { wb in
                        loss.evaluate(
                            prediction: p, target: yb.baseAddress!, weights: wb.baseAddress!, count: n,
                            scale: 1 / Double(n), dPrediction: &dPrediction)
                    }
                }
                let dz = model.backwardHead(z, dPrediction: dPrediction, count: n)
                model.backwardFeatures(xb.baseAddress!, dFeatures: dz, count: n)
            }
            let analytic = model.grads.array
            var numeric = [Double](repeating: 0, count: analytic.count)
            let h: Float = 1e-2
            for i in 0..<model.parameterCount {
                let saved = model.params.pointer[i]
                model.params.pointer[i] = saved + h
                let up = lossValue(model, x, y, w, loss)
                model.params.pointer[i] = saved - h
                let down = lossValue(model, x, y, w, loss)
                model.params.pointer[i] = saved
                numeric[i] = (up - down) / Double(2 * h)
            }
            Approx.assertClose(
                analytic.map(Double.init), numeric, rel: 2e-2, abs: 2e-3,
                "MLP gradient with \(lossKind) loss")
        }
    }

    func testLossDerivativesMatchFiniteDifferences() {
        let losses = [
            Loss(.mse), Loss(.l1), Loss(.huber), Loss(.huber, beta: 0.5), Loss(.focalL1),
            Loss(.focalMSE), Loss(.focalL1, beta: 0.5, gamma: 2, activation: .tanh),
            Loss(.focalMSE, beta: 1, gamma: 0.5, activation: .tanh),
        ]
        for loss in losses {
            for e in stride(from: -3.0, through: 3.0, by: 0.37) where abs(e) > 1e-3 && abs(abs(e) - loss.beta) > 1e-3 {
                let h = 1e-6
                let numeric = (loss.valueAndDerivative(e + h).0 - loss.valueAndDerivative(e - h).0) / (2 * h)
                Approx.assertClose(
                    loss.valueAndDerivative(e).1, numeric, rel: 1e-5, abs: 1e-7,
                    "d\(loss.kind)/de at \(e)")
            }
        }
    }
}

/// A tiny deterministic generator for test inputs.
struct SimpleRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }
    mutating func next() -> Double {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return Double(state >> 11) * 0x1.0p-53
    }
}
