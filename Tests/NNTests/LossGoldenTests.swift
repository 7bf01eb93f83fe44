// The weighted losses against the reference implementation's outputs
// (Tests/Golden/losses.json): batch value and dL/dŷ, to 1e-5.
import NN
import TestSupport
import XCTest

private struct LossGolden: Decodable {
    struct Params: Decodable {
        var beta: Double?
        var gamma: Double?
        var activate: String?
    }
    struct Case: Decodable {
        var loss: String
        var params: Params
        var pred: [Float]
        var target: [Float]
        var weights: [Float]
        var value: Double
        var grad: [Double]
    }
    var cases: [Case]
}

final class LossGoldenTests: XCTestCase {
    func testLossesMatchReference() throws {
        let golden = try loadGolden("losses.json", as: LossGolden.self)
        XCTAssertFalse(golden.cases.isEmpty, "the golden file holds cases")
        for c in golden.cases {
            let kind = try XCTUnwrap(LossKind(rawValue: c.loss), c.loss)
            let loss = Loss(
                kind, beta: c.params.beta, gamma: c.params.gamma,
                activation: FocalActivation(rawValue: c.params.activate ?? "sigmoid")!)
            let n = c.pred.count
            var grad = [Float](repeating: 0, count: n)
            let total = loss.evaluate(
                prediction: c.pred, target: c.target, weights: c.weights, count: n,
                scale: 1 / Double(n), dPrediction: &grad)
            Approx.assertClose(total / Double(n), c.value, rel: 1e-5, "\(c.loss) \(c.params) value")
            Approx.assertClose(grad.map(Double.init), c.grad, rel: 1e-5, abs: 1e-9, "\(c.loss) \(c.params) gradient")
        }
    }
}
