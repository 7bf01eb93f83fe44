// Cluster set-ups that cannot work end within 30 s with one line naming the host and
// what is wrong: a hostfile host that does not answer, a host without the binary (both
// found by launch/hosts.sh before mpirun starts), and a host whose copy of the data
// differs (found by dir-dist itself). srun without PMIx is in SlurmTests.
import Foundation
import TestSupport
import XCTest

final class BadSetupTests: XCTestCase {
    func testEachBadSetUpEndsWithOneLineNamingTheHost() throws {
        let hosts = try NetnsHosts(2)
        defer { hosts.tearDown() }
        let root = Paths.temporaryDirectory("badsetup")
        let binary = Paths.binary("dir-dist")
        // The same CSV data everywhere, except one value in the copy dd-h1 will see.
        let data = root.appendingPathComponent("data"), other = root.appendingPathComponent("other")
        for (folder, changed) in [(data, false), (other, true)] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for (name, rows) in [("train", 240), ("val", 60), ("test", 60)] {
                var text = "x1,x2,target\n"
                for i in 0..<rows {
                    let target = changed && name == "train" && i == 7 ? 99.0 : Double(i % 17)
                    text += "\(Double(i % 11) / 3),\(Double(i % 5)),\(target)\n"
                }
                try text.write(to: folder.appendingPathComponent("\(name).csv"), atomically: true, encoding: .utf8)
            }
        }
        let train =
            ["train", "--epochs", "2"]
            + ["train", "val", "test"].flatMap { ["--\($0)", data.appendingPathComponent("\($0).csv").path] }
        let twoHosts = root.appendingPathComponent("two-hosts")
        try "\(hosts.address(0)) slots=2\n\(hosts.address(1)) slots=2\n".write(
            to: twoHosts, atomically: true, encoding: .utf8)
        let deadHost = root.appendingPathComponent("dead-host")
        try "\(hosts.address(0)) slots=2\n10.77.0.99 slots=2\n".write(to: deadHost, atomically: true, encoding: .utf8)

        // Sanity: the good set-up trains.
        let good = launch(hosts, twoHosts, binary, train)
        XCTAssertEqual(good.status, 0, good.stdout + good.stderr)

        let empty = root.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let cases: [(String, () -> Void, URL, String)] = [
            ("a host that does not answer", {}, deadHost, "error: host 10.77.0.99 does not answer over ssh"),
            (
                "the binary missing on one host",
                { _ = hosts.bind(1, empty.path, URL(fileURLWithPath: binary).deletingLastPathComponent().path) },
                twoHosts,
                "error: host \(hosts.address(1)): the dir-dist binary '\(binary)' is missing or not executable"
            ),
            (
                "other data on one host", { _ = hosts.bind(1, other.path, data.path) }, twoHosts,
                "error: data: ranks disagree: dd-h1 (ranks 2-3) read other data files than rank 0 on dd-h0 "
                    + "(a different copy on that node?)"
            ),
        ]
        for (name, breakIt, hostfile, expected) in cases {
            try hosts.up()  // a fresh pair of hosts, without the previous case's binding
            breakIt()
            let result = launch(hosts, hostfile, binary, train)
            print("\(name): ended in \(String(format: "%.1f", result.seconds)) s with status \(result.status)")
            XCTAssertEqual(result.status, 2, "\(name): \(result.stdout)\(result.stderr)")
            XCTAssertLessThan(result.seconds, 30, name)
            let errors = result.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
            XCTAssertEqual(errors.count, 1, "\(name): \(result.stderr)")
            XCTAssertTrue(errors.first?.hasPrefix(expected) ?? false, "\(name): want '\(expected)' in \(result.stderr)")
        }
    }

    /// launch/hosts.sh from the first host, as a user would start a job over a hostfile.
    private func launch(_ hosts: NetnsHosts, _ hostfile: URL, _ binary: String, _ arguments: [String]) -> ProcessResult
    {
        hosts.run(
            0,
            [
                "env", "DD_SSH_CONFIG=\(hosts.directory.appendingPathComponent("ssh_config").path)",
                "DIR_DIST=\(binary)",
                "MPIRUN_FLAGS=--bind-to none --mca btl tcp,self,vader --mca pml ob1 --mca btl_tcp_if_include eth0 "
                    + "--mca oob_tcp_if_include eth0 --mca mpi_yield_when_idle 1",
                Paths.packageRoot.appendingPathComponent("launch/hosts.sh").path, hostfile.path, "4",
            ] + arguments, timeout: 120)
    }
}
