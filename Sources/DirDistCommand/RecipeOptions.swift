// Option groups of the training recipe: the learning-rate schedule with early
// stopping, and how features and targets are scaled.
import ArgumentParser
import NN
import Settings

extension ScheduleKind: ExpressibleByArgument {}
extension TargetScaling: ExpressibleByArgument {}

/// yes|no, as the reference's scripts spell their switches.
enum YesNo: String, ExpressibleByArgument, CaseIterable {
    case yes, no
}

struct ScheduleOptions: ParsableArguments {
    @Option(help: "Learning-rate schedule: constant, cosine (to 0 at the last epoch) or step.")
    var lrSchedule: ScheduleKind = .constant
    @Option(help: "Epochs of linear learning-rate warm-up (0: none).") var lrWarmup = 0.0
    @Option(help: "Step schedule: comma-separated epochs (1-based) from which the rate is multiplied by --lr-gamma.")
    var lrSteps: String?
    @Option(help: "Step schedule: factor at each of --lr-steps.") var lrGamma = 0.1
    @Option(help: "Stop when the validation MAE has not improved for N epochs (default: never).") var patience: Int?

    func validate() throws {
        if !(lrWarmup >= 0) { throw optionError("--lr-warmup", "must be non-negative, got \(lrWarmup)") }
        if !(lrGamma > 0) { throw optionError("--lr-gamma", "must be positive, got \(lrGamma)") }
        if let patience, patience < 1 { throw optionError("--patience", "must be positive, got \(patience)") }
        if lrSteps != nil && lrSchedule != .step { throw optionError("--lr-steps", "needs --lr-schedule step") }
        if lrSchedule == .step && milestones?.isEmpty != false {
            throw optionError("--lr-steps", "'\(lrSteps ?? "")' is not a comma-separated list of epochs (1 or more)")
        }
    }

    /// 0-based epochs from the 1-based epochs the user gives; nil when unreadable.
    private var milestones: [Int]? {
        guard let lrSteps else { return [] }
        let epochs = lrSteps.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard epochs.allSatisfy({ ($0 ?? 0) >= 1 }) else { return nil }
        return epochs.map { $0! - 1 }
    }

    func schedule(epochs: Int) -> LearningRateSchedule {
        var s = LearningRateSchedule()
        s.kind = lrSchedule
        s.warmupEpochs = lrWarmup
        s.milestones = milestones ?? []
        s.gamma = lrGamma
        s.horizon = lrSchedule == .cosine ? epochs : 0
        return s
    }
}

struct ScalingOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Targets as the loss sees them: standard ((y - mean) / std of the training targets) or none. Metrics, "
                + "outputs and predictions are always in the target's units, and so is --loss-beta."))
    var targetScaling: TargetScaling = .standard
    @Option(help: "Standardise features with training statistics: yes or no.")
    var standardizeFeatures: YesNo = .yes
}

/// The embedding choices a user types.
enum EmbeddingKind: String, ExpressibleByArgument, CaseIterable {
    case none, periodic, ple
}

/// Named bundles of options, measured to work together (docs/recipe.md). An option given
/// explicitly overrides the preset's value.
enum Preset: String, ExpressibleByArgument, CaseIterable {
    /// Tables of numbers and categories: piecewise-linear encoding, an ensemble of 8, the
    /// epoch with the best validation MAE.
    case tabular
    /// The plain MLP of the DIR reference (the options' own defaults).
    case mlp
}

struct ArchitectureOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Model preset: tabular (--num-embedding ple --ensemble 8 --select best, for tables) or mlp (the plain "
                + "MLP, the default). Options given explicitly override it."))
    var preset: Preset?
    @Option(
        name: .customLong("num-embedding"),
        help: ArgumentHelp(
            "Numerical feature embedding before the first layer: none, periodic (PLR: learned frequencies, sin/cos, "
                + "a per-feature linear map, ReLU) or ple (piecewise-linear encoding between training quantiles). "
                + "Default none; ple with --preset tabular."))
    var numEmbeddingGiven: EmbeddingKind?
    // Optional so that giving one for another embedding can be refused; defaults below.
    @Option(name: .customLong("embedding-frequencies"), help: "periodic: frequencies per feature (48).")
    var frequenciesGiven: Int?
    @Option(name: .customLong("embedding-size"), help: "periodic: embedding size per feature (24).")
    var sizeGiven: Int?
    @Option(name: .customLong("embedding-sigma"), help: "periodic: initial frequency scale (0.01).")
    var sigmaGiven: Double?
    @Option(name: .customLong("ple-bins"), help: "ple: bins per feature at training quantiles (48).")
    var binsGiven: Int?
    @Option(
        name: .customLong("ensemble"),
        help: ArgumentHelp(
            "Efficient ensemble of K members (TabM-mini: shared layers, a per-member input scaling and head; the "
                + "prediction is the members' mean, the loss their mean). Default 1; 8 with --preset tabular."))
    var ensembleGiven: Int?
    @Option(
        name: .customLong("dropout"),
        help: "Dropout rate after each hidden layer in training, in [0, 1). Default 0.")
    var dropout: Double = 0

    var numEmbedding: EmbeddingKind { numEmbeddingGiven ?? (preset == .tabular ? .ple : .none) }
    var ensemble: Int { ensembleGiven ?? (preset == .tabular ? 8 : 1) }
    /// The model selection the preset implies, when the user gave none.
    func selection(given: ModelSelection?) -> ModelSelection { given ?? (preset == .tabular ? .best : .last) }

    func validate() throws {
        if ensemble < 1 || ensemble > 1024 { throw optionError("--ensemble", "must be in 1...1024, got \(ensemble)") }
        if !(dropout >= 0 && dropout < 1) { throw optionError("--dropout", "must be in [0, 1), got \(dropout)") }
        let periodicOptions = [
            ("--embedding-frequencies", frequenciesGiven != nil), ("--embedding-size", sizeGiven != nil),
            ("--embedding-sigma", sigmaGiven != nil),
        ]
        for (name, given) in periodicOptions where given && numEmbedding != .periodic {
            throw optionError(name, "needs --num-embedding periodic")
        }
        if binsGiven != nil && numEmbedding != .ple { throw optionError("--ple-bins", "needs --num-embedding ple") }
        for (name, value) in [
            ("--embedding-frequencies", frequenciesGiven ?? 1), ("--embedding-size", sizeGiven ?? 1),
        ] where value < 1 || value > 4096 {
            throw optionError(name, "must be in 1...4096, got \(value)")
        }
        if let bins = binsGiven, bins < 2 || bins > 4096 {
            throw optionError("--ple-bins", "must be in 2...4096, got \(bins)")
        }
        if let sigma = sigmaGiven, !(sigma > 0 && sigma.isFinite) {
            throw optionError("--embedding-sigma", "must be positive, got \(sigma)")
        }
    }

    var embedding: NumericalEmbedding? {
        switch numEmbedding {
        case .none: return nil
        case .periodic:
            return .periodic(frequencies: frequenciesGiven ?? 48, size: sizeGiven ?? 24, sigma: sigmaGiven ?? 0.01)
        case .ple: return .piecewiseLinear(bins: binsGiven ?? 48)
        }
    }

    func apply(to recipe: inout Recipe) {
        recipe.embedding = embedding
        recipe.ensemble = ensemble > 1 ? ensemble : nil
        recipe.dropout = dropout > 0 ? dropout : nil
    }
}
