// Settings of the peer methods that change the loss (docs/peer-methods.md): Balanced MSE and
// RankSim. DenseWeight, a reweighting, is `DenseWeightSettings` beside the recipe.
import DIR

/// Balanced MSE in place of the per-sample loss (docs/peer-methods.md §1). σ and its rate are in
/// the target's units, also when the loss sees standardised targets.
public struct BalancedMSESettings: Codable, Sendable, Equatable {
    public var kind: BalancedMSEKind
    /// The noise scale σ at the start (the reference's init_noise_sigma).
    public var initialSigma = 1.0
    /// σ's own learning rate: constant, untouched by the model's schedule.
    public var sigmaLearningRate = 1e-2
    /// Keep σ at its initial value.
    public var fixedSigma = false
    /// GAI: components of the label mixture.
    public var components = 8

    public init(kind: BalancedMSEKind) { self.kind = kind }
}

/// The RankSim regulariser on the features before FDS (docs/peer-methods.md §2): loss += γ·R.
public struct RankSimSettings: Codable, Sendable, Equatable {
    /// γ, the regulariser's weight.
    public var gamma: Double
    /// λ, the blackbox ranker's interpolation strength (2 in every reference recipe).
    public var lambda = 2.0

    public init(gamma: Double) { self.gamma = gamma }
}

extension Recipe {
    /// The DIR method in a few words, for the first line of a run and the bench:
    /// "mse", "sqrt_inv + LDS + FDS", "bmc (sigma 1, lr 0.01) + RankSim (gamma 100)".
    public var methodName: String {
        var parts = [String]()
        if let b = balancedMSE {
            let sigma =
                b.fixedSigma ? "fixed sigma \(b.initialSigma)" : "sigma \(b.initialSigma), lr \(b.sigmaLearningRate)"
            parts.append("\(b.kind.rawValue) (\(sigma)\(b.kind == .gai ? ", \(b.components) components" : ""))")
        } else {
            parts.append(loss.kind.rawValue)
        }
        if reweight != .none {
            parts.append(reweight == .denseWeight ? "denseweight (alpha \(denseWeight.alpha))" : reweight.rawValue)
        }
        if lds != nil { parts.append("LDS") }
        if fds != nil { parts.append("FDS") }
        if let r = rankSim { parts.append("RankSim (gamma \(r.gamma), lambda \(r.lambda))") }
        return parts.joined(separator: " + ")
    }
}
