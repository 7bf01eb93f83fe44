// The communicator on real ranks: allreduce (sum/min/max), broadcast, the
// non-blocking allreduce, allgather and shared segments, for Float, Double, Int and
// Int64, on 1, 2 and 3 ranks.
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
}
