// The end-of-run replica check (issue 22): ranks whose parameters differ fail the run
// with status 7 and one error line, and no model is written.
import Foundation
import TestSupport
import XCTest

final class ReplicaCheckTests: XCTestCase {
    func testDifferentReplicasFailTheRun() throws {
        let out = Paths.temporaryDirectory("replicas").appendingPathComponent("run")
        defer { try? FileManager.default.removeItem(at: out.deletingLastPathComponent()) }
        let result = MPIRun.run(
            ranks: 2,
            ["--synthetic", "300", "--hidden", "8", "--epochs", "1", "--sync", "allreduce", "--out", out.path],
            timeout: 60, environment: ["DIR_DIST_TEST_FAULT": "diverge:rank=1"])
        XCTAssertEqual(result.status, 7, result.stderr)
        let errors = result.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
        XCTAssertEqual(errors.count, 1, result.stderr)
        XCTAssertTrue(errors.first?.hasPrefix("error: replicas: the ranks' parameters differ") ?? false, result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("model.bin").path))
    }
}
