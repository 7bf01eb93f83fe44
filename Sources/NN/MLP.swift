// The regressor: an optional numerical embedding, an optional ensemble input scaling,
// Linear+ReLU hidden layers, then a head per member. Owns the flat parameter/gradient
// buffers and every activation buffer, sized once.
import PRNG

/// `MLP(inputSize, architecture)`: x[n×in] → embedding → member scaling → (Linear, ReLU)*
/// → z → head(s) → ŷ.
///
/// With k ensemble members the hidden layers run on n·k rows, (row i, member j) at
/// i·k + j, so the features z are [n × (k·h)]: to FDS and RankSim each row has the
/// members' features side by side (per-member FDS statistics fall out of the layout).
///
/// All parameters sit in one flat buffer (so the optimizer is one loop, the gradient
/// sync one allreduce, a checkpoint one write). The head comes first, then the hidden
/// layers from the last to the first, the member scaling and the embedding: the
/// gradients finished by a backward pass always form a growing prefix of the buffer
/// (for overlapped reduction). The split forward (`features`, then `head`) leaves room
/// for FDS between them.
public final class MLP {
    public let inputSize: Int
    public let architecture: Architecture
    public let maxBatch: Int
    /// Hidden layers in forward order.
    public let hidden: [Linear]
    /// The single network's head (one member).
    public let headLayer: Linear
    /// The members' heads and input scaling (more than one member).
    public let ensembleHead: EnsembleHead?
    public let ensembleInput: EnsembleInput?
    public let periodic: PeriodicEmbedding?
    public let piecewiseLinear: PiecewiseLinearEncoding?
    /// Learned embeddings of the categorical columns given as level codes (the last
    /// `categories.count` input columns), nil when there are none.
    public let categoryEmbedding: CategoryEmbedding?
    /// Width of the numerical part of the first layer's input (all of it without categories).
    private let numericWidth: Int
    public let params: FloatBuffer
    public let grads: FloatBuffer

    /// activations[l]: output of hidden layer l after ReLU, [maxBatch·k × hiddenSizes[l]].
    private let activations: [FloatBuffer]
    /// The embedded input [maxBatch × width], its periodic cos/sin values, and the
    /// member-scaled input [maxBatch·k × width] (each when used). With category codes,
    /// `embedded` holds the numerical part, `numericInput` the numeric columns of x and
    /// `combined` the numerical part and the category embeddings side by side.
    private let embedded: FloatBuffer
    private let numericInput: FloatBuffer
    private let combined: FloatBuffer
    private let periodicValues: FloatBuffer
    private let scaled: FloatBuffer
    /// Scratch for the gradient flowing back between layers.
    private let backA: FloatBuffer
    private let backB: FloatBuffer
    private let dPeriodic: FloatBuffer
    private let predictions: FloatBuffer
    private let meanPredictions: FloatBuffer
    private let ones: FloatBuffer
    /// The last forward pass's dropout scale of kept units (1: no dropout).
    private var keptScale: Float = 1

    public var hiddenSizes: [Int] { architecture.hidden }
    public var members: Int { architecture.members }
    /// Features per row after the last hidden layer: every member's, side by side.
    public var featureSize: Int { members * hiddenSizes.last! }
    public var parameterCount: Int { params.count }
    /// Head parameters: the first values of the flat buffer, final first in backward.
    public var headParameterCount: Int { ensembleHead?.parameterCount ?? headLayer.parameterCount }

    /// Width of the numerical part of the first hidden layer's input: the numeric
    /// features, or their embedding.
    private static func numericWidth(numeric: Int, architecture: Architecture, edges: [[Float]]?) -> Int {
        switch architecture.embedding {
        case nil: return numeric
        case .periodic(_, let size, _)?: return numeric * size
        case .piecewiseLinear?: return PiecewiseLinearEncoding(edges: edges ?? []).outputSize
        }
    }

    /// Width of the first hidden layer's input: the numeric features or their embedding,
    /// then each category column's embedding. `categories`: the levels of each category
    /// column, the last `categories.count` of the `inputSize` input columns.
    public static func networkInputSize(
        inputSize: Int, architecture: Architecture, edges: [[Float]]?, categories: [Int] = []
    ) -> Int {
        numericWidth(numeric: inputSize - categories.count, architecture: architecture, edges: edges)
            + categories.count * CategoryEmbedding.defaultSize
    }

    /// Length of the flat parameter buffer of such a model.
    public static func parameterCount(
        inputSize: Int, architecture: Architecture, edges: [[Float]]? = nil, categories: [Int] = []
    ) -> Int {
        let width = networkInputSize(
            inputSize: inputSize, architecture: architecture, edges: edges, categories: categories)
        let sizes: [Int] = [width] + architecture.hidden
        var count = 0
        for l in 0..<(sizes.count - 1) { count += sizes[l] * sizes[l + 1] + sizes[l + 1] }
        let k = architecture.members
        count += k * (sizes[sizes.count - 1] + 1)
        if k > 1 { count += k * width }
        if case .periodic(let m, let d, _)? = architecture.embedding {
            let perFeature: Int = m + 2 * m * d + d
            count += (inputSize - categories.count) * perFeature
        }
        return count + categories.reduce(0, +) * CategoryEmbedding.defaultSize
    }

    public static func parameterCount(inputSize: Int, hiddenSizes: [Int]) -> Int {
        parameterCount(inputSize: inputSize, architecture: Architecture(hidden: hiddenSizes))
    }

    public convenience init(
        inputSize: Int, hiddenSizes: [Int], maxBatch: Int, params: FloatBuffer? = nil, grads: FloatBuffer? = nil
    ) {
        self.init(
            inputSize: inputSize, architecture: Architecture(hidden: hiddenSizes), maxBatch: maxBatch,
            params: params, grads: grads)
    }

    /// `params` and `grads`, when given, are storage to use instead of new buffers
    /// (a gradient sync's buffers, possibly memory shared between ranks). `edges`: the
    /// piecewise-linear encoding's bin edges per numeric feature (with that embedding).
    /// `categories`: levels of each category column given as codes, the last input columns.
    public init(
        inputSize: Int, architecture: Architecture, edges: [[Float]]? = nil, categories: [Int] = [],
        maxBatch: Int, params: FloatBuffer? = nil, grads: FloatBuffer? = nil
    ) {
        let hiddenSizes = architecture.hidden
        precondition(
            !hiddenSizes.isEmpty && hiddenSizes.allSatisfy { $0 > 0 },
            "MLP needs at least one positive hidden size, got \(hiddenSizes)")
        precondition(architecture.members >= 1, "an ensemble needs at least one member")
        precondition(categories.count <= inputSize && categories.allSatisfy { $0 >= 1 }, "bad category levels")
        self.inputSize = inputSize
        self.architecture = architecture
        let rows = max(maxBatch, 1), k = architecture.members
        self.maxBatch = rows
        let numeric = inputSize - categories.count
        let numericWidth = Self.numericWidth(numeric: numeric, architecture: architecture, edges: edges)
        self.numericWidth = numericWidth
        let width = Self.networkInputSize(
            inputSize: inputSize, architecture: architecture, edges: edges, categories: categories)
        let last = hiddenSizes.last!
        headLayer = Linear(last, 1, offset: 0)
        ensembleHead = k > 1 ? EnsembleHead(members: k, width: last, offset: 0) : nil
        var offset = ensembleHead?.parameterCount ?? headLayer.parameterCount
        let sizes = [width] + hiddenSizes
        // Laid out from the last hidden layer back to the first.
        var offsets = [Int](repeating: 0, count: hiddenSizes.count)
        for l in stride(from: hiddenSizes.count - 1, through: 0, by: -1) {
            offsets[l] = offset
            offset += sizes[l] * sizes[l + 1] + sizes[l + 1]
        }
        hidden = (0..<hiddenSizes.count).map { Linear(sizes[$0], sizes[$0 + 1], offset: offsets[$0]) }
        ensembleInput = k > 1 ? EnsembleInput(members: k, width: width, offset: offset) : nil
        offset += ensembleInput?.parameterCount ?? 0
        switch architecture.embedding {
        case .periodic(let m, let d, let sigma)?:
            let p = PeriodicEmbedding(features: numeric, frequencies: m, size: d, sigma: sigma, offset: offset)
            periodic = p
            offset += p.parameterCount
            piecewiseLinear = nil
        case .piecewiseLinear?:
            periodic = nil
            piecewiseLinear = PiecewiseLinearEncoding(edges: edges ?? [])
        case nil:
            (periodic, piecewiseLinear) = (nil, nil)
        }
        categoryEmbedding = categories.isEmpty ? nil : CategoryEmbedding(levels: categories, offset: offset)
        offset += categoryEmbedding?.parameterCount ?? 0
        precondition(params.map { $0.count == offset } ?? true, "params storage must hold \(offset) Floats")
        precondition(grads.map { $0.count == offset } ?? true, "grads storage must hold \(offset) Floats")
        self.params = params ?? FloatBuffer(count: offset)
        self.grads = grads ?? FloatBuffer(count: offset)
        activations = hiddenSizes.map { FloatBuffer(count: $0 * rows * k) }
        let embedding = architecture.embedding != nil
        embedded = FloatBuffer(count: embedding ? rows * numericWidth : 0)
        numericInput = FloatBuffer(count: categories.isEmpty ? 0 : rows * numeric)
        combined = FloatBuffer(count: categories.isEmpty ? 0 : rows * width)
        periodicValues = FloatBuffer(count: rows * (periodic?.scratchPerRow ?? 0))
        scaled = FloatBuffer(count: k > 1 ? rows * k * width : 0)
        let widest = sizes.max()!
        backA = FloatBuffer(count: widest * rows * k)
        backB = FloatBuffer(count: widest * rows * k)
        dPeriodic = FloatBuffer(count: rows * 2 * (periodic?.frequencies ?? 0))
        predictions = FloatBuffer(count: rows * k)
        meanPredictions = FloatBuffer(count: k > 1 ? rows : 0)
        ones = FloatBuffer(count: rows * k)
        ones.pointer.update(repeating: 1, count: rows * k)
    }

    /// Fills the parameters from `seed` (done on rank 0, then broadcast). The hidden
    /// layers and the single head draw first, so a plain MLP starts as it always has.
    public func initialize(seed: UInt64) {
        var rng = Xoshiro256(seed: seed, stream: 0x1417)
        for layer in hidden { layer.initialize(params.pointer, rng: &rng) }
        if let ensembleHead {
            ensembleHead.initialize(params.pointer, rng: &rng)
        } else {
            headLayer.initialize(params.pointer, rng: &rng)
        }
        ensembleInput?.initialize(params.pointer, rng: &rng)
        periodic?.initialize(params.pointer, rng: &rng)
        categoryEmbedding?.initialize(params.pointer, rng: &rng)
    }

    /// The first hidden layer's input for x[n×in]: embedded, then scaled per member.
    private func networkInput(_ x: UnsafePointer<Float>, count n: Int) -> UnsafePointer<Float> {
        var input = embed(x, count: n)
        if let ensembleInput {
            ensembleInput.forward(params.pointer, x: input, output: scaled.pointer, count: n)
            input = UnsafePointer(scaled.pointer)
        }
        return input
    }

    /// z[n×(k·h)] = last hidden activation of x[n×in]. Valid until the next call.
    /// `dropout`, in training, drops units after each hidden layer's ReLU.
    public func features(
        _ x: UnsafePointer<Float>, count n: Int, dropout: DropoutMasks? = nil
    ) -> UnsafeMutablePointer<Float> {
        precondition(n <= maxBatch, "batch \(n) exceeds the model's maxBatch \(maxBatch)")
        var input = networkInput(x, count: n)
        let rows = n * members
        keptScale = dropout?.keptScale ?? 1
        for (l, layer) in hidden.enumerated() {
            let out = activations[l].pointer
            layer.forward(params.pointer, x: input, y: out, count: rows)
            ReLU.forward(out, count: rows * layer.outputSize)
            dropout?.apply(out, layer: l, count: n, width: members * layer.outputSize)
            input = UnsafePointer(out)
        }
        return activations[hidden.count - 1].pointer
    }

    /// ŷ = z · w + b per member: [k·n], member j's predictions at j·n..<(j+1)·n.
    public func head(_ z: UnsafePointer<Float>, count n: Int) -> UnsafeMutablePointer<Float> {
        if let ensembleHead {
            ensembleHead.forward(params.pointer, z: z, prediction: predictions.pointer, count: n)
        } else {
            headLayer.forward(params.pointer, x: z, y: predictions.pointer, count: n)
        }
        return predictions.pointer
    }

    /// Head gradients from dŷ[k·n]; returns dz[n×(k·h)] (into a scratch buffer).
    public func backwardHead(
        _ z: UnsafePointer<Float>, dPrediction: UnsafePointer<Float>,
        count n: Int
    ) -> UnsafeMutablePointer<Float> {
        if let ensembleHead {
            ensembleHead.backward(
                params.pointer, grads: grads.pointer, z: z, dPrediction: dPrediction, dz: backA.pointer, count: n)
        } else {
            headLayer.backward(
                params.pointer, grads: grads.pointer, x: z, dy: dPrediction,
                dx: backA.pointer, ones: ones.pointer, count: n)
        }
        return backA.pointer
    }

    /// Gradients of the hidden layers, the member scaling and the embedding from
    /// dz[n×(k·h)] (as returned by `backwardHead`, possibly rescaled by a calibration).
    /// `x` is the input given to `features`. `layerDone(prefix)` is told after each part
    /// how many leading gradient values are final.
    public func backwardFeatures(
        _ x: UnsafePointer<Float>, dFeatures: UnsafeMutablePointer<Float>,
        count n: Int, layerDone: (Int) -> Void = { _ in }
    ) {
        let rows = n * members
        let embeddedInput =
            categoryEmbedding != nil
            ? UnsafePointer(combined.pointer) : architecture.embedding != nil ? UnsafePointer(embedded.pointer) : x
        let networkInput = ensembleInput != nil ? UnsafePointer(scaled.pointer) : embeddedInput
        // The first layer's input gradient is needed only when parameters lie below it.
        let needsInputGradient = ensembleInput != nil || periodic != nil || categoryEmbedding != nil
        var dy = dFeatures
        var spare = dy == backA.pointer ? backB.pointer : backA.pointer
        for l in stride(from: hidden.count - 1, through: 0, by: -1) {
            let layer = hidden[l]
            ReLU.backward(output: activations[l].pointer, dy: dy, count: rows * layer.outputSize)
            if keptScale != 1 { BLAS.scale(dy, count: rows * layer.outputSize, by: keptScale) }
            let input = l == 0 ? networkInput : UnsafePointer(activations[l - 1].pointer)
            layer.backward(
                params.pointer, grads: grads.pointer, x: input, dy: dy,
                dx: l == 0 && !needsInputGradient ? nil : spare, ones: ones.pointer, count: rows)
            layerDone(layer.offset + layer.parameterCount)
            swap(&dy, &spare)
        }
        // dy now holds the gradient of the first layer's input (when it was computed).
        if let ensembleInput {
            ensembleInput.backward(
                params.pointer, grads: grads.pointer, x: embeddedInput, dOutput: dy,
                dx: periodic != nil || categoryEmbedding != nil ? spare : nil, count: n)
            layerDone(ensembleInput.offset + ensembleInput.parameterCount)
            swap(&dy, &spare)
        }
        // dy: the gradient of the embedded input, [n × width] (numerical part first).
        if let periodic {
            var dNumeric = dy, numericX = x
            if let categoryEmbedding {
                // The numerical part's gradient, contiguous as the embedding wants it.
                let (width, partWidth) = (hidden[0].inputSize, numericWidth)
                for i in 0..<n { (spare + i * partWidth).update(from: dy + i * width, count: partWidth) }
                (dNumeric, numericX) = (spare, UnsafePointer(numericInput.pointer))
            }
            periodic.backward(
                params.pointer, grads: grads.pointer, x: numericX, periodic: periodicValues.pointer,
                output: embedded.pointer, dOutput: dNumeric, dPeriodic: dPeriodic.pointer, ones: ones.pointer,
                count: n)
            layerDone(periodic.offset + periodic.parameterCount)
        }
        if let categoryEmbedding {
            let (width, partWidth) = (hidden[0].inputSize, numericWidth)
            categoryEmbedding.backward(
                grads: grads.pointer, codes: x + (inputSize - categoryEmbedding.columns), stride: inputSize,
                dOutput: dy + partWidth, outStride: width, count: n)
            layerDone(categoryEmbedding.offset + categoryEmbedding.parameterCount)
        }
    }

    /// The embedding alone, forward and (with parameters) backward from a gradient of
    /// ones, on x[n×in]: what `dir-dist bench` times as the embedding's share of a step.
    /// Changes the embedding's gradients; nothing else.
    public func embeddingPass(_ x: UnsafePointer<Float>, count n: Int) {
        _ = embed(x, count: n)
        guard let periodic else { return }
        let gradient = backA.pointer
        gradient.update(repeating: 1, count: n * periodic.outputSize)
        periodic.backward(
            params.pointer, grads: grads.pointer, x: x, periodic: periodicValues.pointer, output: embedded.pointer,
            dOutput: gradient, dPeriodic: dPeriodic.pointer, ones: ones.pointer, count: n)
    }

    /// The embedded features of x[n×in] (x itself without an embedding or categories).
    private func embed(_ x: UnsafePointer<Float>, count n: Int) -> UnsafePointer<Float> {
        guard let categoryEmbedding else { return embedNumeric(x, count: n) }
        let numeric = inputSize - categoryEmbedding.columns
        for i in 0..<n { (numericInput.pointer + i * numeric).update(from: x + i * inputSize, count: numeric) }
        let part = embedNumeric(numericInput.pointer, count: n)
        let (width, partWidth) = (hidden[0].inputSize, numericWidth)
        for i in 0..<n { (combined.pointer + i * width).update(from: part + i * partWidth, count: partWidth) }
        categoryEmbedding.forward(
            params.pointer, codes: x + numeric, stride: inputSize, output: combined.pointer + partWidth,
            outStride: width, count: n)
        return UnsafePointer(combined.pointer)
    }

    /// The numerical embedding of the numeric features x[n×F] (x itself without one).
    private func embedNumeric(_ x: UnsafePointer<Float>, count n: Int) -> UnsafePointer<Float> {
        if let periodic {
            periodic.forward(
                params.pointer, x: x, periodic: periodicValues.pointer, output: embedded.pointer, count: n)
        } else if let piecewiseLinear {
            piecewiseLinear.forward(x, output: embedded.pointer, count: n)
        }
        return architecture.embedding != nil ? UnsafePointer(embedded.pointer) : x
    }

    /// Predictions for n ≤ maxBatch rows, the members' mean (no calibration: evaluation
    /// and inference).
    public func predict(_ x: UnsafePointer<Float>, count n: Int) -> UnsafeMutablePointer<Float> {
        let all = head(features(x, count: n), count: n)
        guard members > 1 else { return all }
        let mean = meanPredictions.pointer, k = members
        for i in 0..<n {
            var sum: Float = 0
            for j in 0..<k { sum += all[j * n + i] }
            mean[i] = sum / Float(k)
        }
        return mean
    }
}
