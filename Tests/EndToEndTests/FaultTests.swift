import Checkpoints
// Faults with real mpirun: a killed rank ends the job within 30 s and leaves no
// process and a valid checkpoint; a hung rank is caught by --step-timeout; a NaN
// loss stops training naming epoch and step; srun without PMI is refused.
import Foundation
import TestSupport
import XCTest

final class FaultTests: XCTestCase {
    let base = [
        "--synthetic", "1000", "--synthetic-features", "8", "--hidden", "16,16", "--seed", "4",
        "--lr", "0.002", "--batch-size", "24", "--epochs", "4", "--checkpoint-every", "1",
    ]

    /// No process (rank or mpirun) whose command line names this run's folder.
    private func nothingLeft(_ out: URL) -> Bool {
        Subprocess.run("/usr/bin/pgrep", ["-f", out.path]).status != 0
    }

    private func checkpointIsValid(_ out: URL, epoch: Int) throws {
        let bytes = try CheckpointStore.read(out.appendingPathComponent("checkpoint.ckpt").path)
        let c = try Checkpoint.decode(bytes, path: "checkpoint.ckpt")
        XCTAssertEqual(c.epoch, epoch)
    }

    func testKilledRankEndsTheJobAndKeepsTheCheckpoint() throws {
        for ranks in [2, 3] {
            let out = Paths.temporaryDirectory("kill").appendingPathComponent("run")
            let r = MPIRun.run(
                ranks: ranks, base + ["--out", out.path], timeout: 60,
                environment: ["DIR_DIST_TEST_FAULT": "kill:rank=1:epoch=3:step=2"])
            XCTAssertNotEqual(r.status, 0)
            XCTAssertLessThan(r.seconds, 30, "the job must end within 30 s")
            usleep(500_000)
            XCTAssertTrue(nothingLeft(out), "no dir-dist process may survive")
            try checkpointIsValid(out, epoch: 2)
        }
    }

    func testHungRankIsCaughtByTheStepWatchdog() throws {
        let out = Paths.temporaryDirectory("hang").appendingPathComponent("run")
        let r = MPIRun.run(
            ranks: 2, base + ["--step-timeout", "3", "--out", out.path], timeout: 60,
            environment: ["DIR_DIST_TEST_FAULT": "hang:rank=1:epoch=2:step=3"])
        XCTAssertEqual(r.status, 5, r.stderr)
        XCTAssertLessThan(r.seconds, 30)
        XCTAssertTrue(r.stderr.contains("no progress for 3 s in epoch 2, step 3 (--step-timeout 3)"), r.stderr)
        usleep(500_000)
        XCTAssertTrue(nothingLeft(out))
    }

    func testNonFiniteLossStopsAndKeepsTheLastGoodCheckpoint() throws {
        for ranks in [2, 3] {
            let out = Paths.temporaryDirectory("nan").appendingPathComponent("run")
            let r = MPIRun.run(
                ranks: ranks, base + ["--out", out.path], timeout: 60,
                environment: ["DIR_DIST_TEST_FAULT": "nan:rank=\(ranks - 1):epoch=3:step=4"])
            XCTAssertEqual(r.status, 4, r.stderr)
            XCTAssertTrue(r.stderr.contains("error: non-finite training loss in epoch 3, step 4"), r.stderr)
            try checkpointIsValid(out, epoch: 2)
        }
    }

    func testSrunWithoutPMIIsRefused() {
        // Run directly (no mpirun) as srun would without PMI: rank 0 of 1, in a step of 4 tasks.
        let r = Subprocess.run(
            Paths.binary("dir-dist"), ["--epochs", "1"],
            environment: ["SLURM_STEP_NUM_TASKS": "4", "SLURM_PROCID": "0"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("error: srun: started 4 tasks but MPI sees each as rank 0 of 1"), r.stderr)
        let other = Subprocess.run(
            Paths.binary("dir-dist"), ["--epochs", "1"],
            environment: ["SLURM_STEP_NUM_TASKS": "4", "SLURM_PROCID": "2"])
        XCTAssertEqual(other.status, 2)
        XCTAssertEqual(other.stderr, "", "only task 0 speaks")
    }
}
