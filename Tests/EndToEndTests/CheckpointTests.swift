import Checkpoints
// Checkpoints, resume and preemption with real mpirun: a resumed run ends with the
// same parameters and metrics as the uninterrupted one (bitwise on the same rank
// count, to 1e-5 on another with the same global batch); SIGUSR1 mid-epoch writes a
// valid checkpoint and exits 3; damaged or foreign checkpoints are refused.
import Foundation
import TestSupport
import XCTest

final class CheckpointTests: XCTestCase {
    let base = [
        "--synthetic", "1000", "--synthetic-features", "8", "--hidden", "16,16", "--seed", "4",
        "--lr", "0.002", "--bins", "20",
    ]

    private func run(_ ranks: Int, _ args: [String], env: [String: String] = [:]) -> ProcessResult {
        MPIRun.run(ranks: ranks, base + args, timeout: 60, environment: env)
    }

    private func uninterrupted(_ ranks: Int, batch: Int, _ extra: [String]) throws -> RunOutput {
        let out = Paths.temporaryDirectory("full").appendingPathComponent("run")
        let r = run(ranks, extra + ["--epochs", "4", "--batch-size", "\(batch)", "--out", out.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        return RunOutput(out)
    }

    private func testMetrics(_ run: RunOutput) throws -> [Double] {
        try ["mse", "l1", "gmean", "pearson"].map { try XCTUnwrap(run.testMetric("all", $0)) }
    }

    func testResumeAfterAStopAtSeveralEpochsIsExact() throws {
        for extra in [[String](), ["--fds"]] {
            let full = try uninterrupted(2, batch: 24, extra)
            for stop in [1, 3] {
                let out = Paths.temporaryDirectory("stop\(stop)").appendingPathComponent("run")
                let first = run(
                    2,
                    extra + ["--epochs", "\(stop)", "--batch-size", "24", "--checkpoint-every", "1", "--out", out.path])
                XCTAssertEqual(first.status, 0, first.stderr)
                let second = run(
                    2,
                    extra + [
                        "--epochs", "4", "--batch-size", "24", "--checkpoint-every", "1",
                        "--resume", "auto", "--out", out.path,
                    ])
                XCTAssertEqual(second.status, 0, second.stderr)
                XCTAssertTrue(
                    second.stdout.contains("resumed from \(out.path)/checkpoint.ckpt at epoch \(stop + 1), step 0"),
                    second.stdout)
                XCTAssertEqual(
                    try RunOutput(out).parameters(), try full.parameters(), "stop after epoch \(stop) \(extra)")
                XCTAssertEqual(try testMetrics(RunOutput(out)), try testMetrics(full), "metrics, stop \(stop) \(extra)")
                let epochs = try RunOutput(out).metrics().filter { $0["event"] as? String == "epoch" }.map {
                    $0["epoch"] as! Int
                }
                XCTAssertEqual(epochs, [1, 2, 3, 4], "metrics.jsonl continues without duplicates")
            }
        }
    }

    func testResumeOnAnotherRankCountWithTheSameGlobalBatch() throws {
        let full = try uninterrupted(2, batch: 24, ["--fds"])
        let out = Paths.temporaryDirectory("ranks").appendingPathComponent("run")
        XCTAssertEqual(
            run(2, ["--fds", "--epochs", "2", "--batch-size", "24", "--checkpoint-every", "2", "--out", out.path])
                .status, 0)
        // Forced shared memory: the gathered optimizer state is split into three shards.
        let resumed = run(
            3,
            [
                "--fds", "--epochs", "4", "--batch-size", "16", "--resume", "auto", "--shared-memory",
                "--out", out.path,
            ])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        Approx.assertClose(
            try RunOutput(out).parameters(), try full.parameters(), rel: 1e-5, abs: 1e-6,
            "3 ranks resuming a 2-rank run")
    }

    func testSignalMidEpochCheckpointsAndResumesExactly() throws {
        for (ranks, pass) in [(2, "separate"), (3, "online")] {
            let batch = 48 / ranks
            let fds = ["--fds", "--fds-pass", pass]
            let full = try uninterrupted(ranks, batch: batch, fds)
            let out = Paths.temporaryDirectory("sig").appendingPathComponent("run")
            let stopped = run(
                ranks,
                fds + ["--epochs", "4", "--batch-size", "\(batch)", "--checkpoint-every", "2", "--out", out.path],
                env: ["DIR_DIST_TEST_FAULT": "signal:rank=\(ranks - 1):epoch=2:step=5"])
            XCTAssertEqual(stopped.status, 3, "preemption exit status: \(stopped.stderr)")
            XCTAssertTrue(stopped.stdout.contains("preempted by SIGUSR1 in epoch 2 after 6 steps"), stopped.stdout)
            let bytes = try CheckpointStore.read(out.appendingPathComponent("checkpoint.ckpt").path)
            let checkpoint = try Checkpoint.decode(bytes, path: "checkpoint.ckpt")
            XCTAssertEqual(checkpoint.epoch, 1)
            XCTAssertEqual(checkpoint.step, 6)
            let resumed = run(
                ranks,
                fds + [
                    "--epochs", "4", "--batch-size", "\(batch)", "--checkpoint-every", "2",
                    "--resume", "auto", "--out", out.path,
                ])
            XCTAssertEqual(resumed.status, 0, resumed.stderr)
            XCTAssertEqual(try RunOutput(out).parameters(), try full.parameters(), "\(ranks) ranks, \(pass) FDS pass")
            XCTAssertEqual(try testMetrics(RunOutput(out)), try testMetrics(full), "\(ranks) ranks: metrics")
        }
    }

    /// A cosine schedule stopped mid-epoch resumes at the same rate; early stopping resumed
    /// from a checkpoint before its stop continues the same patience and stops at the same epoch.
    func testResumeMidScheduleAndPatienceIsExact() throws {
        let cosine = ["--lr-schedule", "cosine", "--lr-warmup", "1", "--checkpoint-every", "2"]
        let full = try uninterrupted(2, batch: 24, cosine)
        let out = Paths.temporaryDirectory("cosine").appendingPathComponent("run")
        let stopped = run(
            2, cosine + ["--epochs", "4", "--batch-size", "24", "--out", out.path],
            env: ["DIR_DIST_TEST_FAULT": "signal:rank=1:epoch=2:step=3"])
        XCTAssertEqual(stopped.status, 3, stopped.stderr)
        let resumed = run(2, cosine + ["--epochs", "4", "--batch-size", "24", "--resume", "auto", "--out", out.path])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(try RunOutput(out).parameters(), try full.parameters(), "cosine schedule resumed mid-epoch")

        let patience = ["--patience", "2", "--lr", "0.05", "--checkpoint-every", "1", "--batch-size", "24"]
        let whole = Paths.temporaryDirectory("patience").appendingPathComponent("run")
        let first = run(2, patience + ["--epochs", "30", "--out", whole.path])
        XCTAssertEqual(first.status, 0, first.stderr)
        let stopLine = try XCTUnwrap(
            first.stdout.split(separator: "\n").first { $0.hasPrefix("early stop after epoch") })
        let stoppedAt = Int(stopLine.split(separator: " ")[4].dropLast())!
        XCTAssertLessThan(stoppedAt, 30, "patience 2 with a high rate stops early: \(first.stdout)")
        let part = Paths.temporaryDirectory("patience2").appendingPathComponent("run")
        XCTAssertEqual(run(2, patience + ["--epochs", "\(stoppedAt - 1)", "--out", part.path]).status, 0)
        let rest = run(2, patience + ["--epochs", "30", "--resume", "auto", "--out", part.path])
        XCTAssertEqual(rest.status, 0, rest.stderr)
        XCTAssertTrue(rest.stdout.contains(stopLine), "resumed run stops alike: \(rest.stdout)")
        XCTAssertEqual(try RunOutput(part).parameters(), try RunOutput(whole).parameters())
    }

    /// DenseWeight's per-sample weights are part of what a checkpoint is checked against,
    /// and a run with them resumes mid-epoch exactly.
    func testResumeWithDenseWeightIsExactAndOtherWeightsAreRefused() throws {
        let dw = ["--reweight", "denseweight", "--dw-alpha", "2", "--checkpoint-every", "2"]
        let full = try uninterrupted(2, batch: 24, dw)
        let out = Paths.temporaryDirectory("dw").appendingPathComponent("run")
        let stopped = run(
            2, dw + ["--epochs", "4", "--batch-size", "24", "--out", out.path],
            env: ["DIR_DIST_TEST_FAULT": "signal:rank=0:epoch=3:step=2"])
        XCTAssertEqual(stopped.status, 3, stopped.stderr)
        let other = run(
            2,
            [
                "--reweight", "denseweight",
                "--dw-alpha", "1", "--epochs", "4", "--batch-size", "24", "--resume", "auto",
                "--checkpoint-every", "2", "--out", out.path,
            ])
        XCTAssertEqual(other.status, 2, "another alpha: \(other.stderr)")
        XCTAssertTrue(other.stderr.contains("differs in: denseWeight"), other.stderr)
        let resumed = run(2, dw + ["--epochs", "4", "--batch-size", "24", "--resume", "auto", "--out", out.path])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(try RunOutput(out).parameters(), try full.parameters(), "denseweight resumed mid-epoch")
    }

    func testRealSIGUSR1ToMpirunStopsWithinTenSeconds() throws {
        let out = Paths.temporaryDirectory("usr1").appendingPathComponent("run")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var args = ["mpirun", "--np", "2", "--oversubscribe", "-x", "OPENBLAS_NUM_THREADS=1"]
        if getuid() == 0 { args.insert("--allow-run-as-root", at: 1) }
        process.arguments =
            args + [
                Paths.binary("dir-dist"), "--synthetic", "20000", "--epochs", "1000",
                "--checkpoint-every", "1000", "--out", out.path,
            ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let metrics = out.appendingPathComponent("metrics.jsonl")
        let start = Date()
        while Date().timeIntervalSince(start) < 60 {
            if let text = try? String(contentsOf: metrics, encoding: .utf8), text.contains("\"epoch\":1") { break }
            usleep(100_000)
        }
        kill(process.processIdentifier, SIGUSR1)
        let signalled = Date()
        while process.isRunning && Date().timeIntervalSince(signalled) < 30 { usleep(50_000) }
        let seconds = Date().timeIntervalSince(signalled)
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        XCTAssertLessThan(seconds, 10, "the job must stop within 10 s of SIGUSR1")
        XCTAssertEqual(process.terminationStatus, 3)
        let bytes = try CheckpointStore.read(out.appendingPathComponent("checkpoint.ckpt").path)
        XCTAssertNoThrow(try Checkpoint.decode(bytes, path: "checkpoint.ckpt"))
    }

    func testDamagedAndForeignCheckpointsAreRefused() throws {
        let out = Paths.temporaryDirectory("bad").appendingPathComponent("run")
        XCTAssertEqual(
            run(2, ["--epochs", "1", "--batch-size", "24", "--checkpoint-every", "1", "--out", out.path]).status, 0)
        let good = out.appendingPathComponent("checkpoint.ckpt")
        var bytes = try Data(contentsOf: good)
        let dir = Paths.temporaryDirectory("badfiles")
        let flipped = dir.appendingPathComponent("flipped.ckpt")
        bytes[bytes.count / 2] ^= 0x40
        try bytes.write(to: flipped)
        let truncated = dir.appendingPathComponent("truncated.ckpt")
        try Data(contentsOf: good).prefix(100).write(to: truncated)
        let cases: [([String], String)] = [
            (["--resume", flipped.path], "error: \(flipped.path): corrupt checkpoint: checksum mismatch"),
            (["--resume", truncated.path], "error: \(truncated.path): truncated checkpoint"),
            (["--resume", dir.appendingPathComponent("none.ckpt").path], "no such checkpoint file"),
            (["--resume", good.path, "--lr", "0.01"], "checkpoint belongs to another configuration (differs in: lr)"),
            (
                ["--resume", good.path, "--hidden", "16,8"],
                "checkpoint belongs to another configuration (differs in: hidden)"
            ),
            (
                ["--resume", good.path, "--batch-size", "12"],
                "error: --resume: '\(good.path)' was trained with global batch 48, this run has 24 (2 ranks × 12); "
                    + "keep it with --batch-size 24 on 2 ranks, or resume anyway with --resume-new-batch"
            ),
        ]
        for (extra, message) in cases {
            let r = run(2, ["--epochs", "3", "--batch-size", "24"] + extra)
            XCTAssertEqual(r.status, 2, "\(extra): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(message), "want \(message) in \(r.stderr)")
        }
        // Told to, it resumes with the new global batch and says so.
        let told = run(2, ["--epochs", "2", "--batch-size", "12", "--resume", good.path, "--resume-new-batch"])
        XCTAssertEqual(told.status, 0, told.stderr)
        XCTAssertTrue(
            told.stdout.contains("resuming with global batch 24 instead of the checkpoint's 48 (--resume-new-batch)"),
            told.stdout)
        // Another data set: the same configuration on other synthetic rows.
        let other = MPIRun.run(
            ranks: 2,
            ["--synthetic", "999"] + base.dropFirst(2) + ["--epochs", "3", "--batch-size", "24", "--resume", good.path])
        XCTAssertEqual(other.status, 2)
        XCTAssertTrue(other.stderr.contains("another"), other.stderr)
    }
}
