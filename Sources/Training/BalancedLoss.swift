// Balanced MSE in the training step. σ is the last element of the flat parameter
// buffer, so it is summed with the gradients, checkpointed and resumed like any weight,
// and the optimizer gives it its own constant rate. BMC compares each prediction with
// every target of the global batch: the batch is a slice of the shared permutation, so
// each rank reads those targets itself instead of gathering them (no message per step).
import DIR
import NN
import Settings

final class BalancedLoss {
    /// The loss, with its prior in the units the model sees.
    private(set) var loss: BalancedMSE
    /// Where σ sits in the parameter and gradient buffers.
    let sigmaIndex: Int
    /// The flat buffers σ and its gradient live in (the sync's).
    private let parameters: FloatBuffer
    private let gradients: FloatBuffer
    /// Targets of the global batch in batch order (BMC: all of them; GAI, BNI: this rank's).
    private let batchTargets: FloatBuffer
    private let targetScale: TargetScale

    init(
        _ settings: BalancedMSESettings, prior: LabelPrior?, scale: TargetScale, parameters: FloatBuffer,
        gradients: FloatBuffer, sigmaIndex: Int, capacity: Int
    ) {
        self.parameters = parameters
        self.gradients = gradients
        targetScale = scale
        userPrior = prior
        loss = BalancedMSE(kind: settings.kind, prior: prior?.mapped(shift: scale.mean, scale: scale.std))
        self.sigmaIndex = sigmaIndex
        batchTargets = FloatBuffer(count: capacity)
    }

    /// σ as the model sees the targets, from σ in the target's units (and its rate alike).
    static func modelSigma(_ sigma: Double, _ scale: TargetScale) -> Float { Float(sigma / scale.std) }

    /// The prior in the target's units, as fitted (for the checkpoint and the model file).
    private(set) var userPrior: LabelPrior?

    /// Continues with a checkpoint's prior (in the target's units).
    func restore(prior: LabelPrior) {
        userPrior = prior
        loss = BalancedMSE(kind: loss.kind, prior: prior.mapped(shift: targetScale.mean, scale: targetScale.std))
    }

    /// Rows `first..<first + n` of the global batch `batch` (their predictions, weights and
    /// targets): writes dŷ and σ's gradient (added to it with `accumulate`, for the second
    /// and later ensemble members), returns Σ w·2v·ℓ of these rows.
    func evaluate(
        batch: UnsafeBufferPointer<Int32>, first: Int, count n: Int, prediction: UnsafePointer<Float>,
        weights: UnsafePointer<Float>, data: PreparedData, scale: Double,
        dPrediction: UnsafeMutablePointer<Float>, accumulate: Bool = false
    ) -> Double {
        let rows = loss.kind == .bmc ? 0..<batch.count : first..<(first + n)
        for k in rows { batchTargets.pointer[k] = data.trainTargets[Int(batch[k])] }
        let value = loss.evaluate(
            prediction: prediction, batchTargets: batchTargets.pointer, batchCount: batch.count, firstRow: first,
            weights: weights, count: n, sigma: parameters.pointer[sigmaIndex], scale: scale,
            dPrediction: dPrediction)
        let sigmaGradient = gradients.pointer + sigmaIndex
        sigmaGradient.pointee = (accumulate ? sigmaGradient.pointee : 0) + Float(value.dSigma)
        return value.loss
    }
}
