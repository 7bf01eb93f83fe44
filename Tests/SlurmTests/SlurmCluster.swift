// The test side of launch/slurm-local.sh: munged, slurmctld and slurmd on this machine
// with their own configuration, and the client commands pointed at them.
import Foundation
import TestSupport
import XCTest

final class SlurmCluster: Sendable {
    private let harness = HarnessScript("slurm-local.sh", label: "slurm")
    var directory: URL { harness.directory }

    /// The daemons' ports: their own per test process, away from a Slurm the machine may run.
    let port = 20_000 + Int(getpid() % 20_000)

    init() throws {
        try harness.up(environment: ["DD_SLURM_PORT": "\(port)"])
    }

    var environment: [String: String] { ["SLURM_CONF": directory.appendingPathComponent("slurm.conf").path] }

    /// A Slurm client command (sbatch, srun, scontrol, scancel, ...).
    func run(_ command: String, _ arguments: [String], timeout: Double = 60, environment extra: [String: String] = [:])
        -> ProcessResult
    {
        Subprocess.run(
            "/usr/bin/env", [command] + arguments, timeout: timeout,
            environment: environment.merging(extra) { $1 })
    }

    /// Submits a batch script; returns the job id.
    func submit(_ arguments: [String], environment extra: [String: String] = [:]) throws -> Int {
        let result = run("sbatch", arguments, environment: extra)
        guard result.status == 0,
            let id = result.stdout.split(separator: " ").last.flatMap({
                Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
            })
        else { throw HarnessError(message: "sbatch failed: \(result.stdout)\(result.stderr)") }
        return id
    }

    /// `scontrol show job` as key=value pairs.
    func job(_ id: Int) -> [String: String] {
        let text = run("scontrol", ["show", "job", "\(id)"]).stdout
        var fields = [String: String]()
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            let kv = word.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { fields[String(kv[0])] = String(kv[1]) }
        }
        return fields
    }

    /// Waits until the job is in a final state (or `timeout` passes); returns that state.
    func waitUntilDone(_ id: Int, timeout: Double, whileRequeued: (() -> Void)? = nil) -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var state = ""
        while Date() < deadline {
            let fields = job(id)
            state = fields["JobState"] ?? "?"
            if ["COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY"].contains(state) {
                return state
            }
            if state == "PENDING", fields["Restarts"].flatMap(Int.init) ?? 0 > 0 {
                whileRequeued?()
            }
            usleep(500_000)
        }
        return "still \(state) after \(Int(timeout)) s"
    }

    func tearDown() { harness.down() }
}

/// The `test  mse ...` line of a run's output (the metrics a run ends with).
func testLine(_ output: String) -> String? {
    output.split(separator: "\n").last { $0.hasPrefix("test  mse") }.map(String.init)
}
