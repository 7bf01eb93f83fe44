// The communicator on real ranks: allreduce (sum/min/max), broadcast, the
// non-blocking allreduce, allgather and shared segments, for Float, Double, Int and
// Int64, on 1, 2 and 3 ranks.
import Collectives
import Foundation
import TestSupport
import XCTest

final class CommunicatorTests: XCTestCase {
    func testCollectivesOnOneTwoAndThreeRanks() {
        for ranks in [1, 2, 3] {
            let result = MPIRun.run(ranks: ranks, program: Paths.binary("collectives-probe"), [], timeout: 60)
            XCTAssertFalse(result.timedOut, "\(ranks) ranks: timed out")
            XCTAssertEqual(result.status, 0, "\(ranks) ranks: \(result.stdout) \(result.stderr)")
            let okLines = result.stdout.split(separator: "\n").filter { $0.contains(": ok ") }
            XCTAssertEqual(okLines.count, ranks, "\(ranks) ranks: \(result.stdout)")
        }
    }

    /// On one node MPI_Init is told to use ob1 (skipping the network transports' probe)
    /// unless the user chose a layer or transport, or turned the default off.
    func testOneNodeJobsSkipTheNetworkTransportProbe() {
        let cases: [(String, [String: String], String)] = [
            ("default", [:], "pml ob1"),
            ("turned off", ["DIR_DIST_MPI_TRANSPORT": "keep"], "pml unset"),
            ("a transport excluded", ["OMPI_MCA_mtl": "^psm"], "pml ob1"),
            ("user's layer", ["OMPI_MCA_pml": "ob1,ucx"], "pml ob1,ucx"),
        ]
        for (name, environment, expected) in cases {
            let result = MPIRun.run(
                ranks: 2, program: Paths.binary("collectives-probe"), [], timeout: 60, environment: environment)
            XCTAssertEqual(result.status, 0, "\(name): \(result.stdout) \(result.stderr)")
            let okLines = result.stdout.split(separator: "\n").filter { $0.contains(": ok ") }
            XCTAssertEqual(okLines.count, 2, "\(name): \(result.stdout)")
            XCTAssertTrue(okLines.allSatisfy { $0.hasSuffix(expected) }, "\(name): \(result.stdout)")
        }
    }

    func testTransportDefaultReadsTheEnvironmentAndParameterFiles() throws {
        let oneNode = ["OMPI_COMM_WORLD_SIZE": "4", "OMPI_COMM_WORLD_LOCAL_SIZE": "4"]
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("mca-\(getpid()).conf")
        defer { try? FileManager.default.removeItem(at: file) }
        // Debian's own file excludes some layers and transports; that leaves the choice open.
        try "# pml = cm\nbtl = self,vader\nmtl = ^ofi\npml = ^ucx\n".write(to: file, atomically: true, encoding: .utf8)
        func choice(_ extra: [String: String], files: [String] = [file.path]) -> String? {
            let env = oneNode.merging(extra) { $1 }
            return LaunchEnvironment.chosenLayer(environment: { env[$0] }, parameterFiles: files)
        }
        XCTAssertEqual(choice([:]), "ob1", "one node, a commented-out pml and another parameter")
        XCTAssertNil(choice(["OMPI_COMM_WORLD_LOCAL_SIZE": "2"]), "ranks on two nodes")
        XCTAssertNil(LaunchEnvironment.chosenLayer(environment: { _ in nil }, parameterFiles: []), "not under mpirun")
        XCTAssertNil(choice(["OMPI_MCA_mtl": "psm2"]), "a transport chosen")
        XCTAssertEqual(choice(["OMPI_MCA_mtl": "^psm2"]), "ob1", "a transport excluded")
        XCTAssertNil(choice(["OMPI_MCA_pml": "^ucx"]), "the layer set in the environment")
        XCTAssertNil(choice(["DIR_DIST_MPI_TRANSPORT": "keep"]))
        try "  pml = ucx\n".write(to: file, atomically: true, encoding: .utf8)
        XCTAssertNil(choice([:]), "a parameter file chooses the layer")
        try "pml=^cm,ob1\n".write(to: file, atomically: true, encoding: .utf8)
        XCTAssertNil(choice([:]), "a parameter file excludes ob1")
        XCTAssertEqual(choice([:], files: ["/nonexistent/mca-params.conf"]), "ob1")
    }
}
