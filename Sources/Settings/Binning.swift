// How labels are binned (docs/specification.md §1), as the configuration states it; resolved
// against the training labels once they are loaded.
import DIR

/// How labels are binned: explicit, integer (width 1), or automatic.
public enum BinningChoice: Codable, Sendable, Equatable {
    /// `count` bins over `range`, or over the training labels' min and max when nil.
    case equalWidth(count: Int, range: ClosedRange<Double>?)
    /// Bin width 1 over [0, maxLabel + 1] (ages); nil max means the training maximum.
    case integer(maxLabel: Int?)
    /// Integer mode when every training label is a non-negative integer, else 50 bins.
    case automatic

    /// The binning for a training label set. Option-level checks (at least 2 bins, a
    /// non-empty explicit range) are the caller's; what depends on the labels is thrown here.
    public func resolve(trainLabels: [Double]) throws -> Binning {
        let lo = trainLabels.min() ?? 0
        let hi = trainLabels.max() ?? 1
        switch self {
        case .equalWidth(let count, let range):
            precondition(count >= 2, "equal-width binning needs at least 2 bins, got \(count)")
            let r = range ?? lo...hi
            guard r.upperBound > r.lowerBound else {
                throw SettingError(
                    .labelRange, "every training label is \(lo): give the bins a range with \(.labelRange)")
            }
            return Binning(lo: r.lowerBound, hi: r.upperBound, count: count)
        case .integer(let maxLabel):
            let m = maxLabel ?? Int(hi)
            guard m >= 1 else {
                throw SettingError(
                    .maxLabel, "the largest training label is \(hi); integer bins need a maximum of at least 1")
            }
            return Binning.integer(maxLabel: m)
        case .automatic:
            let integral = trainLabels.allSatisfy { $0 >= 0 && $0 == $0.rounded() && $0 <= 10_000 }
            if integral && hi >= 1 { return Binning.integer(maxLabel: Int(hi)) }
            return Binning(lo: lo, hi: hi > lo ? hi : lo + 1, count: 50)
        }
    }
}

/// Which parameters are tested at the end.
public enum ModelSelection: String, CaseIterable, Codable, Sendable {
    /// The parameters after the last epoch.
    case last
    /// The parameters of the epoch with the lowest validation MAE (the reference's protocol).
    case best
}
