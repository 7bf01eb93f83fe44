// `dir-dist sweep` with real mpirun: a run inside a sweep is bit for bit the run started
// alone on as many ranks; a run that fails is recorded and the sweep goes on; a bad sweep
// is refused before any run; a preempted sweep exits 3 and its resume skips the finished
// runs and continues the others from their checkpoints, ending with the same results.
import Foundation
import TestSupport
import XCTest

final class SweepTests: XCTestCase {
    private let data = [
        "--synthetic", "600", "--synthetic-features", "8", "--hidden", "16,16", "--epochs", "3", "--threads", "1",
        "--batch-size", "32",
    ]

    private func lines(_ path: URL) throws -> [[String: Any]] {
        try String(contentsOf: path, encoding: .utf8).split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    private func testLine(_ folder: URL) throws -> String {
        let text = try String(contentsOf: folder.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        return try XCTUnwrap(text.split(separator: "\n").last { $0.contains("\"event\":\"test\"") }.map(String.init))
    }

    private func sweep(_ ranks: Int, _ out: URL, _ extra: [String], env: [String: String] = [:]) -> ProcessResult {
        MPIRun.run(
            ranks: ranks, ["sweep", "--out", out.path, "--vary", "fds=yes,no", "--seeds", "0-1"] + extra + data,
            timeout: 120, environment: env)
    }

    /// One rank of a 2-rank group fails after its runs (DIR_DIST_TEST_FAULT=fail): the group
    /// agrees, so every run is recorded failed in that rank's words, and the sweep goes on.
    func testOneRanksFailureFailsTheRunForItsGroup() throws {
        let out = Paths.temporaryDirectory("sweep-fail").appendingPathComponent("s")
        defer { try? FileManager.default.removeItem(at: out.deletingLastPathComponent()) }
        let result = sweep(4, out, ["--ranks-per-run", "2"], env: ["DIR_DIST_TEST_FAULT": "fail:rank=1"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let records = try lines(out.appendingPathComponent("sweep.jsonl"))
        XCTAssertEqual(records.count, 4)
        for k in 0..<4 {
            let run = try String(
                contentsOf: out.appendingPathComponent(String(format: "run-%03d/run.json", k)), encoding: .utf8)
            // Group 0 holds world ranks 0-1 (its rank 1 fails); group 1 holds 2-3 (its rank 1 is world rank 3).
            XCTAssertTrue(run.contains("\"status\":\"failed\""), "run \(k): \(run)")
            XCTAssertTrue(run.contains("injected failure"), "run \(k): \(run)")
        }
    }

    func testARunInsideASweepIsTheRunAlone() throws {
        let out = Paths.temporaryDirectory("sweep").appendingPathComponent("s")
        let result = sweep(2, out, ["--ranks-per-run", "1"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let records = try lines(out.appendingPathComponent("sweep.jsonl"))
        XCTAssertEqual(records.map { $0["run"] as? Int }, [0, 1, 2, 3])
        XCTAssertEqual(records.map { $0["status"] as? String }, ["ok", "ok", "ok", "ok"])
        XCTAssertEqual(records[2]["options"] as? [String: String], ["fds": "no"])
        XCTAssertEqual(records[3]["seed"] as? Int, 1)
        XCTAssertEqual(records[0]["epochs"] as? Int, 3)
        let summary = try String(contentsOf: out.appendingPathComponent("summary.csv"), encoding: .utf8)
        XCTAssertTrue(summary.contains("\n\"fds=yes\",few,mae,2,"), summary)
        XCTAssertTrue(summary.contains("\n\"fds=no\",all,gmean,2,"), summary)
        let selected = try String(contentsOf: out.appendingPathComponent("selected.json"), encoding: .utf8)
        XCTAssertTrue(selected.contains("\"baseline\":\"fds=no\""), selected)
        for (k, options) in [(1, ["--fds", "--seed", "1"]), (2, ["--seed", "0"])] {
            let alone = Paths.temporaryDirectory("alone").appendingPathComponent("a")
            let r = MPIRun.run(ranks: 1, data + options + ["--out", alone.path])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertEqual(
                try testLine(out.appendingPathComponent("run-00\(k)")), try testLine(alone), "run \(k), bit for bit")
            XCTAssertEqual(
                try RunOutput(out.appendingPathComponent("run-00\(k)")).parameters(), try RunOutput(alone).parameters())
        }
        // Two ranks per run: the run of `train` on two ranks.
        let pair = Paths.temporaryDirectory("sweep2").appendingPathComponent("s")
        let two = MPIRun.run(
            ranks: 2, ["sweep", "--out", pair.path, "--ranks-per-run", "2", "--vary", "lr=0.002"] + data, timeout: 120)
        XCTAssertEqual(two.status, 0, two.stderr)
        let alone = Paths.temporaryDirectory("alone2").appendingPathComponent("a")
        XCTAssertEqual(MPIRun.run(ranks: 2, data + ["--lr", "0.002", "--out", alone.path]).status, 0)
        XCTAssertEqual(try testLine(pair.appendingPathComponent("run-000")), try testLine(alone), "2 ranks per run")
    }

    func testAFailedRunIsRecordedAndTheSweepGoesOn() throws {
        let out = Paths.temporaryDirectory("sweepfail").appendingPathComponent("s")
        let result = MPIRun.run(
            ranks: 2,
            ["sweep", "--out", out.path, "--loss", "gai", "--vary", "gai-components=2,100000,3"] + data, timeout: 120)
        XCTAssertEqual(result.status, 0, result.stderr)
        let records = try lines(out.appendingPathComponent("sweep.jsonl"))
        XCTAssertEqual(records.map { $0["status"] as? String }, ["ok", "failed", "ok"])
        let error = try XCTUnwrap(records[1]["error"] as? String)
        XCTAssertTrue(error.hasPrefix("error: --gai-components: 100000 mixture components"), error)
        XCTAssertTrue(records[1]["test"] is NSNull)
    }

    func testABadSweepIsRefusedBeforeAnyRun() throws {
        let out = Paths.temporaryDirectory("sweepbad").appendingPathComponent("s")
        for (arguments, message) in [
            (["--vary", "lr=0.1,abc"], "error: --vary lr=abc: The value 'abc' is invalid for '--lr <lr>'"),
            (["--vary", "lr"], "error: --vary: 'lr' is not OPTION=V1,V2,..."),
            (["--vary", "seed=1,2"], "error: --vary: 'seed' is set by the sweep (use --seeds)"),
            (["--seed", "3"], "error: --seed: is set by the sweep for each run"),
            (["--seeds", "4-1"], "error: --seeds: '4-1' is not a range like 0-4 or a list like 0,1,2"),
            (["--vary", "epochs=2,0"], "error: --vary epochs=0: --epochs: must be positive, got 0"),
        ] {
            let r = MPIRun.run(ranks: 2, ["sweep", "--out", out.path] + arguments + data, timeout: 60)
            XCTAssertEqual(r.status, 2, "\(arguments): \(r.stderr)")
            let errors = r.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
            XCTAssertEqual(errors.count, 1, r.stderr)
            XCTAssertTrue(errors.first?.hasPrefix(message) ?? false, "want '\(message)' in \(r.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "nothing written before the refusal")
        }
        let three = MPIRun.run(ranks: 3, ["sweep", "--out", out.path, "--ranks-per-run", "2"] + data, timeout: 60)
        XCTAssertEqual(three.status, 2, three.stderr)
        XCTAssertTrue(three.stderr.contains("error: --ranks-per-run: 2 does not divide the 3 ranks"), three.stderr)
    }

    func testAPreemptedSweepResumesToTheSameResults() throws {
        let whole = Paths.temporaryDirectory("sweepwhole").appendingPathComponent("s")
        XCTAssertEqual(sweep(2, whole, ["--checkpoint-every", "1"]).status, 0)
        let out = Paths.temporaryDirectory("sweepstop").appendingPathComponent("s")
        let stopped = sweep(
            2, out, ["--checkpoint-every", "1"], env: ["DIR_DIST_TEST_FAULT": "signal:rank=0:epoch=2:step=5"])
        XCTAssertEqual(stopped.status, 3, stopped.stderr)
        let before = (try? lines(out.appendingPathComponent("sweep.jsonl"))) ?? []
        XCTAssertLessThan(before.count, 4, "the preempted runs are not listed")
        let again = sweep(2, out, ["--checkpoint-every", "1"])
        XCTAssertEqual(again.status, 2, "a sweep folder is not reused without --resume: \(again.stderr)")
        let resumed = sweep(2, out, ["--checkpoint-every", "1", "--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        let records = try lines(out.appendingPathComponent("sweep.jsonl"))
        XCTAssertEqual(records.map { $0["run"] as? Int }.sorted { ($0 ?? -1) < ($1 ?? -1) }, [0, 1, 2, 3])
        for k in 0..<4 {
            XCTAssertEqual(
                try testLine(out.appendingPathComponent("run-00\(k)")),
                try testLine(whole.appendingPathComponent("run-00\(k)")), "run \(k) after the resume")
        }
    }
}
