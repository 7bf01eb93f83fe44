// Option groups of the training recipe: the learning-rate schedule with early
// stopping, and how features and targets are scaled.
import ArgumentParser
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
