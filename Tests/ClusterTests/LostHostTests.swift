// A host lost during an epoch: its link cut, or all its processes killed (while rank 3,
// on that host, waits at epoch 2, so the loss always comes first). The job must end,
// non-zero, within 30 s with no rank or daemon left on any host; the last
// checkpoint stays valid, and the same command on the surviving host alone (half the
// ranks, twice the batch each: the same global batch) finishes the training with the
// uninterrupted run's model up to summation order.
import Foundation
import TestSupport
import XCTest

final class LostHostTests: XCTestCase {
    /// 4000 rows, global batch 64, 24 epochs: long enough to lose a host in the middle.
    static let recipe = [
        "train", "--synthetic", "4000", "--synthetic-features", "8", "--hidden", "16,16", "--epochs", "24",
        "--seed", "4", "--checkpoint-every", "1", "--step-timeout", "10",
    ]

    func testALostHostEndsTheJobAndTheSurvivorsFinishIt() throws {
        let hosts = try NetnsHosts(2)
        defer { hosts.tearDown() }
        let root = Paths.temporaryDirectory("lost")
        let binary = Paths.binary("dir-dist")
        let full = root.appendingPathComponent("uninterrupted")
        let whole = hosts.mpirun(["-np", "4", binary] + Self.recipe + ["--batch-size", "16", "--out", full.path])
        XCTAssertEqual(whole.status, 0, whole.stderr)
        let reference = try RunOutput(full).parameters()

        let ways: [(String, () -> Void)] = [
            ("link cut", { _ = hosts.run(1, ["ip", "link", "set", "eth0", "down"]) }),
            ("processes killed", { Self.killEverything(on: hosts.name(1)) }),
        ]
        for (way, lose) in ways {
            let out = root.appendingPathComponent(way.replacingOccurrences(of: " ", with: "-"))
            // Rank 3 stops at epoch 2 (a hang the step timeout would end), so the job cannot
            // finish before the host is lost, however fast the machine.
            let job = Background {
                hosts.mpirun(
                    ["-np", "4", binary] + Self.recipe + ["--batch-size", "16", "--out", out.path],
                    environment: ["DIR_DIST_TEST_FAULT": "hang:rank=3:epoch=2:step=0"])
            }
            let firstCheckpoint = out.appendingPathComponent("checkpoint-e0001-s000000.ckpt").path
            let deadline = Date().addingTimeInterval(120)
            while !FileManager.default.fileExists(atPath: firstCheckpoint) && !job.finished && Date() < deadline {
                usleep(20_000)
            }
            XCTAssertFalse(job.finished, "\(way): the job ended before a host was lost")
            let lost = Date()
            lose()
            let result = job.wait()
            let seconds = Date().timeIntervalSince(lost)
            print(
                "\(way): the job ended \(String(format: "%.1f", seconds)) s after the host was lost, status \(result.status)"
            )
            XCTAssertNotEqual(result.status, 0, "\(way): \(result.stdout)")
            XCTAssertLessThan(seconds, 30, "\(way): took \(seconds) s to end")
            for host in 0..<hosts.count {
                let left = Self.programs(on: hosts.name(host)).filter { ["dir-dist", "orted", "mpirun"].contains($0) }
                XCTAssertEqual(left, [], "\(way): still running on \(hosts.name(host))")
            }

            // The survivor alone: 2 ranks × 32 = the same global batch of 64.
            let resumed = hosts.run(
                0,
                [
                    "mpirun", "--allow-run-as-root", "--bind-to", "none", "-x", "OPENBLAS_NUM_THREADS=1", "-np", "2",
                    binary,
                ]
                    + Self.recipe + ["--batch-size", "32", "--out", out.path, "--resume", "auto"], timeout: 180)
            XCTAssertEqual(resumed.status, 0, "\(way): \(resumed.stderr)")
            XCTAssertTrue(resumed.stdout.contains("resumed from"), "\(way): \(resumed.stdout)")
            let p = try RunOutput(out).parameters()
            XCTAssertEqual(p.count, reference.count)
            print(
                "\(way): resumed on one host vs uninterrupted, worst relative difference \(Approx.worstRelative(p, reference))"
            )
            Approx.assertClose(p, reference, rel: 1e-4, abs: 1e-5, "\(way): resumed on one host vs uninterrupted")

            // Back to two hosts for the next way.
            hosts.tearDown()
            try hosts.up()
        }
    }

    /// The command names of the processes running in a host's network namespace.
    static func programs(on host: String) -> [String] {
        let pids = Subprocess.run("/usr/bin/env", ["ip", "netns", "pids", host]).stdout.split(separator: "\n")
        return pids.compactMap { pid in
            (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.trimmingCharacters(
                in: .whitespacesAndNewlines)
        }
    }

    static func killEverything(on host: String) {
        for pid in Subprocess.run("/usr/bin/env", ["ip", "netns", "pids", host]).stdout.split(separator: "\n") {
            if let p = Int32(pid) { kill(p, SIGKILL) }
        }
    }
}

/// Runs `work` on another thread; `wait()` returns its result.
final class Background: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: ProcessResult?
    private let lock = NSLock()

    init(_ work: @escaping @Sendable () -> ProcessResult) {
        DispatchQueue.global().async {
            let r = work()
            self.lock.lock()
            self.result = r
            self.lock.unlock()
            self.done.signal()
        }
    }

    var finished: Bool {
        lock.lock()
        defer { lock.unlock() }
        return result != nil
    }

    func wait() -> ProcessResult {
        done.wait()
        lock.lock()
        defer { lock.unlock() }
        return result!
    }
}
