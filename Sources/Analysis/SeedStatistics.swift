// What a set of runs over seeds says: the mean with its spread and a Student-t
// confidence interval, and the paired difference against a baseline run on the same seeds.

/// Mean, sample standard deviation and a two-sided confidence interval of the mean.
/// With one value the spread and the interval are unknown (nil).
public struct SeedSummary: Equatable, Sendable {
    public let n: Int
    public let mean: Double
    public let sd: Double?
    public let interval: ClosedRange<Double>?

    public init(_ values: [Double], confidence: Double = 0.95) {
        precondition(!values.isEmpty, "a summary needs at least one value")
        n = values.count
        let mean = values.reduce(0, +) / Double(n)
        self.mean = mean
        guard n > 1 else {
            (sd, interval) = (nil, nil)
            return
        }
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
        let sd = variance.squareRoot()
        self.sd = sd
        let half =
            StudentT.quantile(0.5 + confidence / 2, degreesOfFreedom: Double(n - 1)) * sd / Double(n).squareRoot()
        interval = (mean - half)...(mean + half)
    }
}

/// The mean of the differences `values[i] − baseline[i]` over the same seeds, with its
/// confidence interval (the paired t interval): pairing removes what the seed does to both.
public struct PairedDifference: Equatable, Sendable {
    public let summary: SeedSummary

    public init(_ values: [Double], baseline: [Double], confidence: Double = 0.95) {
        precondition(
            values.count == baseline.count, "paired values differ in count: \(values.count) vs \(baseline.count)")
        summary = SeedSummary(zip(values, baseline).map { $0 - $1 }, confidence: confidence)
    }

    /// The interval lies wholly on one side of zero.
    public var excludesZero: Bool {
        guard let i = summary.interval else { return false }
        return i.lowerBound > 0 || i.upperBound < 0
    }
}
