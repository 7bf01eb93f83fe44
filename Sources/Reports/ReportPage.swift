// `dir-dist report DIR`: one self-contained report.html (inline SVG and CSS, no script,
// no network) for a training run's folder or a sweep's. It reads top down: the result
// first (for a sweep the configurations' test MAE with intervals, the one chosen on
// validation and the baseline, and a sentence with the comparison; for a run its test
// metrics and the tested epoch), then the forest plot of differences to the baseline,
// test error per label bin against the training density, training curves per
// configuration (mean over seeds with their spread), the training labels with LDS's
// effective density and weights, and the FDS feature-similarity heatmap when a dump is
// there. Every figure has a title and a sentence saying how to read it.
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
        var body = "<header><h1>dir-dist report</h1><p class=\"path\">\(Markup.escape(directory))</p></header>"
        if let s = summary {
            body += sweepSummarySection(s) + forestSection(s)
        } else {
            body += runSummarySection()
        }
        body += errorSection() + curveSection() + labelSection() + fdsSection()
        return """
            <!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1"><title>dir-dist report</title>
            <style>\(Self.css)</style></head><body><main>
            """ + body + "</main></body></html>\n"
    }

    public func write() throws -> String {
        let path = "\(directory)/report.html"
        try ResultFile.writeAtomically(Array(html.utf8), to: path)
        return path
    }

    /// Content up to 1100 px; the figures in a two-column grid on wide screens, one column
    /// and the narrow drawing of every chart below 700 px.
    static let css = """
        body{margin:0;background:#fff;color:#222;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,\
        "DejaVu Sans",Arial,sans-serif}
        main{max-width:1100px;margin:0 auto;padding:20px 24px 48px}
        h1{font-size:26px;margin:0}
        h2{font-size:20px;margin:34px 0 10px;padding-bottom:4px;border-bottom:1px solid #ddd}
        h3{font-size:16px;margin:0}
        .path{color:#666;font-size:13px;margin:2px 0 0;overflow-wrap:anywhere}
        .result{font-size:16px;background:#f3f7fb;border-left:4px solid #4e79a7;padding:10px 14px;margin:10px 0 14px}
        .note{color:#555;font-size:13px;margin:8px 0}
        .figs{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:8px 28px}
        figure{margin:10px 0 14px;min-width:0;display:grid;grid-row:span 3;grid-template-rows:subgrid;\
        align-content:start;row-gap:4px}
        figure.full{grid-column:1/-1}
        p.how{margin:2px 0 8px;color:#555;font-size:14px}
        svg.chart{display:block;width:100%;height:auto}
        svg.narrow{display:none}
        figure.square svg.chart{max-width:660px}
        ul.legend{list-style:none;display:flex;flex-wrap:wrap;gap:2px 18px;margin:4px 0 0;padding:0 0 0 8px;font-size:13px}
        ul.legend li{display:flex;align-items:center;gap:6px}
        .scroll{overflow-x:auto}
        table{border-collapse:collapse;font-size:14px;font-variant-numeric:tabular-nums}
        td,th{border-bottom:1px solid #e3e3e3;padding:5px 10px;text-align:right;white-space:nowrap}
        th{font-weight:600;border-bottom:2px solid #bbb;vertical-align:bottom}
        td:first-child,th:first-child{text-align:left}
        .ci{display:block;color:#666;font-size:12px}
        tr.selected{background:#eef6ee}
        .badge{display:inline-block;font-size:11px;line-height:16px;padding:0 6px;margin-left:6px;border-radius:8px;\
        vertical-align:1px}
        .badge.sel{background:#2a7a3a;color:#fff}
        .badge.base{background:#ddd;color:#333}
        .chip{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}
        .sig{font-weight:bold}
        @media (max-width:700px){
        main{padding:12px 12px 32px}
        h1{font-size:22px}
        .figs{grid-template-columns:minmax(0,1fr)}
        svg.wide{display:none}
        svg.narrow{display:block}
        table.cards,table.cards tbody,table.cards tr{display:block}
        table.cards thead{display:none}
        table.cards tr{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:2px 12px;padding:8px 6px;\
        border-bottom:1px solid #ddd}
        table.cards td{border:none;padding:0;text-align:left;white-space:normal}
        table.cards td:first-child{grid-column:1/-1;font-weight:600}
        table.cards td[data-label]::before{content:attr(data-label);display:block;font-size:11px;color:#777}
        }
        """

    // MARK: summary

    /// The sweep's result: the sentence, one row per configuration, the rule.
    private func sweepSummarySection(_ s: SweepSummary) -> String {
        let n = Set(s.runs.map(\.seed)).count
        var out = "<section id=\"summary\"><h2>Result</h2>"
        out += "<p class=\"note\">Sweep: \(s.configs.count) configuration\(s.configs.count == 1 ? "" : "s") × "
        out += "\(n) seed\(n == 1 ? "" : "s"), \(s.runs.count) finished run\(s.runs.count == 1 ? "" : "s").</p>"
        out += "<p class=\"result\" id=\"result\">\(Markup.escape(ResultText.sweep(s)))</p>"
        let scale = s.configs.compactMap { s.summary($0, "test", "all", "l1")?.mean }.max() ?? 1
        out += "<div class=\"scroll\"><table class=\"summary cards\"><thead><tr><th>configuration</th><th>seeds</th>"
        out += SweepSummary.shots.map { "<th>test MAE<br>\($0)</th>" }.joined()
        out += "<th>validation MAE<br>\(Markup.escape(s.selectBy))</th></tr></thead><tbody>"
        for (i, c) in s.configs.enumerated() {
            let classes = [c == s.selected ? "selected" : nil, c == s.baseline ? "baseline" : nil].compactMap { $0 }
            out += "<tr\(classes.isEmpty ? "" : " class=\"\(classes.joined(separator: " "))\"")>"
            out += "<td>\(Self.chip(i))\(Markup.escape(c))"
            if c == s.selected { out += "<span class=\"badge sel\">selected on validation</span>" }
            if c == s.baseline { out += "<span class=\"badge base\">baseline</span>" }
            out += "</td><td data-label=\"seeds\">\(s.values(c, "test", "all", "l1").count)</td>"
            for shot in SweepSummary.shots {
                out += "<td data-label=\"test MAE \(shot)\">"
                out += "\(Self.cell(s.summary(c, "test", shot, "l1"), scale: scale))</td>"
            }
            let val = s.summary(c, "val", s.selectBy, "l1")?.mean
            out += "<td data-label=\"validation MAE \(Markup.escape(s.selectBy))\">"
            out += "\(val.map { ResultText.number($0, scale: scale) } ?? "–")</td></tr>"
        }
        out += "</tbody></table></div>"
        out += "<p class=\"note\">Test MAE is the mean over seeds with its 95% Student-t interval in brackets "
        out += "(– where a shot has no test samples). "
        out += "The selected configuration was chosen on the validation split by \(ResultText.rule(s)); "
        out += "test metrics were not used to choose. The baseline is "
        out += "\(Markup.escape(s.baseline ?? "none")), the reference of every difference below.</p></section>"
        return out
    }

    /// A run's result: its test metrics per shot and the epoch tested.
    private func runSummarySection() -> String {
        let m = RunMetrics(folder: runs[0])
        var out = "<section id=\"summary\"><h2>Result</h2>"
        out += "<p class=\"result\" id=\"result\">\(Markup.escape(ResultText.run(m)))</p>"
        guard !m.test.isEmpty else { return out + "</section>" }
        let scale = m.test["all"]?["l1"] ?? 1
        out += "<div class=\"scroll\"><table class=\"summary\"><thead><tr><th>shot</th><th>test samples</th>"
        out += "<th>MAE</th><th>MSE</th><th>GM</th><th>Pearson r</th></tr></thead><tbody>"
        for shot in SweepSummary.shots {
            let row = m.test[shot] ?? [:]
            out += "<tr><td class=\"shot\">\(shot)</td><td>\(row["n"].map { String(Int($0)) } ?? "0")</td>"
            for key in ["l1", "mse", "gmean"] {
                out += "<td>\(row[key].map { ResultText.number($0, scale: scale) } ?? "–")</td>"
            }
            out += "<td>\(row["pearson"].map { formatNumber($0, decimals: 3) } ?? "–")</td></tr>"
        }
        out += "</tbody></table></div><p class=\"note\">Shots by the number of training samples in a test "
        out +=
            "label's bin (by default many over 100, median 20 to 100, few under 20). GM is the geometric mean of the "
        out += "absolute errors.</p></section>"
        return out
    }

    private static func cell(_ s: SeedSummary?, scale: Double) -> String {
        guard let s else { return "–" }
        let mean = ResultText.number(s.mean, scale: scale)
        guard let ci = s.interval else { return mean }
        return "\(mean)<span class=\"ci\">[\(ResultText.number(ci.lowerBound, scale: scale)), "
            + "\(ResultText.number(ci.upperBound, scale: scale))]</span>"
    }

    private static func chip(_ i: Int) -> String {
        "<span class=\"chip\" style=\"background:\(color(i))\"></span>"
    }

    private static func color(_ i: Int) -> String { Markup.palette[i % Markup.palette.count] }

    // MARK: figures

    /// A figure: its title, the sentence that says how to read it, the chart drawn wide
    /// (the desktop's column or half of it) and narrow (a phone), and its legend.
    private func figure(
        _ id: String, _ title: String, _ how: String, half: Bool = false, square: Bool = false, legend: String = "",
        draw: (Double, String) -> String
    ) -> String {
        let wide = draw(square ? 660 : half ? 536 : 1052, "wide")
        guard !wide.isEmpty else { return "" }
        return "<figure id=\"\(id)\" class=\"\(half ? "half" : "full")\(square ? " square" : "")\">"
            + "<figcaption><h3>\(Markup.escape(title))</h3><p class=\"how\">\(Markup.escape(how))</p></figcaption>"
            + wide + draw(400, "narrow") + legend + "</figure>"
    }

    private func section(_ id: String, _ heading: String, _ figures: [String], after: String = "") -> String {
        let shown = figures.filter { !$0.isEmpty }
        guard !shown.isEmpty else { return "" }
        return "<section id=\"\(id)\"><h2>\(Markup.escape(heading))</h2><div class=\"figs\">"
            + shown.joined() + "</div>\(after)</section>"
    }

    /// The differences to the baseline, all and few shots, one named row per configuration,
    /// and the table of every shot's difference.
    private func forestSection(_ s: SweepSummary) -> String {
        guard let baseline = s.baseline, s.configs.count > 1 else { return "" }
        let shots = [
            ("all", ForestPlot.Series(name: "all shots", color: "#333333", shape: "circle")),
            ("few", ForestPlot.Series(name: "few shots", color: "#d9480f", shape: "diamond")),
        ]
        let rows = s.configs.map { c in
            let notes = [
                c == s.baseline ? "baseline" : nil, c == s.selected ? "selected on validation" : nil,
            ].compactMap { $0 }
            return ForestPlot.Row(
                name: c, notes: notes, reference: c == s.baseline,
                values: shots.map { shot in
                    s.difference(c, shot.0, "l1").map { d in
                        let ci = d.summary.interval ?? d.summary.mean...d.summary.mean
                        return (d.summary.mean, ci.lowerBound, ci.upperBound)
                    }
                })
        }
        let plot = ForestPlot(
            id: "forest", title: "Test MAE difference to the baseline", xLabel: "Δ test MAE vs \(baseline)",
            rows: rows, series: shots.map(\.1))
        let how =
            "Each row is a configuration's mean paired difference in test MAE to the baseline \(baseline) over the "
            + "same seeds (dot: all shots, diamond: few shots) with its 95% interval; left of the dashed zero line is "
            + "better than the baseline, and an interval crossing it means no clear difference."
        // Every shot's difference, bold where the interval excludes zero.
        let scale = s.summary(baseline, "test", "all", "l1")?.mean ?? 1
        var table = "<div class=\"scroll\"><table class=\"differences cards\"><thead><tr><th>configuration</th>"
        table += SweepSummary.shots.map { "<th>Δ test MAE<br>\($0)</th>" }.joined() + "</tr></thead><tbody>"
        for (i, c) in s.configs.enumerated() where c != baseline {
            table += "<tr><td>\(Self.chip(i))\(Markup.escape(c))</td>"
            for shot in SweepSummary.shots {
                let d = s.difference(c, shot, "l1")
                table += "<td data-label=\"Δ test MAE \(shot)\"\(d?.excludesZero == true ? " class=\"sig\"" : "")>"
                table += "\(Self.cell(d?.summary, scale: scale))</td>"
            }
            table += "</tr>"
        }
        table += "</tbody></table></div><p class=\"note\">Paired differences to \(Markup.escape(baseline)) over the "
        table += "seeds both have, with 95% intervals; bold where the interval excludes 0.</p>"
        return section(
            "comparison", "Comparison with the baseline",
            [figure("fig-forest", plot.title, how, legend: plot.legend) { plot.svg(width: $0, variant: $1) }],
            after: table)
    }

    /// Test MAE per bin, one line per configuration (mean over its runs), over the training
    /// samples per bin on a second axis.
    private func errorSection() -> String {
        let first = csvRows("\(runs[0])/test_per_bin.csv")
        guard !first.isEmpty else { return "" }
        let mid = first.map { (($0["lo"] ?? 0) + ($0["hi"] ?? 0)) / 2 }
        let binWidth = first.first.map { ($0["hi"] ?? 1) - ($0["lo"] ?? 0) } ?? 1
        var density = Chart.Series(
            "training samples per bin (right axis)", .bars, Array(zip(mid, first.map { $0["train_count"] ?? 0 })),
            color: "#d3d3d3")
        density.side = .right
        density.barWidth = binWidth
        var series = [density]
        for (i, group) in groups().enumerated() {
            var sums = [Double](repeating: 0, count: mid.count), n = [Double](repeating: 0, count: mid.count)
            for folder in group.folders {
                for (b, row) in csvRows("\(folder)/test_per_bin.csv").enumerated() where b < mid.count {
                    if let mae = row["mae"] { (sums[b], n[b]) = (sums[b] + mae, n[b] + 1) }
                }
            }
            // Bins without test samples are left out (the line joins its neighbours).
            let points = mid.indices.filter { n[$0] > 0 }.map { (mid[$0], sums[$0] / n[$0]) }
            series.append(Chart.Series(summary == nil ? "test MAE" : group.name, .line, points, color: Self.color(i)))
        }
        let chart = Chart(
            id: "per-bin", title: "Test MAE per bin", x: .init(label: "label"), y: .init(label: "test MAE", zero: true),
            y2: .init(label: "training samples", integer: true, zero: true), series: series)
        let how =
            summary == nil
            ? "The run's test MAE per label bin (line, left axis) over the number of training samples per bin (grey "
                + "bars, right axis): without rebalancing the error rises where training labels are rare."
            : "Each configuration's test MAE per label bin, the mean over its seeds (lines, left axis), over the number "
                + "of training samples per bin (grey bars, right axis), bins without test samples left out: without "
                + "rebalancing the error rises where training labels are rare."
        return section(
            "per-bin", "Error across the label range",
            [figure("fig-per-bin", chart.title, how, legend: chart.legend) { chart.svg(width: $0, variant: $1) }])
    }

    /// Train loss and validation MAE per epoch: per configuration the mean over seeds as a
    /// line over the lowest-to-highest seed as a band (a single run: its line).
    private func curveSection() -> String {
        var loss = [Chart.Series](), mae = [Chart.Series](), seeds = 0
        for (i, group) in groups().enumerated() {
            let metrics = group.folders.map { RunMetrics(folder: $0) }
            seeds = max(seeds, metrics.count)
            let name = summary == nil ? "this run" : group.name
            for (which, pick) in [(0, { (e: RunMetrics.Epoch) in e.trainLoss }), (1, { $0.valMAE })] {
                var byEpoch = [Int: [Double]]()
                for m in metrics {
                    for e in m.epochs { if let v = pick(e), v.isFinite { byEpoch[e.epoch, default: []].append(v) } }
                }
                let epochs = byEpoch.keys.sorted()
                var line = Chart.Series(
                    name, .line, epochs.map { (Double($0), byEpoch[$0]!.reduce(0, +) / Double(byEpoch[$0]!.count)) },
                    color: Self.color(i))
                var added = [Chart.Series]()
                if metrics.count > 1 {
                    var band = Chart.Series(
                        band: "\(name): lowest to highest of \(metrics.count) seeds",
                        epochs.map { (Double($0), byEpoch[$0]!.min()!, byEpoch[$0]!.max()!) }, color: Self.color(i))
                    band.key = .hidden
                    line.key = .lineOverBand
                    added.append(band)
                }
                added.append(line)
                if which == 0 { loss += added } else { mae += added }
            }
        }
        // Bands first, lines over them.
        func order(_ s: [Chart.Series]) -> [Chart.Series] {
            s.filter { $0.kind == .band } + s.filter { $0.kind != .band }
        }
        // A log axis when the losses span more than a decade (methods weight the loss differently,
        // and losses fall by orders of magnitude): every curve keeps its shape.
        let losses = loss.flatMap(\.ys)
        let logLoss = (losses.min() ?? 0) > 0 && (losses.max() ?? 0) >= 10 * (losses.min() ?? 0)
        let lossChart = Chart(
            id: "loss", title: "Training loss", x: .init(label: "epoch", integer: true),
            y: .init(label: logLoss ? "train loss (log scale)" : "train loss", log: logLoss), series: order(loss))
        let maeChart = Chart(
            id: "val-mae", title: "Validation MAE", x: .init(label: "epoch", integer: true),
            y: .init(label: "validation MAE (all shots)"), series: order(mae))
        let spread = seeds > 1 ? "the line the mean over seeds and the shaded band the lowest to highest seed" : nil
        let lossHow =
            spread.map {
                "Training loss per epoch for each configuration, \($0); methods weight the loss differently, so "
                    + "compare shapes rather than levels."
            } ?? "Training loss per epoch, in the units the loss sees (weighted, standardised targets by default)."
        let maeHow =
            spread.map { "All-shot validation MAE per epoch for each configuration, \($0); lower is better." }
            ?? "All-shot validation MAE per epoch; lower is better, and a rising line means overfitting."
        return section(
            "curves", "Training curves",
            [
                figure("fig-loss", lossChart.title, lossHow, half: true, legend: lossChart.legend) {
                    lossChart.svg(width: $0, variant: $1)
                },
                figure("fig-val-mae", maeChart.title, maeHow, half: true, legend: maeChart.legend) {
                    maeChart.svg(width: $0, variant: $1)
                },
            ])
    }

    /// A training histogram, LDS's smoothed (effective) density and the weights: from the
    /// first run that reweights (its weights vary), else the first run.
    private func labelSection() -> String {
        let tables = runs.lazy.map { (run: $0, rows: csvRows("\($0)/lds_weights.csv")) }
        let chosen =
            tables.first { t in Set(t.rows.compactMap { $0["weight"] }).count > 1 }
            ?? (runs[0], csvRows("\(runs[0])/lds_weights.csv"))
        let rows = chosen.rows.filter { $0["lo"] != nil && $0["hi"] != nil }
        guard !rows.isEmpty else { return "" }
        let mid = rows.map { ($0["lo"]! + $0["hi"]!) / 2 }, binWidth = rows[0]["hi"]! - rows[0]["lo"]!
        var counts = Chart.Series(
            "training labels per bin", .bars, Array(zip(mid, rows.map { $0["count"] ?? 0 })), color: "#a8c1db")
        counts.barWidth = binWidth
        // The smoothed values are in the reweighting's units (counts, or their square roots for
        // sqrt_inv): scaled to the histogram's total so that both share the axis.
        let (counted, smoothed) = (rows.map { $0["count"] ?? 0 }, rows.map { $0["smoothed"] ?? 0 })
        let scale = counted.reduce(0, +) / max(smoothed.reduce(0, +), 1e-300)
        let smooth = Chart.Series(
            "effective density (LDS), scaled to the same total", .line, Array(zip(mid, smoothed.map { $0 * scale })),
            color: "#e15759")
        var weights = Chart.Series(
            "loss weight", .line, Array(zip(mid, rows.map { $0["weight"] ?? 1 })), color: Markup.palette[0])
        weights.key = .hidden
        let histogram = Chart(
            id: "labels", title: "Label histogram and effective density", x: .init(label: "label"),
            y: .init(label: "training samples per bin", zero: true), series: [counts, smooth])
        let weightChart = Chart(
            id: "weights", title: "Loss weight per bin", x: .init(label: "label"),
            y: .init(label: "loss weight", zero: true), series: [weights])
        let source = self.source(chosen.run)
        let uniform = Set(rows.compactMap { $0["weight"] }).count <= 1
        let histHow =
            "Training labels per bin (bars) and the effective density LDS derives from them by smoothing with its "
            + "kernel (line, scaled to the same total)\(source)."
        let weightHow =
            uniform
            ? "The weight of each bin's samples in the loss\(source): all equal, as no run here reweights."
            : "The weight of each bin's samples in the loss\(source), from the inverse of its (effective) density: "
                + "rare labels weigh more."
        return section(
            "labels", "Training labels and loss weights",
            [
                figure("fig-labels", histogram.title, histHow, half: true, legend: histogram.legend) {
                    histogram.svg(width: $0, variant: $1)
                },
                figure("fig-weights", weightChart.title, weightHow, half: true) {
                    weightChart.svg(width: $0, variant: $1)
                },
            ])
    }

    /// The last epoch of the first FDS dump in a run folder (JSON lines with mean_cosine).
    private func fdsSection() -> String {
        let fm = FileManager.default
        for run in runs {
            let files = ((try? fm.contentsOfDirectory(atPath: run)) ?? []).filter { $0.hasSuffix(".jsonl") }.sorted()
            for file in files where file != "metrics.jsonl" {
                let text = String(decoding: fm.contents(atPath: "\(run)/\(file)") ?? Data(), as: UTF8.self)
                guard let last = text.split(separator: "\n").last, last.contains("\"mean_cosine\""),
                    let o = try? JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any],
                    let matrix = o["mean_cosine"] as? [[Any]]
                else { continue }
                return fdsFigure(
                    matrix.map { $0.map { ($0 as? NSNumber)?.doubleValue } }, run, file, o["epoch"] as? Int)
            }
        }
        return ""
    }

    private func fdsFigure(_ values: [[Double?]], _ run: String, _ file: String, _ epoch: Int?) -> String {
        // The bins' label range when the run's binning is at hand (equal-width bins), else bin numbers.
        let edges = csvRows("\(run)/lds_weights.csv").filter { $0["lo"] != nil && $0["hi"] != nil }
        let range =
            edges.count == values.count && !edges.isEmpty ? edges.first!["lo"]!...edges.last!["hi"]! : nil
        let heatmap = Heatmap(
            id: "fds", title: "Feature-mean similarity between bins", matrix: values, range: range,
            axisLabel: range == nil ? "bin" : "label")
        let known = values.flatMap { $0.compactMap { $0 } }.filter(\.isFinite)
        let spread =
            known.isEmpty
            ? ""
            : "; here they range from \(formatNumber(known.min()!, decimals: 2)) to \(formatNumber(known.max()!, decimals: 2))"
        let place = summary == nil ? file : "\((run as NSString).lastPathComponent)/\(file)"
        let how =
            "Cosine similarity between the running feature means of every pair of label bins at epoch "
            + "\(epoch.map(String.init) ?? "?") (\(place)): blue alike, white unrelated, red opposite, grey a bin "
            + "without samples; neighbouring bins should be alike\(spread)."
        return section(
            "fds", "FDS feature similarity",
            [figure("fig-fds", heatmap.title, how, square: true) { heatmap.svg(width: $0, variant: $1) }])
    }

    /// " (from run-003, lds)" in a sweep, nothing for a run.
    private func source(_ run: String) -> String {
        guard let s = summary else { return "" }
        let folder = (run as NSString).lastPathComponent
        let config = s.runs.first { SweepSummary.runFolder($0.run, in: directory) == run }?.config
        return " (from \(folder)\(config.map { ", \($0)" } ?? ""))"
    }

    /// Run folders grouped by configuration, in the sweep's order (a plain run is its own group).
    private func groups() -> [(name: String, folders: [String])] {
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
