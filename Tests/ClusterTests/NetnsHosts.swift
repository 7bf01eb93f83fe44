// The test side of launch/netns-hosts.sh: N "hosts" (network + UTS namespaces with an
// sshd each) for one test, torn down afterwards whatever happened.
import Foundation
import TestSupport
import XCTest

final class NetnsHosts: Sendable {
    let directory: URL
    let count: Int
    static let script = Paths.packageRoot.appendingPathComponent("launch/netns-hosts.sh").path

    /// Brings up `count` hosts (dd-h0, dd-h1, ...); throws (failing the test) when that is not possible.
    init(_ count: Int) throws {
        self.count = count
        directory = Paths.temporaryDirectory("hosts")
        try up()
    }

    /// (Re)builds the hosts, as after `tearDown`.
    func up() throws {
        let result = Subprocess.run(Self.script, ["up", directory.path, "\(count)"], timeout: 60)
        guard result.status == 0 else {
            _ = Subprocess.run(Self.script, ["down", directory.path], timeout: 60)
            throw HarnessError(message: "netns-hosts.sh up failed: \(result.stderr)")
        }
    }

    func name(_ i: Int) -> String { "dd-h\(i)" }
    func address(_ i: Int) -> String { "10.77.0.\(i + 1)" }
    var hostfile: String { directory.appendingPathComponent("hostfile").path }

    /// `mpirun` from the first host over all of them, 2 slots each.
    func mpirun(_ arguments: [String], timeout: Double = 180, environment: [String: String] = [:]) -> ProcessResult {
        var flags = ["-x", "OPENBLAS_NUM_THREADS=1"]
        for key in environment.keys.sorted() { flags += ["-x", key] }
        return Subprocess.run(
            Self.script, ["mpirun", directory.path] + flags + arguments, timeout: timeout, environment: environment)
    }

    /// A command on one host.
    func run(_ host: Int, _ command: [String], timeout: Double = 30) -> ProcessResult {
        Subprocess.run(Self.script, ["run", directory.path, name(host)] + command, timeout: timeout)
    }

    /// Stops the hosts (the folder stays until the object goes, for another `up`).
    /// Host `i` alone sees folder `source` at `target` (launch/netns-hosts.sh bind).
    func bind(_ i: Int, _ source: String, _ target: String) -> ProcessResult {
        Subprocess.run(Self.script, ["bind", directory.path, name(i), source, target], timeout: 30)
    }

    func tearDown() {
        let result = Subprocess.run(Self.script, ["down", directory.path], timeout: 60)
        XCTAssertEqual(result.status, 0, "netns-hosts.sh down: \(result.stderr)")
    }

    deinit { try? FileManager.default.removeItem(at: directory) }
}

/// The hosts could not be built (a test that throws it fails).
struct HarnessError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
