// Optimizers over the flat parameter buffer, PyTorch's update rules exactly.
// State is flat buffers too, so a checkpoint saves it in one write.

import CVectorKernels

#if canImport(Glibc)
    import Glibc
#endif

public enum OptimizerKind: String, CaseIterable, Codable, Sendable {
    /// Adam with decay added to the gradient (L2), AdamW with decay applied to the
    /// weights apart from the adaptive step (Loshchilov & Hutter), SGD with momentum.
    case adam, adamw, sgd
}

/// An optimizer updates `params` in place from `grads` (the mean gradient over
/// the global batch), identically on every rank.
public protocol Optimizer: AnyObject {
    /// Number of steps taken so far.
    var stepCount: Int { get set }
    /// The rate of the next step (a schedule sets it before each step).
    var learningRate: Float { get set }
    /// Elements that keep their own constant rate instead (Balanced MSE's σ), nil: none.
    var constantRate: ConstantRate? { get set }
    /// Flat state buffers, each of the parameter count (for checkpoints).
    var stateBuffers: [FloatBuffer] { get }
    /// One step on the elements `range` of the flat buffers (`params[i]`, the state, and
    /// the gradient Σ_r grads[r][i], summed in the order given): the whole model, or the
    /// shard a rank updates when ranks split the update, reading every rank's gradients
    /// as it goes (no separate summing pass). Elementwise, so shards give the same values
    /// as the whole.
    func step(
        params: UnsafeMutablePointer<Float>, summing grads: UnsafeBufferPointer<UnsafePointer<Float>>,
        range: Range<Int>)
}

/// Elements of the flat buffer updated at a constant rate of their own (a parameter
/// group in PyTorch's terms, outside the learning-rate schedule).
public struct ConstantRate: Sendable, Equatable {
    public var range: Range<Int>
    public var rate: Float

    public init(range: Range<Int>, rate: Float) {
        self.range = range
        self.rate = rate
    }
}

extension Optimizer {
    /// Calls `body` with the parts of `range` and the rate each is updated at.
    @inline(__always)
    func forEachRate(in range: Range<Int>, _ body: (Range<Int>, Float) -> Void) {
        guard let constant = constantRate, constant.range.overlaps(range) else {
            body(range, learningRate)
            return
        }
        let own = constant.range.clamped(to: range)
        if range.lowerBound < own.lowerBound { body(range.lowerBound..<own.lowerBound, learningRate) }
        body(own, constant.rate)
        if own.upperBound < range.upperBound { body(own.upperBound..<range.upperBound, learningRate) }
    }

    /// One step on `range` with one gradient buffer.
    public func step(params: UnsafeMutablePointer<Float>, grads: UnsafePointer<Float>, range: Range<Int>) {
        withUnsafePointer(to: grads) {
            step(params: params, summing: UnsafeBufferPointer(start: $0, count: 1), range: range)
        }
    }

    /// One step on every parameter.
    public func step(params: FloatBuffer, grads: FloatBuffer) {
        step(params: params.pointer, grads: grads.pointer, range: 0..<params.count)
    }
}

/// Where an update reads its gradient: one buffer, or the sum of several read as it goes.
/// The update loops are generic over it, so each case compiles to its own tight loop.
protocol GradientSource {
    /// Eight lanes of the gradient at i.
    func lanes(at i: Int) -> Lanes.Vector
    func scalar(at i: Int) -> Float
}

struct OneGradient: GradientSource {
    let g: UnsafePointer<Float>
    @inline(__always) func lanes(at i: Int) -> Lanes.Vector { Lanes.load(g + i) }
    @inline(__always) func scalar(at i: Int) -> Float { g[i] }
}

/// Σ_r g[r][i] in the order of `g` (rank order: every run adds alike).
struct SummedGradients: GradientSource {
    let g: UnsafeBufferPointer<UnsafePointer<Float>>
    @inline(__always) func lanes(at i: Int) -> Lanes.Vector {
        var v = Lanes.load(g[0] + i)
        for r in 1..<g.count { v += Lanes.load(g[r] + i) }
        return v
    }
    @inline(__always) func scalar(at i: Int) -> Float {
        var v = g[0][i]
        for r in 1..<g.count { v += g[r][i] }
        return v
    }
}

/// Adam (Kingma & Ba) as torch.optim.Adam: bias-corrected moments,
/// p −= lr/(1−β1ᵗ) · m / (sqrt(v)/sqrt(1−β2ᵗ) + ε); with `decoupled` as torch.optim.AdamW:
/// p ← p·(1 − lr·decay) first, the decay kept out of the moments. Elements with a constant
/// rate of their own (Balanced MSE's σ) are not decayed.
public final class Adam: Optimizer {
    public var learningRate: Float
    public var constantRate: ConstantRate?
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    public let weightDecay: Float
    public let decoupled: Bool
    public var stepCount = 0
    private let m: FloatBuffer
    private let v: FloatBuffer
    public var stateBuffers: [FloatBuffer] { [m, v] }

    public init(
        parameterCount: Int, learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999,
        epsilon: Float = 1e-8, weightDecay: Float = 0, decoupled: Bool = false
    ) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupled = decoupled
        m = FloatBuffer(count: parameterCount)
        v = FloatBuffer(count: parameterCount)
    }

    public func step(
        params: UnsafeMutablePointer<Float>, summing grads: UnsafeBufferPointer<UnsafePointer<Float>>,
        range: Range<Int>
    ) {
        stepCount += 1
        let t = Double(stepCount)
        let correction1 = 1 - pow(Double(beta1), t)
        let correction2Root = (1 - pow(Double(beta2), t)).squareRoot()
        let invRoot2 = Float(1 / correction2Root)
        // The elementwise pass is C built for the CPU's widest vectors: a square root and
        // a division per element made the Swift loop (SSE width on baseline x86-64) most of
        // the non-product time of a step (docs/performance.md).
        grads.withMemoryRebound(to: UnsafePointer<Float>?.self) { g in
            forEachRate(in: range) { part, rate in
                let stepSize = Float(Double(rate) / correction1)
                let own = constantRate.map { $0.range == part } ?? false
                let shrink: Float = decoupled && !own ? 1 - rate * weightDecay : 1
                cvk_adam(
                    params, g.baseAddress, Int32(grads.count), m.pointer, v.pointer, part.lowerBound, part.count,
                    beta1, beta2, epsilon, decoupled ? 0 : weightDecay, shrink, stepSize, invRoot2)
            }
        }
    }
}

/// SGD with momentum as torch.optim.SGD: buf = μ·buf + g (buf = g at the
/// first step), p −= lr · buf.
public final class SGD: Optimizer {
    public var learningRate: Float
    public var constantRate: ConstantRate?
    public let momentum: Float
    public let weightDecay: Float
    public var stepCount = 0
    private let velocity: FloatBuffer
    public var stateBuffers: [FloatBuffer] { [velocity] }

    public init(
        parameterCount: Int, learningRate: Float, momentum: Float = 0.9,
        weightDecay: Float = 0
    ) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        velocity = FloatBuffer(count: parameterCount)
    }

    public func step(
        params: UnsafeMutablePointer<Float>, summing grads: UnsafeBufferPointer<UnsafePointer<Float>>,
        range: Range<Int>
    ) {
        let first = stepCount == 0
        stepCount += 1
        forEachRate(in: range) { part, rate in
            if grads.count == 1 {
                update(params, OneGradient(g: grads[0]), part, rate: rate, first: first)
            } else {
                update(params, SummedGradients(g: grads), part, rate: rate, first: first)
            }
        }
    }

    @inline(__always)
    private func update<G: GradientSource>(
        _ params: UnsafeMutablePointer<Float>, _ grads: G, _ range: Range<Int>, rate lr: Float, first: Bool
    ) {
        let n = range.count, lo = range.lowerBound
        let p = params + lo, buf = velocity.pointer + lo
        let mu: Float = first ? 0 : momentum, wd = weightDecay
        var i = 0
        while i + Lanes.scalarCount <= n {
            let gi = grads.lanes(at: lo + i) + wd * Lanes.load(p + i)
            let bi = mu * Lanes.load(buf + i) + gi
            Lanes.store(bi, buf + i)
            Lanes.store(Lanes.load(p + i) - lr * (momentum == 0 ? gi : bi), p + i)
            i += Lanes.scalarCount
        }
        while i < n {
            let gi = grads.scalar(at: lo + i) + wd * p[i]
            buf[i] = mu * buf[i] + gi
            p[i] -= lr * (momentum == 0 ? gi : buf[i])
            i += 1
        }
    }
}
