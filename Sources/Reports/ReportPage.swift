// `dir-dist report DIR`: one self-contained report.html (inline SVG and CSS, no script,
// no network) for a training run's folder or a sweep's: the training labels with LDS's
// effective density and weights, test error per bin against the training density,
// the FDS feature-similarity heatmap when a dump is there, training curves, and for a
// sweep the configurations' intervals, the paired differences and the selection.
import Analysis
import Datasets
import Foundation
import Storage

public struct ReportPage {
    public let directory: String
    /// The run folders: the directory itself, or a sweep's run-NNN folders.
    let runs: [String]
    public let summary: SweepSummary?

    public init(directory: String, baseline: String? = nil, selectBy: String = "few") throws {
        self.directory = directory
        let fm = FileManager.default
        if let sweep = fm.contents(atPath: "\(directory)/sweep.jsonl") {
            let lines = String(decoding: sweep, as: UTF8.self).split(separator: "\n").map(String.init)
            summary = SweepSummary(sweepLines: lines, baseline: baseline, selectBy: selectBy)
            runs = ((try? fm.contentsOfDirectory(atPath: directory)) ?? []).filter {
                $0.hasPrefix("run-") && !$0.contains(".partial")
                    && fm.fileExists(atPath: "\(directory)/\($0)/metrics.jsonl")
            }.sorted().map { "\(directory)/\($0)" }
        } else if fm.fileExists(atPath: "\(directory)/metrics.jsonl") {
            summary = nil
            runs = [directory]
        } else {
            throw InputError(directory, "holds neither a run (metrics.jsonl) nor a sweep (sweep.jsonl)")
        }
        guard !runs.isEmpty else { throw InputError(directory, "the sweep has no finished run yet") }
    }

    /// The page. `write` puts it at DIR/report.html.
    public var html: String {
        var body = "<h1>dir-dist report</h1><p class=\"path\">\(Markup.escape(directory))</p>"
        body += labelSection() + errorSection() + fdsSection() + curveSection() + sweepSection()
        return """
            <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>dir-dist report</title>
            <style>body{font-family:sans-serif;margin:24px;max-width:1100px;color:#222}
            h2{margin-top:32px;border-bottom:1px solid #ccc}svg.chart{display:block;margin:12px 0;background:#fff}
            table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}
            td:first-child,th:first-child{text-align:left}.path{color:#666}.sig{font-weight:bold;color:#2a7}
            .note{color:#555;font-size:13px;max-width:820px}</style></head><body>
            """ + body + "</body></html>\n"
    }

    public func write() throws -> String {
        let path = "\(directory)/report.html"
        try ResultFile.writeAtomically(Array(html.utf8), to: path)
        return path
    }

    // MARK: sections

    /// The first run's training histogram, LDS's smoothed (effective) density and the weights.
    private func labelSection() -> String {
        // The first run that reweights (its weights vary), else the first run.
        let tables = runs.lazy.map { (run: $0, rows: csvRows("\($0)/lds_weights.csv")) }
        let chosen =
            tables.first { t in Set(t.rows.compactMap { $0["weight"] }).count > 1 }
            ?? (runs[0], csvRows("\(runs[0])/lds_weights.csv"))
        let rows = chosen.rows
        guard !rows.isEmpty else { return "" }
        let mid = rows.map { ($0["lo"]! + $0["hi"]!) / 2 }
        let counts = Chart.Series(
            "training labels per bin", .bars, Array(zip(mid, rows.map { $0["count"]! })), color: Markup.palette[0])
        // The smoothed values are in the reweighting's units (counts, or their square roots for
        // sqrt_inv): scaled to the histogram's total so that both share the axis.
        let (counted, smoothed) = (rows.map { $0["count"]! }, rows.map { $0["smoothed"]! })
        let scale = counted.reduce(0, +) / max(smoothed.reduce(0, +), 1e-300)
        let smooth = Chart.Series(
            "effective density (LDS), scaled", .line, Array(zip(mid, smoothed.map { $0 * scale })),
            color: Markup.palette[1])
        let weights = Chart.Series(
            "per-bin loss weight", .line, Array(zip(mid, rows.map { $0["weight"]! })), color: Markup.palette[2])
        return "<h2>Training labels</h2><p class=\"note\">From \((chosen.run as NSString).lastPathComponent).</p>"
            + Chart(
                title: "Label histogram and effective density", xLabel: "label", yLabel: "samples per bin",
                series: [counts, smooth]
            ).svg
            + Chart(title: "Loss weight per bin", xLabel: "label", yLabel: "weight", series: [weights]).svg
    }

    /// Test MAE per bin, one line per configuration (mean over its runs), over the training density.
    private func errorSection() -> String {
        var series = [Chart.Series]()
        let first = csvRows("\(runs[0])/test_per_bin.csv")
        guard !first.isEmpty else { return "" }
        let mid = first.map { ($0["lo"]! + $0["hi"]!) / 2 }
        let counts = first.map { $0["train_count"]! }
        for (i, (name, folders)) in groups().enumerated() {
            var sums = [Double](repeating: 0, count: mid.count), n = [Double](repeating: 0, count: mid.count)
            for folder in folders {
                for (b, row) in csvRows("\(folder)/test_per_bin.csv").enumerated() where b < mid.count {
                    if let mae = row["mae"] { (sums[b], n[b]) = (sums[b] + mae, n[b] + 1) }
                }
            }
            let points = mid.indices.filter { n[$0] > 0 }.map { (mid[$0], sums[$0] / n[$0]) }
            series.append(Chart.Series(name, .line, points, color: Markup.palette[(i + 1) % Markup.palette.count]))
        }
        let top = series.flatMap { $0.points.map(\.y) }.max() ?? 1, most = max(counts.max() ?? 1, 1)
        let density = Chart.Series(
            "training density (scaled)", .bars, Array(zip(mid, counts.map { $0 / most * top })),
            color: Markup.palette[0])
        return "<h2>Test error against the training density</h2>"
            + "<p class=\"note\">The paper's observation: without rebalancing, the error follows the training density.</p>"
            + Chart(title: "Test MAE per bin", xLabel: "label", yLabel: "test MAE", series: [density] + series).svg
    }

    /// The last epoch of an FDS dump found in the first run's folder (JSON lines with mean_cosine).
    private func fdsSection() -> String {
        let fm = FileManager.default
        let files = ((try? fm.contentsOfDirectory(atPath: runs[0])) ?? []).filter { $0.hasSuffix(".jsonl") }.sorted()
        for file in files where file != "metrics.jsonl" {
            let text = String(decoding: fm.contents(atPath: "\(runs[0])/\(file)") ?? Data(), as: UTF8.self)
            guard let last = text.split(separator: "\n").last, last.contains("\"mean_cosine\""),
                let o = try? JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any],
                let matrix = o["mean_cosine"] as? [[Any]]
            else { continue }
            let values = matrix.map { $0.map { $0 as? Double } }
            return
                "<h2>FDS feature similarity</h2><p class=\"note\">Cosine similarity of the bins' running feature means "
                + "(epoch \(o["epoch"] as? Int ?? 0), \(file)): blue alike, white unrelated, red opposite; neighbouring bins "
                + "should be alike.</p>"
                + heatmapSVG(values, title: "Feature-mean similarity between bins", axis: "bin")
        }
        return ""
    }

    /// Train loss and validation MAE per epoch, one line per run.
    private func curveSection() -> String {
        var loss = [Chart.Series](), mae = [Chart.Series]()
        for (i, folder) in runs.enumerated() {
            let epochs = MetricsFile(folder).epochs
            let color = Markup.palette[i % Markup.palette.count], name = (folder as NSString).lastPathComponent
            loss.append(Chart.Series(name, .line, epochs.map { ($0.epoch, $0.trainLoss) }, color: color))
            mae.append(Chart.Series(name, .line, epochs.map { ($0.epoch, $0.valMAE) }, color: color))
        }
        return "<h2>Training curves</h2>"
            + Chart(title: "Training loss", xLabel: "epoch", yLabel: "train loss", series: loss).svg
            + Chart(title: "Validation MAE", xLabel: "epoch", yLabel: "validation MAE (all shots)", series: mae).svg
    }

    /// The sweep's table of intervals, the forest plot of paired differences, the selection.
    private func sweepSection() -> String {
        guard let s = summary, !s.configs.isEmpty else { return "" }
        var table = "<table><tr><th>configuration</th>"
        table += SweepSummary.shots.map { "<th>test MAE \($0)</th><th>Δ vs baseline</th>" }.joined() + "</tr>"
        for c in s.configs {
            table +=
                "<tr><td>\(Markup.escape(c))\(c == s.selected ? " (selected)" : "")\(c == s.baseline ? " (baseline)" : "")</td>"
            for shot in SweepSummary.shots {
                table += "<td>\(Self.interval(s.summary(c, "test", shot, "l1")))</td>"
                let d = c == s.baseline ? nil : s.difference(c, shot, "l1")
                table += "<td\(d?.excludesZero == true ? " class=\"sig\"" : "")>\(Self.interval(d?.summary))</td>"
            }
            table += "</tr>"
        }
        table += "</table>"
        var series = [Chart.Series]()
        for (i, shot) in ["all", "few"].enumerated() {
            var ser = Chart.Series("Δ test MAE, \(shot) shots", .intervals, [], color: Markup.palette[i == 0 ? 0 : 1])
            for (k, c) in s.configs.enumerated() where c != s.baseline {
                guard let d = s.difference(c, shot, "l1")?.summary else { continue }
                let ci = d.interval ?? d.mean...d.mean
                ser.points.append((Double(k) + (i == 0 ? -0.1 : 0.1), d.mean, ci.lowerBound, ci.upperBound))
            }
            series.append(ser)
        }
        series.append(
            Chart.Series("no difference", .line, [(-0.5, 0), (Double(s.configs.count) - 0.5, 0)], color: "#888"))
        let configList = s.configs.enumerated().map { "\($0.offset): \(Markup.escape($0.element))" }.joined(
            separator: "; ")
        return "<h2>Sweep: \(s.configs.count) configurations, \(s.runs.count) finished runs</h2>"
            + "<p class=\"note\">Mean over seeds with its 95% Student-t interval; Δ is the paired difference to the "
            + "baseline (\(Markup.escape(s.baseline ?? "none"))) over the same seeds, bold where its interval excludes 0. "
            + "Selected on validation (\(Markup.escape(s.selectBy))-shot MAE): <b>\(Markup.escape(s.selected ?? "none"))</b>; "
            + "test metrics were not used to choose.</p>" + table
            + Chart(
                title: "Paired differences to the baseline (95% intervals)", xLabel: "configuration (\(configList))",
                yLabel: "Δ test MAE", series: series
            ).svg
    }

    private static func interval(_ s: SeedSummary?) -> String {
        guard let s else { return "" }
        guard let ci = s.interval else { return String(format: "%.3f", s.mean) }
        return String(format: "%.3f [%.3f, %.3f]", s.mean, ci.lowerBound, ci.upperBound)
    }

    /// Run folders grouped by configuration (a plain run is its own group).
    private func groups() -> [(String, [String])] {
        guard let s = summary else { return [("test MAE", runs)] }
        return s.configs.map { c in
            (c, s.runs.filter { $0.config == c }.map { SweepSummary.runFolder($0.run, in: directory) })
        }
    }
}

/// The rows of a small numeric CSV with a header (empty cells left out).
private func csvRows(_ path: String) -> [[String: Double]] {
    guard let data = FileManager.default.contents(atPath: path) else { return [] }
    let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
    guard let header = lines.first?.split(separator: ",", omittingEmptySubsequences: false).map(String.init) else {
        return []
    }
    return lines.dropFirst().map { line in
        var row = [String: Double]()
        for (k, v) in zip(header, line.split(separator: ",", omittingEmptySubsequences: false)) { row[k] = Double(v) }
        return row
    }
}

/// The epoch lines of a run's metrics.jsonl.
struct MetricsFile {
    var epochs = [(epoch: Double, trainLoss: Double, valMAE: Double)]()

    init(_ folder: String) {
        let text = String(
            decoding: FileManager.default.contents(atPath: "\(folder)/metrics.jsonl") ?? Data(), as: UTF8.self)
        for line in text.split(separator: "\n") {
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                o["event"] as? String == "epoch", let e = o["epoch"] as? Int, let loss = o["train_loss"] as? Double,
                let mae = ((o["val"] as? [String: Any])?["all"] as? [String: Any])?["l1"] as? Double
            else { continue }
            epochs.append((Double(e), loss, mae))
        }
    }
}
