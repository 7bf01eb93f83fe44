// The elastic job (launch/elastic.sh) on two network-namespace hosts: a host lost in
// the middle of training (its link cut, or every process on it killed, sshd included)
// costs nothing. The supervisor notices the failed attempt, drops the host that no
// longer answers, resumes from the newest checkpoint on the survivor with the same
// global batch, and the reproducible run ends with the uninterrupted run's model.bin,
// byte for byte. Rank 3 stops (hangs) at epoch 3 of the first attempt, so that attempt
// cannot finish before the host is lost, however fast the machine; the survivor has no
// rank 3.
import Foundation
import TestSupport
import XCTest

final class ElasticTests: XCTestCase {
    /// 4000 rows, global batch 64, LDS and FDS, reproducible.
    static let recipe = [
        "train", "--synthetic", "4000", "--synthetic-features", "8", "--hidden", "16,16", "--epochs", "6",
        "--seed", "4", "--checkpoint-every", "1", "--step-timeout", "10", "--reproducible", "--reweight", "sqrt_inv",
        "--lds", "--fds",
    ]

    func testALostHostCostsNothing() throws {
        let hosts = try NetnsHosts(2)
        defer { hosts.tearDown() }
        let root = Paths.temporaryDirectory("elastic")
        defer { try? FileManager.default.removeItem(at: root) }
        let full = root.appendingPathComponent("uninterrupted")
        let alone = MPIRun.run(ranks: 1, Self.recipe + ["--batch-size", "64", "--out", full.path])
        XCTAssertEqual(alone.status, 0, alone.stderr)
        let reference = try Data(contentsOf: full.appendingPathComponent("model.bin"))
        let script = Paths.packageRoot.appendingPathComponent("launch/elastic.sh").path
        let flags =
            "--mca btl tcp,self,vader --mca pml ob1 --mca btl_tcp_if_include eth0 --mca oob_tcp_if_include eth0 "
            + "--bind-to none --mca mpi_yield_when_idle 1 -x DIR_DIST_TEST_FAULT"

        let ways: [(String, () -> Void)] = [
            ("link cut", { _ = hosts.run(1, ["ip", "link", "set", "eth0", "down"]) }),
            ("processes killed", { LostHostTests.killEverything(on: hosts.name(1)) }),
        ]
        for (way, lose) in ways {
            let out = root.appendingPathComponent(way.replacingOccurrences(of: " ", with: "-"))
            let environment = [
                "DD_SSH_CONFIG=\(hosts.directory.appendingPathComponent("ssh_config").path)",
                "MPIRUN_FLAGS=\(flags)", "DIR_DIST=\(Paths.binary("dir-dist"))",
                "DIR_DIST_TEST_FAULT=hang:rank=3:epoch=3:step=0",
            ]
            let job = Background {
                hosts.run(
                    0,
                    ["env"] + environment + [script, "--max-restarts", "2", hosts.hostfile, "64"] + Self.recipe
                        + ["--out", out.path], timeout: 300)
            }
            // The end of epoch 2 is on disk and rank 3 waits at epoch 3: lose the host now.
            let checkpoint = out.appendingPathComponent("checkpoint-e0002-s000000.ckpt").path
            let deadline = Date().addingTimeInterval(120)
            while !FileManager.default.fileExists(atPath: checkpoint) && !job.finished && Date() < deadline {
                usleep(20_000)
            }
            XCTAssertFalse(job.finished, "\(way): the job ended before a host was lost")
            lose()
            let result = job.wait()
            XCTAssertEqual(result.status, 0, "\(way): \(result.stdout)\n\(result.stderr)")
            let log = (try? String(contentsOf: out.appendingPathComponent("elastic.log"), encoding: .utf8)) ?? ""
            print("\(way):\n\(log)")
            XCTAssertTrue(log.contains("attempt 1: 4 ranks x 16 on \(hosts.address(0)) \(hosts.address(1))"), log)
            XCTAssertTrue(log.contains("attempt 1 ended with status"), log)
            XCTAssertTrue(
                log.contains("attempt 2: 2 ranks x 32 on \(hosts.address(0)) (not answering: \(hosts.address(1)))"),
                log)
            XCTAssertTrue(log.contains("attempt 2 finished the job"), log)
            XCTAssertTrue(result.stdout.contains("resumed from"), "\(way): \(result.stdout)")
            let model = try Data(contentsOf: out.appendingPathComponent("model.bin"))
            XCTAssertTrue(
                model == reference, "\(way): model.bin after the lost host differs from the uninterrupted run's")

            hosts.tearDown()
            try hosts.up()
        }
    }

    func testBadUsageIsOneErrorLine() {
        let script = Paths.packageRoot.appendingPathComponent("launch/elastic.sh").path
        let hostfile = Paths.temporaryDirectory("elastic-bad").appendingPathComponent("hostfile")
        defer { try? FileManager.default.removeItem(at: hostfile.deletingLastPathComponent()) }
        try? "localhost slots=2\n".write(to: hostfile, atomically: true, encoding: .utf8)
        let cases: [([String], String)] = [
            ([hostfile.path, "64", "train", "--epochs", "1"], "must name --out DIR"),
            ([hostfile.path, "64", "train", "--batch-size", "8", "--out", "/tmp/x"], "--batch-size: the supervisor"),
            ([hostfile.path, "zero", "train", "--out", "/tmp/x"], "GLOBAL_BATCH must be a positive integer"),
            (["--max-restarts", "-1", hostfile.path, "64", "train", "--out", "/tmp/x"], "--max-restarts"),
            (["/nonexistent", "64", "train", "--out", "/tmp/x"], "hostfile '/nonexistent' cannot be read"),
        ]
        for (arguments, message) in cases {
            Subprocess.run("/usr/bin/env", ["bash", script] + arguments, timeout: 30)
                .assertOneErrorLine(containing: message, "\(arguments)")
        }
    }
}
