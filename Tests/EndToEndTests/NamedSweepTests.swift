// Sweeps over named methods: `--config NAME="train options"` and a TOML sweep file give
// the same runs; the names flow into sweep.jsonl, summary.csv and selected.json; progress
// lines count the runs; a name given twice, an unknown option inside a configuration and
// a sweep file with a type error are refused with one line naming them, before any run.
import Foundation
import TestSupport
import XCTest

final class NamedSweepTests: XCTestCase {
    private let data = [
        "--synthetic", "600", "--synthetic-features", "6", "--hidden", "16", "--epochs", "2", "--threads", "1",
        "--batch-size", "32",
    ]
    private let configs = [
        "--config", "vanilla=", "--config", "lds=--reweight sqrt_inv --lds", "--config",
        "denseweight=--reweight denseweight --dw-alpha 1", "--config", "bmc=--loss bmc",
    ]

    private func records(_ out: URL) throws -> [[String: Any]] {
        try String(contentsOf: out.appendingPathComponent("sweep.jsonl"), encoding: .utf8).split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    func testNamedConfigurationsLabelTheirRunsAndTheSummary() throws {
        let out = Paths.temporaryDirectory("named").appendingPathComponent("s")
        let r = MPIRun.run(
            ranks: 2, ["sweep", "--out", out.path, "--seeds", "0-1"] + configs + data, timeout: 240)
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = try records(out)
        XCTAssertEqual(
            lines.map { $0["config"] as? String },
            ["vanilla", "vanilla", "lds", "lds", "denseweight", "denseweight", "bmc", "bmc"])
        XCTAssertEqual(lines.map { $0["status"] as? String }, Array(repeating: "ok", count: 8))
        XCTAssertEqual(lines[2]["method"] as? String, "mse + sqrt_inv + LDS")
        let summary = try String(contentsOf: out.appendingPathComponent("summary.csv"), encoding: .utf8)
        for name in ["vanilla", "lds", "denseweight", "bmc"] {
            XCTAssertTrue(summary.contains("\n\"\(name)\",few,mae,2,"), summary)
        }
        let selected = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("selected.json")))
                as? [String: Any])
        XCTAssertEqual(selected["baseline"] as? String, "vanilla", "the plain configuration is the baseline")
        XCTAssertTrue(["vanilla", "lds", "denseweight", "bmc"].contains(selected["config"] as? String ?? ""))
        // Progress: one line per run, the last one says all are done.
        let progress = r.stdout.split(separator: "\n").filter { $0.hasPrefix("sweep: ") && $0.contains("runs done") }
        XCTAssertEqual(progress.count, 8, r.stdout)
        XCTAssertTrue(progress.contains { $0.hasPrefix("sweep: 8/8 runs done, 0 failed") }, r.stdout)
        XCTAssertTrue(progress.contains { $0.contains("s left") }, "an estimate of the time left: \(r.stdout)")
    }

    func testASweepFileRunsWhatTheCommandLineRuns() throws {
        let dir = Paths.temporaryDirectory("sweepfile")
        let file = dir.appendingPathComponent("methods.toml")
        try """
        # four methods, two seeds
        seeds = [0, 1]
        options = "\(data.joined(separator: " "))"

        [configs]
        vanilla = ""
        lds = "--reweight sqrt_inv --lds"
        denseweight = ["--reweight", "denseweight", "--dw-alpha", "1"]
        bmc = "--loss bmc"
        """.write(to: file, atomically: true, encoding: .utf8)
        let fromFile = dir.appendingPathComponent("file")
        let a = MPIRun.run(ranks: 2, ["sweep", "--out", fromFile.path, "--sweep-file", file.path], timeout: 240)
        XCTAssertEqual(a.status, 0, a.stderr)
        let fromLine = dir.appendingPathComponent("line")
        let b = MPIRun.run(
            ranks: 2, ["sweep", "--out", fromLine.path, "--seeds", "0,1"] + configs + data, timeout: 240)
        XCTAssertEqual(b.status, 0, b.stderr)
        XCTAssertEqual(
            try records(fromFile).map { $0["config"] as? String }, try records(fromLine).map { $0["config"] as? String }
        )
        XCTAssertEqual(
            try String(contentsOf: fromFile.appendingPathComponent("summary.csv"), encoding: .utf8),
            try String(contentsOf: fromLine.appendingPathComponent("summary.csv"), encoding: .utf8),
            "the same runs give the same summary, to the bit")
    }

    func testBadNamedSweepsAreRefusedBeforeAnyRun() throws {
        let dir = Paths.temporaryDirectory("namedbad")
        let out = dir.appendingPathComponent("s")
        let typed = dir.appendingPathComponent("typed.toml")
        try "seeds = [0, 1]\nranks_per_run = \"two\"\n[configs]\nvanilla = \"\"\n".write(
            to: typed, atomically: true, encoding: .utf8)
        let unknownKey = dir.appendingPathComponent("unknown.toml")
        try "[configs]\nvanilla = \"\"\n[grids]\nlr = [0.1]\n".write(to: unknownKey, atomically: true, encoding: .utf8)
        let broken = dir.appendingPathComponent("broken.toml")
        try "[configs]\nvanilla = \"\n".write(to: broken, atomically: true, encoding: .utf8)
        for (arguments, message) in [
            (
                ["--config", "lds=--lds", "--config", "lds=--fds"],
                "error: --config: the configuration 'lds' is named twice"
            ),
            (["--config", "odd=--frobnicate 3"], "error: --config odd: Unknown option '--frobnicate'"),
            (["--config", "lds=--lds"], "error: --config lds: --lds: LDS smooths reweighting"),
            (["--config", "x=--seed 4"], "error: --seed: is set by the sweep for each run"),
            (["--config", "plain"], "error: --config: 'plain' is not NAME=\"train options\""),
            (["--config", "a b=--fds"], "error: --config: 'a b' is not a configuration name"),
            (
                ["--sweep-file", typed.path],
                "error: \(typed.path):2: ranks_per_run: expected a positive integer, got a string"
            ),
            (["--sweep-file", unknownKey.path], "error: \(unknownKey.path):3: grids: unknown key"),
            (["--sweep-file", broken.path], "error: \(broken.path):2: not TOML"),
            (
                ["--sweep-file", dir.appendingPathComponent("none.toml").path],
                "error: \(dir.path)/none.toml: cannot read"
            ),
        ] {
            let r = MPIRun.run(ranks: 2, ["sweep", "--out", out.path] + arguments + data, timeout: 60)
            XCTAssertEqual(r.status, 2, "\(arguments): \(r.stderr)")
            let errors = r.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
            XCTAssertEqual(errors.count, 1, r.stderr)
            XCTAssertTrue(errors.first?.hasPrefix(message) ?? false, "want '\(message)' in \(r.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "nothing written before the refusal")
        }
    }
}
