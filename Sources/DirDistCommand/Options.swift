// Option groups by concern, shared by `train` and `lds`: each checks its own values
// in `validate()` and turns itself into part of the Codable configuration.
import ArgumentParser
import DIR
import Datasets
import NN
import Settings

extension Reweight: ExpressibleByArgument {}
extension KernelKind: ExpressibleByArgument {}
extension LossKind: ExpressibleByArgument {}
extension FocalActivation: ExpressibleByArgument {}
extension OptimizerKind: ExpressibleByArgument {}
extension ModelSelection: ExpressibleByArgument {}
extension FDSStatisticsMode: ExpressibleByArgument {}
extension FDSPass: ExpressibleByArgument {}
extension RowSplit.Kind: ExpressibleByArgument {}

/// A bad option value: `error: <option>: <what>` (status 2), printed from rank 0.
func optionError(_ option: String, _ message: String) -> ValidationError {
    ValidationError("\(option): \(message)")
}

struct BinningOptions: ParsableArguments {
    @Option(help: "Number of equal-width label bins (default: integer bins for integer labels, else 50).")
    var bins: Int?

    @Option(
        name: .customLong("label-range"), parsing: .upToNextOption,
        help: ArgumentHelp("Label range LO HI of the bins (default: training min and max).", valueName: "lo hi"))
    var labelRange: [Double] = []

    @Flag(help: "Integer labels such as ages: bins of width 1 from 0 (labels above --max-label fold into the last).")
    var integerLabels = false

    @Option(help: "Largest label bin with --integer-labels (default: the largest training label).")
    var maxLabel: Int?

    func validate() throws {
        if !labelRange.isEmpty && labelRange.count != 2 {
            throw optionError("--label-range", "takes two values LO HI, got \(labelRange.count)")
        }
        if labelRange.count == 2 && !(labelRange[1] > labelRange[0]) {
            throw optionError("--label-range", "empty or inverted label range [\(labelRange[0]), \(labelRange[1])]")
        }
        if integerLabels && (bins != nil || !labelRange.isEmpty) {
            throw optionError("--integer-labels", "cannot be combined with --bins or --label-range")
        }
        if let bins, bins < 2 { throw optionError("--bins", "need at least 2 bins, got \(bins)") }
        if let maxLabel, maxLabel < 1 {
            throw optionError("--max-label", "need a maximum label of at least 1, got \(maxLabel)")
        }
    }

    var choice: BinningChoice {
        let range = labelRange.count == 2 ? labelRange[0]...labelRange[1] : nil
        if integerLabels { return .integer(maxLabel: maxLabel) }
        if let bins { return .equalWidth(count: bins, range: range) }
        if let range { return .equalWidth(count: 50, range: range) }
        return .automatic
    }
}

struct ReweightOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Cost-sensitive reweighting: none, inverse, sqrt_inv (per bin) or denseweight (per sample, from a KDE of "
                + "the training labels; Steininger et al. 2021)."))
    var reweight: Reweight = .none

    @Option(help: "DenseWeight alpha: weights max(1 - alpha * density, 1e-6), density min-max scaled (1).")
    var dwAlpha: Double?

    @Option(help: "DenseWeight KDE bandwidth (default: 1.06 * std * n^(-1/5) of the training labels).")
    var dwBandwidth: Double?

    @Flag(help: "Label distribution smoothing of the reweighting (needs --reweight).")
    var lds = false

    // The kernel's options are optional so that giving one without --lds can be refused
    // (a sweep varying them with LDS off would repeat one run); their defaults are below.
    @Option(name: .customLong("lds-kernel"), help: "LDS kernel: gaussian, triang or laplace (gaussian).")
    var ldsKernelGiven: KernelKind?

    @Option(name: .customLong("lds-ks"), help: "LDS kernel size, odd (5).")
    var ldsKsGiven: Int?

    @Option(name: .customLong("lds-sigma"), help: "LDS kernel sigma (2).")
    var ldsSigmaGiven: Double?

    var ldsKernel: KernelKind { ldsKernelGiven ?? .gaussian }
    var ldsKs: Int { ldsKsGiven ?? 5 }
    var ldsSigma: Double { ldsSigmaGiven ?? 2 }

    func validate() throws {
        if reweight != .denseWeight && (dwAlpha != nil || dwBandwidth != nil) {
            throw optionError(dwAlpha != nil ? "--dw-alpha" : "--dw-bandwidth", "needs --reweight denseweight")
        }
        if let a = dwAlpha, !(a >= 0 && a.isFinite) {
            throw optionError("--dw-alpha", "must be non-negative, got \(a)")
        }
        if let h = dwBandwidth, !(h > 0 && h.isFinite) {
            throw optionError("--dw-bandwidth", "must be positive, got \(h)")
        }
        guard lds else {
            let given = [("--lds-kernel", ldsKernelGiven != nil), ("--lds-ks", ldsKsGiven != nil)]
            for (name, isGiven) in given + [("--lds-sigma", ldsSigmaGiven != nil)] where isGiven {
                throw optionError(name, "needs --lds")
            }
            return
        }
        if reweight == .none {
            throw optionError("--lds", "LDS smooths reweighting: add --reweight sqrt_inv or inverse")
        }
        if reweight == .denseWeight {
            throw optionError(
                "--lds", "LDS smooths per-bin reweighting (inverse, sqrt_inv); DenseWeight smooths with its own KDE")
        }
        if let p = Kernel(ldsKernel, size: ldsKs, sigma: ldsSigma).problem {
            throw optionError(ldsKs % 2 == 0 || ldsKs < 1 ? "--lds-ks" : "--lds-sigma", p)
        }
    }

    var kernel: Kernel? { lds ? Kernel(ldsKernel, size: ldsKs, sigma: ldsSigma) : nil }

    var denseWeight: DenseWeightSettings {
        var s = DenseWeightSettings()
        s.alpha = dwAlpha ?? 1
        s.bandwidth = dwBandwidth
        return s
    }
}

struct FDSOptions: ParsableArguments {
    @Flag(help: "Feature distribution smoothing between the last hidden layer and the head.")
    var fds = false

    // Optional, as LDS's kernel options: given without --fds they are refused.
    @Option(name: .customLong("fds-kernel"), help: "FDS kernel: gaussian, triang or laplace (gaussian).")
    var fdsKernelGiven: KernelKind?
    @Option(name: .customLong("fds-ks"), help: "FDS kernel size, odd (5).") var fdsKsGiven: Int?
    @Option(name: .customLong("fds-sigma"), help: "FDS kernel sigma (2).") var fdsSigmaGiven: Double?
    var fdsKernel: KernelKind { fdsKernelGiven ?? .gaussian }
    var fdsKs: Int { fdsKsGiven ?? 5 }
    var fdsSigma: Double { fdsSigmaGiven ?? 2 }
    @Option(help: "Momentum of the running statistics.") var fdsMomentum: Double = 0.9

    @Option(
        name: .customLong("fds-clip"), parsing: .upToNextOption,
        help: ArgumentHelp("Clip range LO HI of the variance ratio (0.1 10).", valueName: "lo hi"))
    var fdsClip: [Double] = [0.1, 10]

    @Option(help: "Statistics of raw or calibrated features.") var fdsStats: FDSStatisticsMode = .raw
    @Option(
        help: ArgumentHelp(
            "Statistics online from the training steps (default: 3.5-3.9% of an STS-B epoch), or from a separate "
                + "pass at the end of each epoch (docs/specification.md §3.2; its cost: docs/fds.md)."))
    var fdsPass: FDSPass = .online
    @Option(help: "First epoch whose end updates the statistics.") var startUpdate: Int = 0
    @Option(help: "First epoch that calibrates features.") var startSmooth: Int = 1
    @Option(help: "Write per-epoch FDS statistics (counts, norms, cosine similarities) as JSON lines.")
    var fdsDump: String?

    func validate() throws {
        guard fds else {
            let given = [("--fds-dump", fdsDump != nil), ("--fds-kernel", fdsKernelGiven != nil)]
            for (name, isGiven) in given + [("--fds-ks", fdsKsGiven != nil), ("--fds-sigma", fdsSigmaGiven != nil)]
            where isGiven {
                throw optionError(name, "needs --fds")
            }
            return
        }
        guard fdsClip.count == 2 else {
            throw optionError("--fds-clip", "takes two values LO HI, got \(fdsClip.count)")
        }
        guard fdsClip[0] > 0 && fdsClip[1] >= fdsClip[0] else {
            throw optionError("--fds-clip", "needs 0 < LO <= HI, got [\(fdsClip[0]), \(fdsClip[1])]")
        }
        if let p = Kernel(fdsKernel, size: fdsKs, sigma: fdsSigma).problem {
            throw optionError(fdsKs % 2 == 0 || fdsKs < 1 ? "--fds-ks" : "--fds-sigma", p)
        }
        if !(fdsMomentum >= 0 && fdsMomentum < 1) {
            throw optionError("--fds-momentum", "must be in [0, 1), got \(fdsMomentum)")
        }
        if startUpdate < 0 { throw optionError("--start-update", "must be non-negative, got \(startUpdate)") }
        if startSmooth < 0 { throw optionError("--start-smooth", "must be non-negative, got \(startSmooth)") }
    }

    var configuration: FDSConfig? {
        guard fds else { return nil }
        var c = FDSConfig()
        c.kernel = Kernel(fdsKernel, size: fdsKs, sigma: fdsSigma)
        c.momentum = fdsMomentum
        c.clip = fdsClip[0]...fdsClip[1]
        c.statistics = fdsStats
        c.startUpdate = startUpdate
        c.startSmooth = startSmooth
        c.pass = fdsPass
        return c
    }
}
