// Hosts that differ (issue 22): two network-namespace hosts with 2 ranks each, the second
// allowed one core (taskset). Whether every rank has a core is a fact of each node; the
// ranks agree on it before choosing the gradient sum, so all take the allreduce and the
// job trains (the first host alone would have chosen the hierarchical sum, the second
// the allreduce, and the job would hang in a collective one side never enters).
import Foundation
import TestSupport
import XCTest

final class MixedHostsTests: XCTestCase {
    func testHostsWithDifferentCoreCountsAgreeOnTheSum() throws {
        let hosts = try NetnsHosts(2)
        defer { hosts.tearDown() }
        let root = Paths.temporaryDirectory("mixed")
        defer { try? FileManager.default.removeItem(at: root) }
        // The same command on every host; on dd-h1 it runs on core 0 only.
        let wrapper = root.appendingPathComponent("one-core-on-h1.sh")
        Fixtures.writeText(
            wrapper,
            """
            #!/bin/sh
            if [ "$(hostname)" = \(hosts.name(1)) ]; then exec taskset -c 0 \(Paths.binary("dir-dist")) "$@"; fi
            exec \(Paths.binary("dir-dist")) "$@"

            """)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: wrapper.path)
        let result = hosts.mpirun(
            [
                "-np", "4", wrapper.path, "train", "--synthetic", "500", "--hidden", "8", "--epochs", "2",
                "--step-timeout", "20",
            ], timeout: 120)
        XCTAssertFalse(result.timedOut, "hung: \(result.stdout)\n\(result.stderr)")
        XCTAssertEqual(result.status, 0, "\(result.stdout)\n\(result.stderr)")
        XCTAssertTrue(
            result.stdout.contains("hosts: dd-h0 (ranks 0-1), dd-h1 (ranks 2-3); gradient sum: allreduce"),
            result.stdout)
    }
}
