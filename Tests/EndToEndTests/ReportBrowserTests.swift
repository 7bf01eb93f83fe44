// `dir-dist report` in a real browser: headless Chromium (Debian's `chromium`, installed
// by launch/install-deps.sh) loads the report of a small real run and of a small sweep.
// The test reads the DOM the browser built, checks that every figure rendered (an SVG
// with its series drawn and both axis labels), that the page logged nothing to the
// console (Chromium logs malformed SVG attributes there), and saves a screenshot in the
// test's temporary folder. Without Chromium it fails.
import Foundation
import TestSupport
import XCTest

final class ReportBrowserTests: XCTestCase {
    private let data = [
        "--synthetic", "800", "--synthetic-features", "8", "--hidden", "16,16", "--epochs", "4", "--bins", "20",
    ]

    private var chromium: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    /// Loads `page` in headless Chromium: the rendered DOM, and the console lines.
    private func load(_ page: URL, screenshot: URL) throws -> (dom: String, console: [String]) {
        let browser = try XCTUnwrap(chromium, "Chromium is not installed: run launch/install-deps.sh")
        let common = [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
        ]
        let dom = Subprocess.run(browser, common + ["--dump-dom", page.absoluteString], timeout: 120)
        XCTAssertEqual(dom.status, 0, dom.stderr)
        let shot = Subprocess.run(
            browser, common + ["--window-size=1150,3600", "--screenshot=\(screenshot.path)", page.absoluteString],
            timeout: 120)
        XCTAssertEqual(shot.status, 0, shot.stderr)
        let size = (try FileManager.default.attributesOfItem(atPath: screenshot.path)[.size] as? Int) ?? 0
        XCTAssertGreaterThan(size, 20_000, "a screenshot with content")
        let console = (dom.stderr + shot.stderr).split(separator: "\n").filter { $0.contains(":CONSOLE") }.map(
            String.init)
        return (dom.stdout, console)
    }

    /// The SVG elements of the DOM with their series and axis-label counts.
    private func figures(_ dom: String) -> [(title: String, series: Int, declared: Int, labels: Int, marks: Int)] {
        dom.components(separatedBy: "<svg class=\"chart\"").dropFirst().map { chunk in
            let svg = chunk.components(separatedBy: "</svg>")[0]
            let title =
                svg.components(separatedBy: "<title>").dropFirst().first?.components(separatedBy: "</title>")[0] ?? ""
            let declared =
                Int(svg.components(separatedBy: "data-series-count=\"").dropFirst().first?.prefix { $0.isNumber } ?? "")
                ?? -1
            let marks = ["<rect", "<path", "<circle"].map { svg.components(separatedBy: $0).count - 1 }.reduce(0, +)
            return (
                title, svg.components(separatedBy: "class=\"series\"").count - 1, declared,
                svg.components(separatedBy: "class=\"axis-label\"").count - 1, marks
            )
        }
    }

    private func assertRendered(_ dom: String, titles: [String], minimumSeries: [String: Int]) {
        let found = figures(dom)
        XCTAssertEqual(found.map(\.title), titles, "the figures, in order")
        for f in found {
            XCTAssertEqual(f.series, f.declared, "\(f.title): every declared series drawn")
            XCTAssertGreaterThanOrEqual(f.series, minimumSeries[f.title] ?? 1, "\(f.title): series")
            XCTAssertEqual(f.labels, 2, "\(f.title): both axis labels")
            XCTAssertGreaterThanOrEqual(f.marks, f.series, "\(f.title): every series drew marks")
        }
    }

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
        let html = try String(contentsOf: page, encoding: .utf8)
        XCTAssertFalse(
            html.contains("<script") || html.contains("http://") || html.contains("https://"), "self-contained")
        let (dom, console) = try load(page, screenshot: folder.appendingPathComponent("report-run.png"))
        XCTAssertEqual(console, [], "console messages")
        assertRendered(
            dom,
            titles: [
                "Label histogram and effective density", "Loss weight per bin", "Test MAE per bin",
                "Feature-mean similarity between bins", "Training loss", "Validation MAE",
            ],
            minimumSeries: ["Label histogram and effective density": 2, "Test MAE per bin": 2])
        print("report screenshot: \(folder.appendingPathComponent("report-run.png").path)")
    }

    func testTheReportOfASweepRendersInChromium() throws {
        let folder = Paths.temporaryDirectory("report-sweep")
        let sweep = folder.appendingPathComponent("sweep")
        let r = MPIRun.run(
            ranks: 2,
            ["sweep", "--out", sweep.path, "--vary", "reweight=none,sqrt_inv,inverse", "--seeds", "0-2"] + data,
            timeout: 300)
        XCTAssertEqual(r.status, 0, r.stderr)
        let report = Subprocess.run(Paths.binary("dir-dist"), ["report", sweep.path])
        XCTAssertEqual(report.status, 0, report.stderr)
        let page = sweep.appendingPathComponent("report.html")
        let (dom, console) = try load(page, screenshot: folder.appendingPathComponent("report-sweep.png"))
        XCTAssertEqual(console, [], "console messages")
        assertRendered(
            dom,
            titles: [
                "Label histogram and effective density", "Loss weight per bin", "Test MAE per bin", "Training loss",
                "Validation MAE", "Paired differences to the baseline (95% intervals)",
            ],
            minimumSeries: [
                "Test MAE per bin": 4, "Training loss": 9, "Paired differences to the baseline (95% intervals)": 3,
            ])
        XCTAssertTrue(
            dom.range(of: #"<td>reweight=none[^<]*\(baseline\)</td>"#, options: .regularExpression) != nil,
            "the vanilla configuration is the baseline")
        XCTAssertTrue(dom.contains("(selected)"), "the selected configuration is marked")
        XCTAssertEqual(dom.components(separatedBy: "<tr>").count - 1, 4, "a header and three configurations")
        print("report screenshot: \(folder.appendingPathComponent("report-sweep.png").path)")
    }
}
