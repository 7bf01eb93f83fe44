// What a sweep says: per configuration, shot and metric the mean over seeds with its
// 95% Student-t interval, the paired difference to a baseline configuration over the
// same seeds, and the configuration chosen on validation (never on test). Written as
// summary.csv and selected.json by world rank 0 after a sweep and by `dir-dist report`.
import Analysis
import Foundation
import Storage

public struct SweepSummary {
    public static let shots = ["all", "many", "median", "few"]
    /// Test metrics summarised, by their names in the CSV (metrics.jsonl keys in brackets).
    public static let metrics = [("mae", "l1"), ("mse", "mse"), ("gmean", "gmean")]
    /// The default selection: few-shot validation MAE among the configurations whose
    /// all-shot validation MAE is within this fraction of the best one.
    public static let allShotTolerance = 0.02

    /// One finished run as sweep.jsonl lists it.
    public struct Run {
        /// The run's index in the sweep (its folder run-NNN).
        public let run: Int
        public let config: String
        public let seed: Int
        /// split ("val", "test") → shot → metric key → value.
        let splits: [String: [String: [String: Double]]]

        func value(_ split: String, _ shot: String, _ key: String) -> Double? { splits[split]?[shot]?[key] }
    }

    /// Configurations in first-seen order, and their runs.
    public let configs: [String]
    public let runs: [Run]
    public let baseline: String?
    public let selected: String?
    public let selectBy: String

    /// Run k's folder inside a sweep's folder: run-000, run-001, ….
    public static func runFolder(_ k: Int, in directory: String) -> String {
        "\(directory)/run-\(String(format: "%03d", k))"
    }

    /// `baseline` nil: the first configuration without any DIR method, when there is one.
    public init(sweepLines: [String], baseline: String?, selectBy: String) {
        var configs = [String](), runs = [Run](), plain: String?
        for line in sweepLines {
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                o["status"] as? String == "ok", let options = o["options"] as? [String: String]
            else { continue }
            // The run's configuration as the sweep named it (older sweeps: its options).
            let config =
                o["config"] as? String
                ?? Self.optionOrder(line).map { "\($0)=\(options[$0] ?? "")" }.joined(separator: " ")
            if !configs.contains(config) { configs.append(config) }
            if plain == nil, Self.isVanilla(o["method"] as? String) { plain = config }
            var splits = [String: [String: [String: Double]]]()
            for split in ["val", "test"] {
                let shots = o[split] as? [String: [String: Any]] ?? [:]
                splits[split] = shots.mapValues { $0.compactMapValues { $0 as? Double } }
            }
            runs.append(Run(run: o["run"] as? Int ?? 0, config: config, seed: o["seed"] as? Int ?? 0, splits: splits))
        }
        self.configs = configs
        self.runs = runs
        // Without a vanilla configuration the first one is the baseline (selected.json says which).
        self.baseline = baseline ?? plain ?? configs.first
        self.selectBy = selectBy
        selected = Self.select(configs, runs, by: selectBy)
    }

    /// Option names in the order the line gives them (JSONSerialization forgets it).
    private static func optionOrder(_ line: String) -> [String] {
        guard let start = line.range(of: "\"options\":{"), let end = line[start.upperBound...].firstIndex(of: "}")
        else { return [] }
        return line[start.upperBound..<end].split(separator: ",").compactMap {
            $0.split(separator: ":").first.map { String($0.dropFirst().dropLast()) }
        }
    }

    /// A method name (`Recipe.methodName`) with no DIR method in it: a plain loss.
    private static func isVanilla(_ method: String?) -> Bool {
        guard let method else { return false }
        return !method.contains(" + ") && !["bmc", "gai", "bni"].contains { method.hasPrefix($0) }
    }

    public func values(_ config: String, _ split: String, _ shot: String, _ key: String) -> [(Int, Double)] {
        runs.filter { $0.config == config }.compactMap { r in r.value(split, shot, key).map { (r.seed, $0) } }
    }

    public func summary(_ config: String, _ split: String, _ shot: String, _ key: String) -> SeedSummary? {
        let v = values(config, split, shot, key).map(\.1)
        return v.isEmpty ? nil : SeedSummary(v)
    }

    /// config − baseline over the seeds both have.
    public func difference(_ config: String, _ shot: String, _ key: String) -> PairedDifference? {
        guard let baseline else { return nil }
        let mine = Dictionary(values(config, "test", shot, key), uniquingKeysWith: { a, _ in a })
        let theirs = Dictionary(values(baseline, "test", shot, key), uniquingKeysWith: { a, _ in a })
        let seeds = mine.keys.filter { theirs[$0] != nil }.sorted()
        guard !seeds.isEmpty else { return nil }
        return PairedDifference(seeds.map { mine[$0]! }, baseline: seeds.map { theirs[$0]! })
    }

    /// The lowest mean validation MAE of the `by` shot; for "few" (the default) only
    /// among configurations within `allShotTolerance` of the best all-shot validation MAE.
    static func select(_ configs: [String], _ runs: [Run], by shot: String) -> String? {
        func mean(_ c: String, _ s: String) -> Double? {
            let v = runs.filter { $0.config == c }.compactMap { $0.value("val", s, "l1") }
            return v.isEmpty ? nil : v.reduce(0, +) / Double(v.count)
        }
        let best = configs.compactMap { mean($0, "all") }.min() ?? .infinity
        let eligible =
            shot == "few" ? configs.filter { (mean($0, "all") ?? .infinity) <= best * (1 + allShotTolerance) } : configs
        let scored = eligible.compactMap { c in mean(c, shot).map { (c, $0) } }
        return
            (scored.min { $0.1 < $1.1 }
            ?? eligible.compactMap { c in mean(c, "all").map { (c, $0) } }.min { $0.1 < $1.1 })?.0
    }

    /// summary.csv: one row per configuration, shot and test metric.
    public var csv: String {
        func cell(_ v: Double?) -> String { v.map { "\($0)" } ?? "" }
        var out = "config,shot,metric,n,mean,sd,ci_low,ci_high,delta_mean,delta_ci_low,delta_ci_high\n"
        for config in configs {
            for shot in Self.shots {
                for (name, key) in Self.metrics {
                    guard let s = summary(config, "test", shot, key) else { continue }
                    let d = config == baseline ? nil : difference(config, shot, key)?.summary
                    out += "\"\(config)\",\(shot),\(name),\(s.n),\(s.mean),\(cell(s.sd)),"
                    out += "\(cell(s.interval?.lowerBound)),\(cell(s.interval?.upperBound)),\(cell(d?.mean)),"
                    out += "\(cell(d?.interval?.lowerBound)),\(cell(d?.interval?.upperBound))\n"
                }
            }
        }
        return out
    }

    /// selected.json: the chosen configuration, the rule, and its test MAE beside the baseline's.
    public var selectedJSON: String {
        func maes(_ c: String?, _ split: String) -> String {
            guard let c else { return "null" }
            return "{"
                + Self.shots.map { "\"\($0)\":\(JSONText.number(summary(c, split, $0, "l1")?.mean))" }
                .joined(separator: ",") + "}"
        }
        let rule =
            selectBy == "few"
            ? "lowest mean few-shot validation MAE among the configurations whose mean all-shot validation MAE is "
                + "within \(Int(Self.allShotTolerance * 100))% of the best"
            : "lowest mean \(selectBy)-shot validation MAE"
        return "{\"config\":\(selected.map(JSONText.string) ?? "null"),\"select_by\":\(JSONText.string(selectBy)),"
            + "\"rule\":\(JSONText.string(rule + "; test metrics were not looked at")),"
            + "\"validation_mae\":\(maes(selected, "val")),\"test_mae\":\(maes(selected, "test")),"
            + "\"baseline\":\(baseline.map(JSONText.string) ?? "null"),\"baseline_test_mae\":\(maes(baseline, "test"))}\n"
    }

    /// Writes summary.csv and selected.json into `directory`.
    public func write(to directory: String) throws {
        try ResultFile.writeAtomically(Array(csv.utf8), to: "\(directory)/summary.csv")
        try ResultFile.writeAtomically(Array(selectedJSON.utf8), to: "\(directory)/selected.json")
    }
}
