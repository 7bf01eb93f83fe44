// Option groups by concern, shared by `train` and `lds`; each turns itself
// into part of the Codable configuration.
import ArgumentParser
import DIR
import Datasets
import NN
import Training

extension Reweight: ExpressibleByArgument {}
extension KernelKind: ExpressibleByArgument {}
extension LossKind: ExpressibleByArgument {}
extension FocalActivation: ExpressibleByArgument {}
extension OptimizerKind: ExpressibleByArgument {}
extension ModelSelection: ExpressibleByArgument {}
extension FDSStatisticsMode: ExpressibleByArgument {}
extension FDSPass: ExpressibleByArgument {}

struct BinningOptions: ParsableArguments {
    @Option(help: "Number of equal-width label bins (default: integer bins for integer labels, else 50).")
    var bins: Int?

    @Option(name: .customLong("label-range"), parsing: .upToNextOption,
            help: ArgumentHelp("Label range LO HI of the bins (default: training min and max).", valueName: "lo hi"))
    var labelRange: [Double] = []

    @Flag(help: "Integer labels such as ages: bins of width 1 from 0 (labels above --max-label fold into the last).")
    var integerLabels = false

    @Option(help: "Largest label bin with --integer-labels (default: the largest training label).")
    var maxLabel: Int?

    func choice() throws -> BinningChoice {
        if !labelRange.isEmpty && labelRange.count != 2 {
            throw InputError("--label-range", "takes two values LO HI, got \(labelRange.count)")
        }
        let range = labelRange.count == 2 ? labelRange[0]...max(labelRange[0], labelRange[1]) : nil
        if labelRange.count == 2 && !(labelRange[1] > labelRange[0]) {
            throw InputError("--label-range", "empty or inverted label range [\(labelRange[0]), \(labelRange[1])]")
        }
        if integerLabels {
            if bins != nil || range != nil {
                throw InputError("--integer-labels", "cannot be combined with --bins or --label-range")
            }
            return .integer(maxLabel: maxLabel)
        }
        if let bins {
            if bins < 2 { throw InputError("--bins", "need at least 2 bins, got \(bins)") }
            return .equalWidth(count: bins, range: range)
        }
        if let range { return .equalWidth(count: 50, range: range) }
        return .automatic
    }
}

struct ReweightOptions: ParsableArguments {
    @Option(help: "Cost-sensitive reweighting: none, inverse or sqrt_inv.")
    var reweight: Reweight = .none

    @Flag(help: "Label distribution smoothing of the reweighting (needs --reweight).")
    var lds = false

    @Option(help: "LDS kernel: gaussian, triang or laplace.")
    var ldsKernel: KernelKind = .gaussian

    @Option(help: "LDS kernel size (odd).")
    var ldsKs: Int = 5

    @Option(help: "LDS kernel sigma.")
    var ldsSigma: Double = 2

    func kernel() throws -> Kernel? {
        guard lds else { return nil }
        if reweight == .none {
            throw InputError("--lds", "LDS smooths reweighting: add --reweight sqrt_inv or inverse")
        }
        let k = Kernel(ldsKernel, size: ldsKs, sigma: ldsSigma)
        if let p = k.problem { throw InputError(ldsKs % 2 == 0 || ldsKs < 1 ? "--lds-ks" : "--lds-sigma", p) }
        return k
    }
}

struct FDSOptions: ParsableArguments {
    @Flag(help: "Feature distribution smoothing between the last hidden layer and the head.")
    var fds = false

    @Option(help: "FDS kernel: gaussian, triang or laplace.") var fdsKernel: KernelKind = .gaussian
    @Option(help: "FDS kernel size (odd).") var fdsKs: Int = 5
    @Option(help: "FDS kernel sigma.") var fdsSigma: Double = 2
    @Option(help: "Momentum of the running statistics.") var fdsMomentum: Double = 0.9

    @Option(name: .customLong("fds-clip"), parsing: .upToNextOption,
            help: ArgumentHelp("Clip range LO HI of the variance ratio (0.1 10).", valueName: "lo hi"))
    var fdsClip: [Double] = [0.1, 10]

    @Option(help: "Statistics of raw or calibrated features.") var fdsStats: FDSStatisticsMode = .raw
    @Option(help: "Statistics from a separate pass at the end of each epoch, or online from the training steps.")
    var fdsPass: FDSPass = .separate
    @Option(help: "First epoch whose end updates the statistics.") var startUpdate: Int = 0
    @Option(help: "First epoch that calibrates features.") var startSmooth: Int = 1
    @Option(help: "Write per-epoch FDS statistics (counts, norms, cosine similarities) as JSON lines.")
    var fdsDump: String?

    func configuration() throws -> FDSConfig? {
        guard fds else {
            if fdsDump != nil { throw InputError("--fds-dump", "needs --fds") }
            return nil
        }
        guard fdsClip.count == 2 else { throw InputError("--fds-clip", "takes two values LO HI, got \(fdsClip.count)") }
        guard fdsClip[0] > 0 && fdsClip[1] >= fdsClip[0] else {
            throw InputError("--fds-clip", "needs 0 < LO <= HI, got [\(fdsClip[0]), \(fdsClip[1])]")
        }
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
