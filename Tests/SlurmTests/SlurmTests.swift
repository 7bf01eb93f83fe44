// Slurm for real (launch/slurm-local.sh: munged, slurmctld and slurmd from Debian's
// packages): `sbatch launch/slurm.sbatch` trains like launch/local.sh on the same ranks
// and seed; a time limit's SIGUSR1 (--signal=USR1@N) and `scancel --signal=USR1` each
// make the ranks write a checkpoint and exit 3, the script requeues the job, and the
// requeued job resumes and ends with exactly the metrics of an uninterrupted run; srun
// without PMIx is refused with one line that says how to launch.
import Foundation
import TestSupport
import XCTest

final class SlurmTests: XCTestCase {
    static let batchScript = Paths.packageRoot.appendingPathComponent("launch/slurm.sbatch").path
    static let binary = Paths.binary("dir-dist")
    /// 4000 rows, 63 steps an epoch on 2 ranks.
    static func recipe(epochs: Int) -> [String] {
        [
            "--synthetic", "4000", "--synthetic-features", "8", "--hidden", "16,16", "--epochs", "\(epochs)", "--seed",
            "5",
        ]
    }

    func testSbatchTrainsLikeLocalSh() throws {
        let slurm = try SlurmCluster()
        defer { slurm.tearDown() }
        let root = Paths.temporaryDirectory("sbatch")
        let arguments = ["--epochs", "5", "--seed", "3"]
        let id = try slurm.submit(
            ["--nodes=1", "--ntasks-per-node=2", "--time=5", "--output=\(root.path)/job-%j.out", Self.batchScript]
                + arguments,
            environment: ["OUT": root.appendingPathComponent("run").path, "DIR_DIST": Self.binary])
        let start = Date()
        XCTAssertEqual(slurm.waitUntilDone(id, timeout: 120), "COMPLETED")
        print(
            "sbatch job \(id): \(String(format: "%.1f", Date().timeIntervalSince(start))) s from submission to the end")
        let output = try String(contentsOf: root.appendingPathComponent("job-\(id).out"), encoding: .utf8)
        XCTAssertTrue(output.contains("(ranks 0-1); gradient sum: shared"), output)
        let local = Subprocess.run(
            Paths.packageRoot.appendingPathComponent("launch/local.sh").path, ["2", "train"] + arguments,
            environment: ["DIR_DIST": Self.binary])
        XCTAssertEqual(local.status, 0, local.stderr)
        XCTAssertNotNil(testLine(output), output)
        XCTAssertEqual(testLine(output), testLine(local.stdout))
    }

    func testATimeLimitSignalCheckpointsRequeuesAndResumes() throws {
        let slurm = try SlurmCluster()
        defer { slurm.tearDown() }
        let root = Paths.temporaryDirectory("timelimit")
        // 40 ms a step on rank 0 (about 50 s in all): Slurm checks time limits every
        // 30 s, so USR1@50 of a 1-minute limit comes 8-40 s after the start.
        let recipe = Self.recipe(epochs: 16)
        let id = try slurm.submit(
            [
                "--nodes=1", "--ntasks-per-node=2", "--time=1", "--signal=USR1@50",
                "--output=\(root.path)/job-%j.out", Self.batchScript,
            ] + recipe,
            environment: [
                "OUT": root.appendingPathComponent("run").path, "DIR_DIST": Self.binary,
                "DIR_DIST_TEST_FAULT": "slow:ms=40",
            ])
        var extended = false
        let state = slurm.waitUntilDone(id, timeout: 300) {
            // The requeued job waits (Slurm holds it 10 s here): give it the time to finish,
            // so that one preemption is tested, not a chain of them.
            if !extended {
                extended = slurm.run("scontrol", ["update", "JobId=\(id)", "TimeLimit=10"]).status == 0
            }
        }
        XCTAssertEqual(state, "COMPLETED")
        try assertResumedLikeUninterrupted(root.appendingPathComponent("job-\(id).out"), job: id, recipe: recipe)
    }

    func testScancelSignalCheckpointsRequeuesAndResumes() throws {
        let slurm = try SlurmCluster()
        defer { slurm.tearDown() }
        let root = Paths.temporaryDirectory("scancel")
        let run = root.appendingPathComponent("run")
        let recipe = Self.recipe(epochs: 8)
        let id = try slurm.submit(
            ["--nodes=1", "--ntasks-per-node=2", "--time=10", "--output=\(root.path)/job-%j.out", Self.batchScript]
                + recipe,
            environment: ["OUT": run.path, "DIR_DIST": Self.binary, "DIR_DIST_TEST_FAULT": "slow:ms=10"])
        let checkpoint = run.appendingPathComponent("checkpoint.ckpt").path
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: checkpoint) && Date() < deadline { usleep(100_000) }
        XCTAssertTrue(FileManager.default.fileExists(atPath: checkpoint), "no checkpoint after the first epoch")
        let signalled = slurm.run("scancel", ["--signal=USR1", "\(id)"])
        XCTAssertEqual(signalled.status, 0, signalled.stderr)
        XCTAssertEqual(slurm.waitUntilDone(id, timeout: 240), "COMPLETED")
        try assertResumedLikeUninterrupted(root.appendingPathComponent("job-\(id).out"), job: id, recipe: recipe)
    }

    /// The job was preempted once, requeued itself and resumed, and its test metrics are
    /// exactly those of the same training on 2 ranks without interruption.
    private func assertResumedLikeUninterrupted(_ file: URL, job id: Int, recipe: [String], line: UInt = #line)
        throws
    {
        let output = try String(contentsOf: file, encoding: .utf8)
        for expected in ["preempted by SIGUSR1", "requeueing job \(id)", "resumed from"] {
            XCTAssertTrue(output.contains(expected), "want '\(expected)' in: \(output)", line: line)
        }
        let reference = MPIRun.run(ranks: 2, ["train"] + recipe)
        XCTAssertEqual(reference.status, 0, reference.stderr, line: line)
        XCTAssertNotNil(testLine(output), output, line: line)
        XCTAssertEqual(testLine(output), testLine(reference.stdout), line: line)
    }

    func testSrunWithoutPMIxSaysHowToLaunch() throws {
        let slurm = try SlurmCluster()
        defer { slurm.tearDown() }
        for plugin in ["none", "pmi2"] {
            let result = slurm.run("srun", ["--mpi=\(plugin)", "-n", "2", Self.binary, "train", "--epochs", "1"])
            XCTAssertNotEqual(result.status, 0, plugin)
            let errors = result.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
            XCTAssertEqual(errors.count, 1, "\(plugin): \(result.stderr)")
            XCTAssertTrue(
                errors.first?.hasPrefix("error: srun: started 2 tasks without PMIx") ?? false,
                "\(plugin): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("srun --mpi=pmix"), result.stderr)
        }
    }
}
