// The test side of launch/netns-hosts.sh: N "hosts" (network + UTS namespaces with an
// sshd each) for one test, torn down afterwards whatever happened.
import Foundation
import TestSupport
import XCTest

final class NetnsHosts: Sendable {
    let count: Int
    private let harness = HarnessScript("netns-hosts.sh", label: "hosts")
    var directory: URL { harness.directory }
    private var script: String { harness.script }

    /// Brings up `count` hosts (dd-h0, dd-h1, ...); throws (failing the test) when that is not possible.
    init(_ count: Int) throws {
        self.count = count
        try up()
    }

    /// (Re)builds the hosts, as after `tearDown`.
    func up() throws { try harness.up(["\(count)"]) }

    func name(_ i: Int) -> String { "dd-h\(i)" }
    func address(_ i: Int) -> String { "10.77.0.\(i + 1)" }
    var hostfile: String { directory.appendingPathComponent("hostfile").path }

    /// `mpirun` from the first host over all of them, 2 slots each.
    func mpirun(_ arguments: [String], timeout: Double = 180, environment: [String: String] = [:]) -> ProcessResult {
        var flags = ["-x", "OPENBLAS_NUM_THREADS=1"]
        for key in environment.keys.sorted() { flags += ["-x", key] }
        return Subprocess.run(
            script, ["mpirun", directory.path] + flags + arguments, timeout: timeout, environment: environment)
    }

    /// A command on one host.
    func run(_ host: Int, _ command: [String], timeout: Double = 30) -> ProcessResult {
        Subprocess.run(script, ["run", directory.path, name(host)] + command, timeout: timeout)
    }

    /// Host `i` alone sees folder `source` at `target` (launch/netns-hosts.sh bind).
    func bind(_ i: Int, _ source: String, _ target: String) -> ProcessResult {
        Subprocess.run(script, ["bind", directory.path, name(i), source, target], timeout: 30)
    }

    /// Stops the hosts (the folder stays for another `up`).
    func tearDown() { harness.down() }
}
