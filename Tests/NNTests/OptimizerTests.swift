// Adam and SGD with momentum against their update rules written out by hand
// (torch.optim semantics), over several steps.
import NN
import TestSupport
import XCTest

final class OptimizerTests: XCTestCase {
    func testAdamFollowsTorchUpdateRule() {
        let params = FloatBuffer(count: 3), grads = FloatBuffer(count: 3)
        params.assign([1, -2, 0.5])
        let adam = Adam(parameterCount: 3, learningRate: 0.1)
        var p: [Double] = [1, -2, 0.5], m = [Double](repeating: 0, count: 3), v = m
        let gradientSteps: [[Double]] = [[0.3, -1, 2], [0.1, 0.5, -2], [-0.2, 0, 1e-3]]
        for (t, g) in gradientSteps.enumerated() {
            grads.assign(g.map(Float.init))
            adam.step(params: params, grads: grads)
            for i in 0..<3 {
                m[i] = 0.9 * m[i] + 0.1 * g[i]
                v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i]
                let mHat = m[i] / (1 - pow(0.9, Double(t + 1)))
                let vHat = v[i] / (1 - pow(0.999, Double(t + 1)))
                p[i] -= 0.1 * mHat / (vHat.squareRoot() + 1e-8)
            }
        }
        Approx.assertClose(params.array.map(Double.init), p, rel: 1e-5, abs: 1e-6, "Adam parameters")
        XCTAssertEqual(adam.stepCount, 3)
    }

    /// torch.optim.AdamW: p ← p·(1 − lr·λ), then the Adam step from moments without λ;
    /// an element with a constant rate of its own (Balanced MSE's σ) is not decayed.
    func testAdamWFollowsTorchUpdateRule() {
        let params = FloatBuffer(count: 3), grads = FloatBuffer(count: 3)
        params.assign([1, -2, 0.5])
        let adamw = Adam(parameterCount: 3, learningRate: 0.1, weightDecay: 0.5, decoupled: true)
        adamw.constantRate = ConstantRate(range: 2..<3, rate: 0.1)
        var p: [Double] = [1, -2, 0.5], m = [Double](repeating: 0, count: 3), v = m
        for (t, g) in [[0.3, -1, 2], [0.1, 0.5, -2], [-0.2, 0, 1e-3]].enumerated() {
            grads.assign(g.map(Float.init))
            adamw.step(params: params, grads: grads)
            for i in 0..<3 {
                if i < 2 { p[i] *= 1 - 0.1 * 0.5 }
                m[i] = 0.9 * m[i] + 0.1 * g[i]
                v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i]
                let mHat = m[i] / (1 - pow(0.9, Double(t + 1)))
                let vHat = v[i] / (1 - pow(0.999, Double(t + 1)))
                p[i] -= 0.1 * mHat / (vHat.squareRoot() + 1e-8)
            }
        }
        Approx.assertClose(params.array.map(Double.init), p, rel: 1e-5, abs: 1e-6, "AdamW parameters")
    }

    func testSGDWithMomentumFollowsTorchUpdateRule() {
        let params = FloatBuffer(count: 2), grads = FloatBuffer(count: 2)
        params.assign([1, 2])
        let sgd = SGD(parameterCount: 2, learningRate: 0.1, momentum: 0.9)
        var p: [Double] = [1, 2], buf: [Double] = [0, 0]
        for (t, g) in [[1.0, -1.0], [0.5, 0.5], [-2.0, 0.25]].enumerated() {
            grads.assign(g.map(Float.init))
            sgd.step(params: params, grads: grads)
            for i in 0..<2 {
                buf[i] = t == 0 ? g[i] : 0.9 * buf[i] + g[i]
                p[i] -= 0.1 * buf[i]
            }
        }
        Approx.assertClose(params.array.map(Double.init), p, rel: 1e-6, "SGD parameters")
    }

    /// Ranks that split the update each step one shard; the shards together must give
    /// exactly the whole-buffer step (the update is elementwise).
    func testStepsOnShardsEqualOneWholeStep() {
        let n = 37
        let gradientSteps = (0..<3).map { t in (0..<n).map { Float(sin(Double(7 * $0 + t))) } }
        let makers: [(String, () -> Optimizer)] = [
            ("adam", { Adam(parameterCount: n, learningRate: 0.01, weightDecay: 0.1) }),
            ("sgd", { SGD(parameterCount: n, learningRate: 0.01, momentum: 0.9, weightDecay: 0.1) }),
        ]
        for (name, make) in makers {
            let whole = make(), shards = [make(), make(), make()]
            let bounds = [0, 16, 16, n]  // the middle shard is empty
            let p1 = FloatBuffer(count: n), p2 = FloatBuffer(count: n), g = FloatBuffer(count: n)
            p1.assign((0..<n).map { Float($0) / 10 })
            p2.copy(from: p1)
            for step in gradientSteps {
                g.assign(step)
                whole.step(params: p1, grads: g)
                for (k, optimizer) in shards.enumerated() {
                    optimizer.step(params: p2.pointer, grads: g.pointer, range: bounds[k]..<bounds[k + 1])
                }
            }
            XCTAssertEqual(p2.array, p1.array, "\(name): sharded steps")
        }
    }

    /// The shared-memory path steps on every rank's gradients, summed as they are read;
    /// that must be bit for bit the step on their sum taken first (in the same order).
    func testSummingWhileSteppingEqualsSteppingOnTheSum() {
        let n = 29, ranks = 3
        let makers: [(String, () -> Optimizer)] = [
            ("adam", { Adam(parameterCount: n, learningRate: 0.01, weightDecay: 0.1) }),
            ("sgd", { SGD(parameterCount: n, learningRate: 0.01, momentum: 0.9, weightDecay: 0.1) }),
        ]
        for (name, make) in makers {
            let first = make(), fused = make()
            let p1 = FloatBuffer(count: n), p2 = FloatBuffer(count: n), total = FloatBuffer(count: n)
            let parts = (0..<ranks).map { _ in FloatBuffer(count: n) }
            p1.assign((0..<n).map { Float($0) / 10 })
            p2.copy(from: p1)
            for t in 0..<3 {
                for (r, part) in parts.enumerated() {
                    part.assign((0..<n).map { Float(sin(Double(5 * $0 + 11 * r + t))) / 3 })
                }
                for i in 0..<n {
                    total.pointer[i] = parts.dropFirst().reduce(parts[0].pointer[i]) { $0 + $1.pointer[i] }
                }
                first.step(params: p1, grads: total)
                let pointers = parts.map { UnsafePointer($0.pointer) }
                pointers.withUnsafeBufferPointer { fused.step(params: p2.pointer, summing: $0, range: 0..<n) }
            }
            XCTAssertEqual(p2.array, p1.array, "\(name): fused sum")
        }
    }
}

/// Loss parameters keep their meaning in the target's units when targets are standardised.
final class ScaledLossTests: XCTestCase {
    func testHuberAndFocalBetaFollowTheTargetScale() {
        let std = 50.0
        for kind in [LossKind.huber, .focalL1, .focalMSE] {
            let loss = Loss(kind, beta: kind == .huber ? 20 : 0.05)
            let scaled = loss.forTargets(dividedBy: std)
            // An error e in user units is e/std for the model: the losses agree up to a constant factor.
            let ratios = [3.0, 10, 40, 90].map { e in
                loss.valueAndDerivative(e).0 / scaled.valueAndDerivative(e / std).0
            }
            for r in ratios { XCTAssertEqual(r, ratios[0], accuracy: 1e-9 * ratios[0], "\(kind): \(ratios)") }
        }
        XCTAssertEqual(Loss(.mse).forTargets(dividedBy: std), Loss(.mse))
    }
}
