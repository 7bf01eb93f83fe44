// `dir-dist report` in a real browser: headless Chromium (Debian's `chromium`, installed
// by launch/install-deps.sh) loads the report of a small real run and of a small sweep of
// named configurations, at a desktop width (1280 px) and a phone's (420 px). The test reads
// the DOM the browser built and checks what a reader needs: the result at the top (for a
// sweep the table with the selected and the baseline rows and the sentence), every figure
// with its title, its one-sentence explanation and a wide and a narrow drawing, every
// series drawn and clipped to its plot, nice evenly spaced ticks (integers for epochs),
// the forest plot's named rows, the curves' bands per configuration, the heatmap's axes
// and colour scale. The page must log nothing to the console (Chromium logs malformed SVG
// attributes there); screenshots go to the test's temporary folder. Without Chromium it fails.
import Foundation
import TestSupport
import XCTest

final class ReportBrowserTests: XCTestCase {
    private let data = [
        "--synthetic", "800", "--synthetic-features", "8", "--hidden", "16,16", "--epochs", "4", "--bins", "20",
    ]
    private let widths = [(1280, 4000, "desktop"), (420, 6000, "narrow")]

    private var chromium: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    /// Loads `page` in headless Chromium at `width`×`height`: the rendered DOM and the
    /// console lines; saves a screenshot.
    private func load(_ page: URL, width: Int, height: Int, screenshot: URL) throws -> (dom: String, console: [String])
    {
        let browser = try XCTUnwrap(chromium, "Chromium is not installed: run launch/install-deps.sh")
        let common = [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
            "--window-size=\(width),\(height)",
        ]
        let dom = Subprocess.run(browser, common + ["--dump-dom", page.absoluteString], timeout: 120)
        XCTAssertEqual(dom.status, 0, dom.stderr)
        let shot = Subprocess.run(
            browser, common + ["--screenshot=\(screenshot.path)", page.absoluteString], timeout: 120)
        XCTAssertEqual(shot.status, 0, shot.stderr)
        let png = try Data(contentsOf: screenshot)
        XCTAssertGreaterThan(png.count, 20_000, "a screenshot with content")
        // The PNG's width (IHDR, bytes 16…19): the page was laid out at this width.
        if png.count > 24 {
            XCTAssertEqual(png[16..<20].reduce(0) { $0 << 8 | Int($1) }, width, "screenshot width")
        }
        let console = (dom.stderr + shot.stderr).split(separator: "\n").filter { $0.contains(":CONSOLE") }.map(
            String.init)
        return (dom.stdout, console)
    }

    // MARK: reading the DOM

    /// The text between the first `open` after `start` and the next `close`.
    private func between(_ s: String, _ open: String, _ close: String) -> String? {
        guard let a = s.range(of: open), let b = s[a.upperBound...].range(of: close) else { return nil }
        return String(s[a.upperBound..<b.lowerBound])
    }

    /// Every `<tag …class="…name…"…>text<` in `s`: the elements' texts.
    private func texts(_ s: String, _ tag: String, class name: String) -> [String] {
        let pattern = "<\(tag)\\b[^>]*class=\"[^\"]*\\b\(name)\\b[^\"]*\"[^>]*>([^<]*)<"
        let regex = try! NSRegularExpression(pattern: pattern)
        return regex.matches(in: s, range: NSRange(s.startIndex..., in: s)).map {
            String(s[Range($0.range(at: 1), in: s)!])
        }
    }

    private func count(_ s: String, _ part: String) -> Int { s.components(separatedBy: part).count - 1 }

    struct Drawing {
        var variant: String
        var svg: String
    }

    struct Figure {
        var id: String
        var title: String
        var how: String
        var drawings: [Drawing]
        var html: String
    }

    private func figures(_ dom: String) -> [Figure] {
        dom.components(separatedBy: "<figure id=\"").dropFirst().map { chunk in
            let html = chunk.components(separatedBy: "</figure>")[0]
            let drawings = html.components(separatedBy: "<svg class=\"chart ").dropFirst().map { part in
                Drawing(
                    variant: String(part.prefix { $0 != "\"" }), svg: part.components(separatedBy: "</svg>")[0])
            }
            return Figure(
                id: String(html.prefix { $0 != "\"" }), title: between(html, "<h3>", "</h3>") ?? "",
                how: between(html, "<p class=\"how\">", "</p>") ?? "", drawings: drawings, html: html)
        }
    }

    /// A tick label as a number (− is a minus sign).
    private func number(_ label: String) -> Double? { Double(label.replacingOccurrences(of: "\u{2212}", with: "-")) }

    /// Evenly spaced by 1, 2 or 5 × 10^k, every label with the same decimals.
    private func assertNice(_ labels: [String], integer: Bool = false, _ what: String) {
        let values = labels.compactMap(number)
        XCTAssertEqual(values.count, labels.count, "\(what): numeric tick labels \(labels)")
        XCTAssertGreaterThanOrEqual(values.count, 2, "\(what): ticks")
        guard values.count >= 2 else { return }
        let step = values[1] - values[0]
        for k in 1..<values.count {
            XCTAssertEqual(values[k] - values[k - 1], step, accuracy: abs(step) * 1e-6, "\(what): even \(labels)")
        }
        let mantissa = abs(step) / pow(10, log10(abs(step)).rounded(.down))
        XCTAssertTrue([1, 2, 5, 10].contains { abs(mantissa - $0) < 1e-6 }, "\(what): a 1-2-5 step \(labels)")
        let decimals = Set(labels.map { $0.split(separator: ".").dropFirst().first?.count ?? 0 })
        XCTAssertEqual(decimals.count, 1, "\(what): the same decimals \(labels)")
        if integer { XCTAssertEqual(decimals, [0], "\(what): integer ticks \(labels)") }
    }

    /// A log axis: increasing 1, 2 or 5 × 10^k.
    private func assertLogTicks(_ labels: [String], _ what: String) {
        let values = labels.compactMap { number($0.replacingOccurrences(of: "e\u{2212}", with: "e-")) }
        XCTAssertEqual(values.count, labels.count, "\(what): numeric tick labels \(labels)")
        XCTAssertGreaterThanOrEqual(values.count, 2, "\(what): ticks")
        XCTAssertEqual(values, values.sorted(), "\(what): increasing")
        for v in values {
            let mantissa = v / pow(10, (log10(v) + 1e-9).rounded(.down))
            XCTAssertTrue([1, 2, 5].contains { abs(mantissa - $0) < 1e-6 }, "\(what): 1-2-5 \(labels)")
        }
    }

    /// Every figure, in order, with its title and one-sentence explanation, drawn wide and
    /// narrow, every declared series drawn inside a clipped plot, nice ticks, axis labels.
    private func assertFigures(_ dom: String, titles: [String]) -> [String: Figure] {
        let found = figures(dom)
        XCTAssertEqual(found.map(\.title), titles, "the figures, in order")
        for f in found {
            XCTAssertGreaterThan(f.how.count, 40, "\(f.title): an explanation")
            XCTAssertTrue(f.how.hasSuffix("."), "\(f.title): a sentence")
            XCTAssertNil(f.how.range(of: #"[.!?]\s+[A-Z]"#, options: .regularExpression), "\(f.title): one sentence")
            XCTAssertEqual(f.drawings.map(\.variant), ["wide", "narrow"], "\(f.title): drawn for both widths")
            for d in f.drawings {
                let what = "\(f.title) (\(d.variant))"
                XCTAssertEqual(between(d.svg, "<title>", "</title>"), f.title, what)
                XCTAssertTrue(d.svg.contains("viewBox=\"0 0 "), "\(what): scales with the page")
                XCTAssertFalse(d.svg.prefix { $0 != ">" }.contains(" width="), "\(what): no fixed width")
                let declared = Int(between(d.svg, "data-series-count=\"", "\"") ?? "") ?? -1
                XCTAssertEqual(count(d.svg, "class=\"series"), declared, "\(what): every declared series drawn")
                XCTAssertGreaterThanOrEqual(declared, 1, "\(what): series")
                let marks = ["<rect", "<path", "<circle"].map { count(d.svg, $0) }.reduce(0, +)
                XCTAssertGreaterThanOrEqual(marks, declared, "\(what): marks")
                XCTAssertGreaterThanOrEqual(count(d.svg, "class=\"axis-label\""), 1, "\(what): axis labels")
                // Data inside the plot rectangle: the plot group is clipped by a clip path of this drawing.
                if let plot = between(d.svg, "<g class=\"plot\" clip-path=\"url(#", ")") {
                    XCTAssertTrue(d.svg.contains("<clipPath id=\"\(plot)\""), "\(what): its clip path")
                } else {
                    XCTAssertEqual(f.id, "fig-fds", "\(what): a clipped plot")
                }
                let epochs = f.id == "fig-loss" || f.id == "fig-val-mae"
                assertNice(texts(d.svg, "text", class: "x"), integer: epochs, "\(what) x")
                if d.svg.contains("data-y-scale=\"log\"") {
                    assertLogTicks(texts(d.svg, "text", class: "y"), "\(what) y")
                } else if f.id != "fig-forest" {
                    assertNice(texts(d.svg, "text", class: "y"), "\(what) y")
                }
            }
        }
        return Dictionary(found.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// The page is one file: no script, no network, no external style.
    private func assertSelfContained(_ page: URL) throws {
        let html = try String(contentsOf: page, encoding: .utf8)
        for bad in ["<script", "http://", "https://", "<link", "@import", "<img", "<iframe"] {
            XCTAssertFalse(html.contains(bad), "self-contained: \(bad)")
        }
        XCTAssertEqual(count(html, "url("), count(html, "url(#"), "only references inside the page")
    }

    /// The result section comes first, right after the header.
    private func summarySection(_ dom: String) throws -> String {
        let main = try XCTUnwrap(between(dom, "<main>", "</main>"))
        let firstSection = try XCTUnwrap(main.range(of: "<section id=\""))
        XCTAssertTrue(main[firstSection.upperBound...].hasPrefix("summary\""), "the summary is the first section")
        return try XCTUnwrap(between(main, "<section id=\"summary\">", "</section>"))
    }

    // MARK: tests

    func testTheReportOfARunRendersInChromium() throws {
        let folder = Paths.temporaryDirectory("report-run")
        let run = folder.appendingPathComponent("run")
        let r = MPIRun.run(
            ranks: 2,
            data + [
                "--reweight", "sqrt_inv", "--lds", "--fds", "--fds-dump", run.path + "/fds.jsonl", "--out", run.path,
            ])
        XCTAssertEqual(r.status, 0, r.stderr)
        let report = Subprocess.run(Paths.binary("dir-dist"), ["report", run.path])
        XCTAssertEqual(report.status, 0, report.stderr)
        let page = run.appendingPathComponent("report.html")
        try assertSelfContained(page)
        for (width, height, name) in widths {
            let shot = folder.appendingPathComponent("report-run-\(name).png")
            let (dom, console) = try load(page, width: width, height: height, screenshot: shot)
            XCTAssertEqual(console, [], "console messages at \(width) px")
            // The result: the tested epoch and the test metrics per shot.
            let summary = try summarySection(dom)
            XCTAssertTrue(summary.contains("Tested at epoch 4 of 4, the last trained epoch."), summary)
            let shots = texts(summary, "td", class: "shot")
            XCTAssertEqual(shots, ["all", "many", "median", "few"], "a row per shot")
            let figs = assertFigures(
                dom,
                titles: [
                    "Test MAE per bin", "Training loss", "Validation MAE", "Label histogram and effective density",
                    "Loss weight per bin", "Feature-mean similarity between bins",
                ])
            // One run: one line per curve, no band.
            for id in ["fig-loss", "fig-val-mae"] {
                let svg = try XCTUnwrap(figs[id]?.drawings.first?.svg)
                XCTAssertEqual(count(svg, "class=\"series line\""), 1, "\(id): one line")
                XCTAssertEqual(count(svg, "class=\"series band\""), 0, "\(id): no band")
            }
            // The heatmap: tick labels on both axes, axis titles, the colour scale from −1 to 1.
            for d in try XCTUnwrap(figs["fig-fds"]).drawings {
                XCTAssertGreaterThanOrEqual(texts(d.svg, "text", class: "x").count, 3, "heatmap x ticks")
                XCTAssertEqual(texts(d.svg, "text", class: "x"), texts(d.svg, "text", class: "y"), "same bins")
                XCTAssertEqual(texts(d.svg, "text", class: "axis-label").filter { $0.hasPrefix("label") }.count, 2)
                XCTAssertTrue(d.svg.contains("<g class=\"colour-scale\""), "a colour scale")
                XCTAssertEqual(
                    texts(d.svg, "text", class: "scale"), ["\u{2212}1.0", "\u{2212}0.5", "0.0", "0.5", "1.0"])
                XCTAssertTrue(d.svg.contains("<linearGradient"), "the scale's gradient")
            }
            print("report screenshot: \(shot.path)")
        }
    }

    func testTheReportOfASweepRendersInChromium() throws {
        let folder = Paths.temporaryDirectory("report-sweep")
        let sweep = folder.appendingPathComponent("sweep")
        let configs = ["vanilla", "lds", "inverse"]
        let r = MPIRun.run(
            ranks: 2,
            [
                "sweep", "--out", sweep.path, "--config", "vanilla=", "--config", "lds=--reweight sqrt_inv --lds",
                "--config", "inverse=--reweight inverse", "--seeds", "0-2",
            ] + data,
            timeout: 300)
        XCTAssertEqual(r.status, 0, r.stderr)
        let report = Subprocess.run(Paths.binary("dir-dist"), ["report", sweep.path])
        XCTAssertEqual(report.status, 0, report.stderr)
        let selectedJSON =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: sweep.appendingPathComponent("selected.json"))) as? [String: Any]
        let selected = try XCTUnwrap(selectedJSON?["config"] as? String)
        XCTAssertEqual(selectedJSON?["baseline"] as? String, "vanilla")
        let page = sweep.appendingPathComponent("report.html")
        try assertSelfContained(page)
        for (width, height, name) in widths {
            let shot = folder.appendingPathComponent("report-sweep-\(name).png")
            let (dom, console) = try load(page, width: width, height: height, screenshot: shot)
            XCTAssertEqual(console, [], "console messages at \(width) px")
            // The result at the top: the sentence, and a row per configuration with the
            // selected (on validation) and the baseline marked.
            let summary = try summarySection(dom)
            let sentence = try XCTUnwrap(between(summary, "<p class=\"result\" id=\"result\">", "</p>"))
            XCTAssertTrue(sentence.hasPrefix("Selected on validation: \(selected)."), sentence)
            if selected != "vanilla" {
                XCTAssertTrue(sentence.contains("Against the baseline vanilla"), sentence)
                XCTAssertNotNil(sentence.range(of: #"few-shot test MAE is \d"#, options: .regularExpression), sentence)
            }
            let table = try XCTUnwrap(between(summary, "<tbody>", "</tbody>"))
            let rows = table.components(separatedBy: "<tr").dropFirst()
            XCTAssertEqual(rows.count, 3, "a row per configuration")
            for (row, config) in zip(rows, configs) {
                XCTAssertTrue(row.contains("</span>\(config)<"), "row of \(config): \(row)")
                XCTAssertEqual(row.contains("selected on validation</span>"), config == selected, "selected: \(row)")
                XCTAssertEqual(row.contains("class=\"badge base\""), config == "vanilla", "baseline: \(row)")
                XCTAssertEqual(count(row, "data-label=\"test MAE "), 4, "MAE of all, many, median, few shots")
                XCTAssertEqual(count(row, "<span class=\"ci\">["), 4, "with their intervals")
            }
            XCTAssertTrue(summary.contains("chosen on the validation split"), "says the choice was on validation")
            let figs = assertFigures(
                dom,
                titles: [
                    "Test MAE difference to the baseline", "Test MAE per bin", "Training loss", "Validation MAE",
                    "Label histogram and effective density", "Loss weight per bin",
                ])
            // The forest plot: a named row per configuration, the baseline's noted, a zero line.
            for d in try XCTUnwrap(figs["fig-forest"]).drawings {
                XCTAssertEqual(texts(d.svg, "text", class: "row-label"), configs, "named rows")
                XCTAssertTrue(texts(d.svg, "text", class: "row-note").contains("baseline"), "the baseline row")
                XCTAssertTrue(d.svg.contains("<line class=\"zero\""), "the zero line")
                XCTAssertEqual(count(d.svg, "class=\"series\""), 2, "all and few shots")
                XCTAssertTrue(texts(d.svg, "text", class: "x").contains("0"), "zero among the ticks")
            }
            // Curves per configuration: its mean line over a band of its seeds; the legend by name.
            for id in ["fig-loss", "fig-val-mae"] {
                let f = try XCTUnwrap(figs[id])
                for d in f.drawings {
                    XCTAssertEqual(count(d.svg, "class=\"series band\""), 3, "\(id): a band per configuration")
                    XCTAssertEqual(count(d.svg, "class=\"series line\""), 3, "\(id): a line per configuration")
                    XCTAssertTrue(d.svg.contains("data-name=\"lds: lowest to highest of 3 seeds\""), id)
                }
                let legend = try XCTUnwrap(between(f.html, "<ul class=\"legend\">", "</ul>"))
                XCTAssertEqual(
                    legend.components(separatedBy: "</svg>").dropFirst().map { $0.components(separatedBy: "<")[0] },
                    configs, "\(id): legend by configuration")
                XCTAssertFalse(f.html.contains("run-0"), "\(id): no run numbers")
            }
            let perBin = try XCTUnwrap(figs["fig-per-bin"]?.drawings.first?.svg)
            for config in configs { XCTAssertTrue(perBin.contains("data-name=\"\(config)\""), "per bin: \(config)") }
            XCTAssertTrue(dom.contains("<table class=\"differences cards\">"), "the table of every shot's difference")
            print("report screenshot: \(shot.path)")
        }
    }
}
