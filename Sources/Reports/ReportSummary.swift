// What the top of the report says in words: for a sweep, which configuration validation
// chose and how its test MAE compares with the baseline's (paired over seeds, with the
// 95% interval); for a run, which epoch was tested. Pure: from a SweepSummary or the
// text of a metrics.jsonl, so the unit tests check the sentences without files.
import Analysis
import Foundation

/// A run's metrics.jsonl: its epoch lines and its test line.
public struct RunMetrics {
    public struct Epoch {
        public let epoch: Int
        public let trainLoss: Double?
        /// All-shot validation MAE.
        public let valMAE: Double?
    }

    public private(set) var epochs = [Epoch]()
    /// The epoch whose parameters were tested (the `test` line), nil before the end.
    public private(set) var testEpoch: Int?
    /// The test line: shot → metric key (n, mse, l1, gmean, pearson) → value.
    public private(set) var test = [String: [String: Double]]()

    public init(text: String) {
        for line in text.split(separator: "\n") {
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
            switch o["event"] as? String {
            case "epoch":
                guard let e = o["epoch"] as? Int else { continue }
                let val = ((o["val"] as? [String: Any])?["all"] as? [String: Any])?["l1"] as? Double
                epochs.append(Epoch(epoch: e, trainLoss: o["train_loss"] as? Double, valMAE: val))
            case "test":
                testEpoch = o["epoch"] as? Int
                for (shot, metrics) in o["test"] as? [String: [String: Any]] ?? [:] {
                    test[shot] = metrics.compactMapValues { ($0 as? NSNumber)?.doubleValue }
                }
            default: continue
            }
        }
    }

    public init(folder: String) {
        self.init(
            text: String(
                decoding: FileManager.default.contents(atPath: "\(folder)/metrics.jsonl") ?? Data(), as: UTF8.self))
    }
}

public enum ResultText {
    /// MAE-like numbers with three significant decimals at the scale of `reference`
    /// (0.812 for errors below 10, 12.34 below 100, 123.4 above), a real minus sign.
    public static func number(_ v: Double, scale reference: Double) -> String {
        let r = abs(reference)
        return formatNumber(v, decimals: r < 10 ? 3 : r < 100 ? 2 : 1)
    }

    /// How the sweep chose its configuration, in words.
    public static func rule(_ s: SweepSummary) -> String {
        s.selectBy == "few"
            ? "the lowest mean few-shot validation MAE among the configurations whose mean all-shot validation MAE "
                + "is within \(Int((SweepSummary.allShotTolerance * 100).rounded()))% of the best"
            : "the lowest mean \(s.selectBy)-shot validation MAE"
    }

    /// The sweep's result in two short sentences: the configuration chosen on validation,
    /// and its few-shot and all-shot test MAE against the baseline's over the same seeds.
    public static func sweep(_ s: SweepSummary) -> String {
        guard let selected = s.selected else {
            return "No configuration could be selected: no finished run reported a validation MAE."
        }
        var text = "Selected on validation: \(selected)."
        guard let baseline = s.baseline, baseline != selected else {
            return text + " It is the baseline itself: no other configuration did better on validation."
        }
        let scale = s.summary(baseline, "test", "all", "l1")?.mean ?? 1
        let differences = ["few", "all"].compactMap { shot in s.difference(selected, shot, "l1").map { (shot, $0) } }
        guard let n = differences.first?.1.summary.n else {
            return text + " It shares no seed with the baseline \(baseline), so there is no paired comparison."
        }
        text += " Against the baseline \(baseline) (paired over \(n) seed\(n == 1 ? "" : "s")), "
        return text
            + differences.map { "its \($0.0)-shot test MAE is " + change($0.1.summary, scale: scale) }.joined(
                separator: " and ") + "."
    }

    /// "0.120 lower [0.050, 0.190], the 95% interval excluding 0": the difference as an amount
    /// lower or higher, its interval in the same direction.
    public static func change(_ d: SeedSummary, scale: Double) -> String {
        let lower = d.mean < 0
        let amount = number(abs(d.mean), scale: scale)
        if d.mean == 0 { return "the same" + interval(d, flip: false, scale: scale) }
        return "\(amount) \(lower ? "lower" : "higher")" + interval(d, flip: lower, scale: scale)
    }

    private static func interval(_ d: SeedSummary, flip: Bool, scale: Double) -> String {
        guard let ci = d.interval else { return " (one seed: no interval)" }
        let (a, b) = flip ? (-ci.upperBound, -ci.lowerBound) : (ci.lowerBound, ci.upperBound)
        let excludes = ci.lowerBound > 0 || ci.upperBound < 0
        return " [\(number(a, scale: scale)), \(number(b, scale: scale))]"
            + (excludes ? "" : " (the 95% interval includes 0: no clear difference)")
    }

    /// Which epoch of a run was tested, in words.
    public static func run(_ m: RunMetrics) -> String {
        let last = m.epochs.map(\.epoch).max()
        guard let tested = m.testEpoch else {
            return "The run has not been tested yet"
                + (last.map { ": \($0) epoch\($0 == 1 ? "" : "s") trained so far." } ?? ".")
        }
        guard let last else { return "Tested at epoch \(tested)." }
        if tested == last { return "Tested at epoch \(tested) of \(last), the last trained epoch." }
        return "Tested at epoch \(tested) of \(last), the epoch chosen on validation (--select best)."
    }
}
