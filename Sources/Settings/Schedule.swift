// The learning-rate schedule: the factor of the base rate at every step, a pure
// function of (epoch, step), so that every rank, every rank count with the same global
// batch, and a resumed run use the same rate at the same step.
#if canImport(Glibc)
    import Glibc
#endif

public enum ScheduleKind: String, CaseIterable, Codable, Sendable {
    /// The base rate throughout (after any warm-up).
    case constant
    /// Half a cosine from the base rate (after warm-up) down to 0 at the last epoch.
    case cosine
    /// The rate times `gamma` at each epoch of `milestones` (the reference's age scripts).
    case step
}

public struct LearningRateSchedule: Codable, Sendable, Equatable {
    public var kind: ScheduleKind = .constant
    /// Epochs of linear warm-up from a small rate to the base rate (0: none).
    public var warmupEpochs = 0.0
    /// Step schedule: epochs (0-based: the first epoch trained at the lower rate) and the factor.
    public var milestones = [Int]()
    public var gamma = 0.1
    /// Cosine schedule: the epoch count it decays over (the run's `--epochs`); a longer
    /// run is another schedule, so this is part of the recipe.
    public var horizon = 0

    public init() {}

    /// The factor of the base rate for step `step` (0-based) of epoch `epoch` (0-based),
    /// with `stepsPerEpoch` steps in every epoch.
    public func factor(epoch: Int, step: Int, stepsPerEpoch: Int) -> Double {
        let t = Double(epoch) + Double(step) / Double(max(stepsPerEpoch, 1))
        let stepIndex = Double(epoch * stepsPerEpoch + step)
        let warmupSteps = warmupEpochs * Double(stepsPerEpoch)
        if stepIndex < warmupSteps { return (stepIndex + 1) / warmupSteps }
        switch kind {
        case .constant:
            return 1
        case .cosine:
            let span = Double(horizon) - warmupEpochs
            guard span > 0 else { return 1 }
            return 0.5 * (1 + cos(Double.pi * min(max((t - warmupEpochs) / span, 0), 1)))
        case .step:
            return pow(gamma, Double(milestones.filter { epoch >= $0 }.count))
        }
    }
}

/// How the loss sees the targets.
public enum TargetScaling: String, CaseIterable, Codable, Sendable {
    /// (y − mean) / std of the global training targets; predictions are mapped back.
    case standard
    /// The targets as they are.
    case none
}
