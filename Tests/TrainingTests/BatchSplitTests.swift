// The split of each global batch among the ranks: the fixed even formula by default,
// and with --balance, shares that follow the measured speed of every rank.
@testable import Training
import XCTest

final class BatchSplitTests: XCTestCase {
    func testEvenSplitIsTheFixedFormula() {
        var split = BatchSplit(ranks: 3, capacity: 16, balanced: false)
        split.split(47)
        XCTAssertEqual(split.offsets, [0, 15, 31, 47])
        split.observe { _ in 1 }  // ignored without balancing
        split.split(47)
        XCTAssertEqual(split.offsets, [0, 15, 31, 47])
    }

    func testBalancedSplitFollowsTheMeasuredSpeed() {
        var split = BatchSplit(ranks: 2, capacity: 256, balanced: true)
        split.split(256)
        XCTAssertEqual(split.offsets, [0, 128, 256], "even until every rank has been measured")
        split.observe { $0 == 0 ? 1e-5 : 0 }  // rank 1 had no rows: no information yet
        split.split(256)
        XCTAssertEqual(split.offsets, [0, 128, 256])
        split.observe { $0 == 0 ? 1e-5 : 3e-5 }  // rank 1 three times slower per row
        split.split(256)
        XCTAssertEqual(split.offsets, [0, 192, 256])
        // Smoothed: one equal measurement moves the estimate halfway (2e-5 for rank 1).
        split.observe { _ in 1e-5 }
        split.split(256)
        XCTAssertEqual(split.offsets, [0, 171, 256])
    }

    func testAVerySlowRankKeepsAFloorShare() {
        var split = BatchSplit(ranks: 2, capacity: 200, balanced: true)
        split.observe { $0 == 0 ? 1e-6 : 1 }
        split.split(100)
        XCTAssertEqual(split.offsets, [0, 89, 100], "rank 1 keeps a quarter of an even share")
    }

    func testApportionSumsExactlyAndRespectsCapacity() {
        var counts = [0, 0, 0]
        BatchSplit.apportion(10, shares: [0.9, 0.05, 0.05], capacity: 6, into: &counts)
        XCTAssertEqual(counts, [6, 2, 2])
        for count in 0...36 {
            BatchSplit.apportion(count, shares: [0.5, 0.3, 0.2], capacity: 12, into: &counts)
            XCTAssertEqual(counts.reduce(0, +), count)
            XCTAssertTrue(counts.allSatisfy { $0 <= 12 }, "\(counts)")
        }
    }
}
