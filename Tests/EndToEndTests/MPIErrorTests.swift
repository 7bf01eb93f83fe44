// An MPI call that fails (issue 22): communicators return errors instead of aborting
// inside MPI, and dir-dist's one `check` prints a line naming the call, the rank, its
// host and MPI's words, then ends the job on every rank with status 6.
import Foundation
import TestSupport
import XCTest

final class MPIErrorTests: XCTestCase {
    func testAFailedCallIsOneLineAndEndsEveryRank() {
        let result = MPIRun.run(
            ranks: 3, ["--synthetic", "500", "--hidden", "8", "--epochs", "2"], timeout: 60,
            environment: ["DIR_DIST_TEST_FAULT": "mpi-error:rank=1:epoch=1:step=2"])
        XCTAssertFalse(result.timedOut, "a rank was left waiting")
        XCTAssertEqual(result.status, 6, result.stderr)
        let errors = result.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
        XCTAssertEqual(errors.count, 1, result.stderr)
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? ""
        XCTAssertTrue(errors.first?.hasPrefix("error: rank 1 on \(host)") ?? false, result.stderr)
        XCTAssertTrue(errors.first?.contains("MPI_Bcast failed: MPI_ERR_ROOT") ?? false, result.stderr)
        XCTAssertFalse(result.stdout.contains("few"), "training reached its test metrics: \(result.stdout)")
    }
}
