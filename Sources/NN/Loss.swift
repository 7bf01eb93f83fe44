// Weighted regression losses of the DIR reference (docs/specification.md §4): value and dL/dŷ.
// The loss of a batch is mean_i(w_i · l_i); the caller supplies the 1/batch scale.

#if canImport(Glibc)
    import Glibc
#endif

public enum LossKind: String, CaseIterable, Codable, Sendable {
    case mse, l1, huber
    case focalL1 = "focal_l1"
    case focalMSE = "focal_mse"
}

public enum FocalActivation: String, CaseIterable, Codable, Sendable {
    case sigmoid, tanh
}

/// A per-sample loss l(e), e = ŷ − y, with its derivative.
/// - mse: e²;  l1: |e|;  huber(β): 0.5e²/β if |e| < β else |e| − 0.5β
/// - focal_l1(β, γ, act): |e| · f(β|e|)^γ with f = 2σ − 1 or tanh; focal_mse: e² · f(β|e|)^γ
public struct Loss: Codable, Sendable, Equatable {
    public var kind: LossKind
    public var beta: Double
    public var gamma: Double
    public var activation: FocalActivation

    /// Parameters default to the reference's (huber β = 1; focal β = 0.2, γ = 1, sigmoid).
    public init(
        _ kind: LossKind, beta: Double? = nil, gamma: Double? = nil,
        activation: FocalActivation = .sigmoid
    ) {
        self.kind = kind
        self.beta = beta ?? (kind == .huber ? 1 : 0.2)
        self.gamma = gamma ?? 1
        self.activation = activation
    }

    /// The same loss for targets divided by `scale` (standardised targets), so that β keeps
    /// its meaning in the user's units: Huber's β is a threshold on the error, so it is
    /// divided by `scale`; focal's β multiplies the error, so it is multiplied.
    public func forTargets(dividedBy scale: Double) -> Loss {
        var l = self
        switch kind {
        case .huber: l.beta = beta / scale
        case .focalL1, .focalMSE: l.beta = beta * scale
        case .mse, .l1: break
        }
        return l
    }

    /// Per-sample value and dl/de.
    @inline(__always)
    public func valueAndDerivative(_ e: Double) -> (Double, Double) {
        let a = abs(e)
        let sign: Double = e > 0 ? 1 : (e < 0 ? -1 : 0)
        switch kind {
        case .mse:
            return (e * e, 2 * e)
        case .l1:
            return (a, sign)
        case .huber:
            return a < beta ? (0.5 * e * e / beta, e / beta) : (a - 0.5 * beta, sign)
        case .focalL1, .focalMSE:
            let (f, df) = focal(beta * a)
            let fg = pow(f, gamma)
            let dfg = gamma == 0 ? 0 : gamma * pow(f, gamma - 1) * df * beta * sign
            if kind == .focalL1 { return (a * fg, sign * fg + a * dfg) }
            return (e * e * fg, 2 * e * fg + e * e * dfg)
        }
    }

    @inline(__always)
    private func focal(_ x: Double) -> (Double, Double) {
        switch activation {
        case .sigmoid:
            let s = 1 / (1 + exp(-x))
            return (2 * s - 1, 2 * s * (1 - s))
        case .tanh:
            let t = Glibc.tanh(x)
            return (t, 1 - t * t)
        }
    }

    /// Returns Σ w_i l_i over the n samples and writes dŷ_i = scale · w_i · l'_i.
    /// `weights == nil` means all ones.
    public func evaluate(
        prediction: UnsafePointer<Float>, target: UnsafePointer<Float>,
        weights: UnsafePointer<Float>?, count n: Int, scale: Double,
        dPrediction: UnsafeMutablePointer<Float>
    ) -> Double {
        var total = 0.0
        for i in 0..<n {
            let w = weights.map { Double($0[i]) } ?? 1
            let (l, dl) = valueAndDerivative(Double(prediction[i]) - Double(target[i]))
            total += w * l
            dPrediction[i] = Float(scale * w * dl)
        }
        return total
    }
}
