// Option group of the loss: the per-sample losses, Balanced MSE (which replaces them)
// and RankSim (which adds to any of them).
import ArgumentParser
import DIR
import NN
import Settings

/// Every loss `--loss` names: the per-sample ones of the reference and Balanced MSE's three.
enum LossChoice: String, ExpressibleByArgument, CaseIterable {
    case mse, l1, huber
    case focalL1 = "focal_l1"
    case focalMSE = "focal_mse"
    case bmc, gai, bni

    var balanced: BalancedMSEKind? { BalancedMSEKind(rawValue: rawValue) }
    var perSample: LossKind? { LossKind(rawValue: rawValue) }
}

struct LossOptions: ParsableArguments {
    @Option(help: "Loss: mse, l1, huber, focal_l1, focal_mse, or Balanced MSE's bmc, gai or bni.")
    var loss: LossChoice = .mse
    @Option(
        help: ArgumentHelp(
            "Loss beta in the target's units, also with --target-scaling standard (huber: the error where the "
                + "loss turns linear, 1; focal: the factor of |error|, 0.2)."))
    var lossBeta: Double?
    @Option(help: "Focal loss gamma.") var lossGamma: Double?
    @Option(help: "Focal loss activation: sigmoid or tanh.") var focalActivation: FocalActivation?

    @Option(help: "Balanced MSE: initial noise scale sigma, in the target's units (default 1).")
    var bmcInitSigma: Double?
    @Option(help: "Balanced MSE: sigma's own constant learning rate, in the target's units (default 0.01).")
    var bmcSigmaLr: Double?
    @Flag(help: "Balanced MSE: keep sigma at its initial value.") var bmcFixSigma = false
    @Option(help: "GAI: components of the Gaussian mixture of the training labels (default 8).")
    var gaiComponents: Int?

    @Option(
        name: .customLong("ranksim"),
        help: "RankSim regulariser with weight GAMMA on the features before FDS (default: off).")
    var ranksimGamma: Double?
    @Option(help: "RankSim: the ranker's interpolation strength lambda (default 2).") var ranksimLambda: Double?

    func validate() throws {
        if let kind = loss.balanced {
            let perSampleOptions = [("--loss-beta", lossBeta != nil), ("--loss-gamma", lossGamma != nil)]
            for (name, given) in perSampleOptions + [("--focal-activation", focalActivation != nil)] where given {
                throw optionError(name, "applies to the huber and focal losses, not to --loss \(kind.rawValue)")
            }
        } else {
            let balancedOptions = [("--bmc-init-sigma", bmcInitSigma != nil), ("--bmc-sigma-lr", bmcSigmaLr != nil)]
            for (name, given) in balancedOptions + [("--bmc-fix-sigma", bmcFixSigma)] where given {
                throw optionError(name, "needs a Balanced MSE loss: --loss bmc, gai or bni")
            }
        }
        if gaiComponents != nil && loss != .gai { throw optionError("--gai-components", "needs --loss gai") }
        if let k = gaiComponents, k < 1 { throw optionError("--gai-components", "must be positive, got \(k)") }
        if let s = bmcInitSigma, !(s > 0 && s.isFinite) {
            throw optionError("--bmc-init-sigma", "must be positive, got \(s)")
        }
        if let r = bmcSigmaLr, !(r >= 0 && r.isFinite) {
            throw optionError("--bmc-sigma-lr", "must be non-negative, got \(r)")
        }
        if bmcFixSigma && bmcSigmaLr != nil { throw optionError("--bmc-sigma-lr", "conflicts with --bmc-fix-sigma") }
        if let g = ranksimGamma, !(g > 0 && g.isFinite) { throw optionError("--ranksim", "must be positive, got \(g)") }
        if ranksimLambda != nil && ranksimGamma == nil {
            throw optionError("--ranksim-lambda", "needs --ranksim GAMMA")
        }
        if let l = ranksimLambda, !(l > 0 && l.isFinite) {
            throw optionError("--ranksim-lambda", "must be positive, got \(l)")
        }
        let beta = lossBeta ?? 1, gamma = lossGamma ?? 0
        if !(beta > 0) { throw optionError("--loss-beta", "must be positive, got \(beta)") }
        if !(gamma >= 0) { throw optionError("--loss-gamma", "must be non-negative, got \(gamma)") }
    }

    /// Sets the recipe's loss, Balanced MSE and RankSim.
    func apply(to r: inout Recipe) {
        r.loss = Loss(
            loss.perSample ?? .mse, beta: lossBeta, gamma: lossGamma, activation: focalActivation ?? .sigmoid)
        r.balancedMSE = loss.balanced.map {
            var b = BalancedMSESettings(kind: $0)
            b.initialSigma = bmcInitSigma ?? b.initialSigma
            b.sigmaLearningRate = bmcSigmaLr ?? b.sigmaLearningRate
            b.fixedSigma = bmcFixSigma
            b.components = gaiComponents ?? b.components
            return b
        }
        r.rankSim = ranksimGamma.map {
            var s = RankSimSettings(gamma: $0)
            s.lambda = ranksimLambda ?? s.lambda
            return s
        }
    }
}
