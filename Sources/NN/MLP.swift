// The regressor: Linear+ReLU hidden layers, then a Linear head to one output.
// Owns the flat parameter/gradient buffers and every activation buffer, sized once.
import PRNG

/// `MLP(inputSize, hiddenSizes)`: x[n×in] → (Linear, ReLU)* → z[n×h] → Linear → ŷ[n].
///
/// All parameters sit in one flat buffer (so the optimizer is one loop, the
/// gradient sync one allreduce, a checkpoint one write). The head comes first
/// and the first hidden layer last, so the gradients finished by a backward
/// pass always form a growing prefix of the buffer (for overlapped reduction).
/// The split forward (`features`, then `head`) leaves room for FDS between them.
public final class MLP {
    public let inputSize: Int
    public let hiddenSizes: [Int]
    public let maxBatch: Int
    /// Hidden layers in forward order.
    public let hidden: [Linear]
    public let headLayer: Linear
    public let params: FloatBuffer
    public let grads: FloatBuffer

    /// activations[l]: output of hidden layer l after ReLU, [maxBatch × hiddenSizes[l]].
    private let activations: [FloatBuffer]
    /// Two scratch buffers for the gradient flowing back between hidden layers.
    private let backA: FloatBuffer
    private let backB: FloatBuffer
    private let predictions: FloatBuffer
    private let ones: FloatBuffer

    public var featureSize: Int { hiddenSizes.last! }
    public var parameterCount: Int { params.count }

    /// Length of the flat parameter buffer of such a model.
    public static func parameterCount(inputSize: Int, hiddenSizes: [Int]) -> Int {
        let sizes = [inputSize] + hiddenSizes + [1]
        return (0..<(sizes.count - 1)).reduce(0) { $0 + sizes[$1] * sizes[$1 + 1] + sizes[$1 + 1] }
    }

    /// `params` and `grads`, when given, are storage to use instead of new buffers
    /// (a gradient sync's buffers, possibly memory shared between ranks).
    public init(
        inputSize: Int, hiddenSizes: [Int], maxBatch: Int, params: FloatBuffer? = nil,
        grads: FloatBuffer? = nil
    ) {
        precondition(
            !hiddenSizes.isEmpty && hiddenSizes.allSatisfy { $0 > 0 },
            "MLP needs at least one positive hidden size, got \(hiddenSizes)")
        self.inputSize = inputSize
        self.hiddenSizes = hiddenSizes
        let rows = max(maxBatch, 1)
        self.maxBatch = rows
        let head = Linear(hiddenSizes.last!, 1, offset: 0)
        var offset = head.parameterCount
        var layers = [Linear]()
        let sizes = [inputSize] + hiddenSizes
        // Laid out from the last hidden layer back to the first.
        var offsets = [Int](repeating: 0, count: hiddenSizes.count)
        for l in stride(from: hiddenSizes.count - 1, through: 0, by: -1) {
            offsets[l] = offset
            offset += sizes[l] * sizes[l + 1] + sizes[l + 1]
        }
        for l in 0..<hiddenSizes.count {
            layers.append(Linear(sizes[l], sizes[l + 1], offset: offsets[l]))
        }
        hidden = layers
        headLayer = head
        precondition(params.map { $0.count == offset } ?? true, "params storage must hold \(offset) Floats")
        precondition(grads.map { $0.count == offset } ?? true, "grads storage must hold \(offset) Floats")
        self.params = params ?? FloatBuffer(count: offset)
        self.grads = grads ?? FloatBuffer(count: offset)
        activations = hiddenSizes.map { FloatBuffer(count: $0 * rows) }
        let widest = sizes.max()!
        backA = FloatBuffer(count: widest * rows)
        backB = FloatBuffer(count: widest * rows)
        predictions = FloatBuffer(count: rows)
        ones = FloatBuffer(count: rows)
        ones.pointer.update(repeating: 1, count: rows)
    }

    /// Fills the parameters from `seed` (done on rank 0, then broadcast).
    public func initialize(seed: UInt64) {
        var rng = Xoshiro256(seed: seed, stream: 0x1417)
        for layer in hidden { layer.initialize(params.pointer, rng: &rng) }
        headLayer.initialize(params.pointer, rng: &rng)
    }

    /// z[n×h] = last hidden activation of x[n×in]. Valid until the next call.
    public func features(_ x: UnsafePointer<Float>, count n: Int) -> UnsafeMutablePointer<Float> {
        precondition(n <= maxBatch, "batch \(n) exceeds the model's maxBatch \(maxBatch)")
        var input = x
        for (l, layer) in hidden.enumerated() {
            let out = activations[l].pointer
            layer.forward(params.pointer, x: input, y: out, count: n)
            ReLU.forward(out, count: n * layer.outputSize)
            input = UnsafePointer(out)
        }
        return activations[hidden.count - 1].pointer
    }

    /// ŷ[n] = z[n×h] · w + b.
    public func head(_ z: UnsafePointer<Float>, count n: Int) -> UnsafeMutablePointer<Float> {
        headLayer.forward(params.pointer, x: z, y: predictions.pointer, count: n)
        return predictions.pointer
    }

    /// Head gradients from dŷ[n]; returns dz[n×h] (into a scratch buffer).
    public func backwardHead(
        _ z: UnsafePointer<Float>, dPrediction: UnsafePointer<Float>,
        count n: Int
    ) -> UnsafeMutablePointer<Float> {
        headLayer.backward(
            params.pointer, grads: grads.pointer, x: z, dy: dPrediction,
            dx: backA.pointer, ones: ones.pointer, count: n)
        return backA.pointer
    }

    /// Hidden-layer gradients from dz[n×h] (as returned by `backwardHead`, possibly
    /// rescaled by a calibration). `layerDone(prefix)` is told after each layer how
    /// many leading gradient values are final.
    public func backwardFeatures(
        _ x: UnsafePointer<Float>, dFeatures: UnsafeMutablePointer<Float>,
        count n: Int, layerDone: (Int) -> Void = { _ in }
    ) {
        var dy = dFeatures
        var spare = dy == backA.pointer ? backB.pointer : backA.pointer
        for l in stride(from: hidden.count - 1, through: 0, by: -1) {
            let layer = hidden[l]
            ReLU.backward(output: activations[l].pointer, dy: dy, count: n * layer.outputSize)
            let input = l == 0 ? x : UnsafePointer(activations[l - 1].pointer)
            layer.backward(
                params.pointer, grads: grads.pointer, x: input, dy: dy,
                dx: l == 0 ? nil : spare, ones: ones.pointer, count: n)
            layerDone(layer.offset + layer.parameterCount)
            swap(&dy, &spare)
        }
    }

    /// Predictions for n ≤ maxBatch rows (no calibration: evaluation and inference).
    public func predict(_ x: UnsafePointer<Float>, count n: Int) -> UnsafeMutablePointer<Float> {
        head(features(x, count: n), count: n)
    }
}
