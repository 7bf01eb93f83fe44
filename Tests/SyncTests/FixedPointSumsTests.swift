// The exact fixed-point sums of reproducible FDS statistics: any order of the same values
// gives the same bits, the sum is the exact one rounded once, and the limbs survive a
// checkpoint; values too large are flagged, values below the grid are dropped.
import Sync
import XCTest

final class FixedPointSumsTests: XCTestCase {
    /// Values spread over 2^-60 … 2^40, both signs, with cancellation.
    private func values(_ count: Int, seed: UInt64) -> [Double] {
        var state = seed | 1
        func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
        return (0..<count).map { _ in
            let exponent = Int(next() % 100) - 60
            let significand = 1 + Double(next() >> 11) * 0x1p-53
            return (next() % 2 == 0 ? 1 : -1) * Double(sign: .plus, exponent: exponent, significand: significand)
        }
    }

    private func sum(_ xs: [Double]) -> Double {
        var s = FixedPointSums(count: 1)
        for x in xs { s.add(x, at: 0) }
        return s.values[0]
    }

    func testAnyOrderGivesTheSameBits() {
        let xs = values(5000, seed: 7)
        let forward = sum(xs), backward = sum(xs.reversed())
        var shuffled = xs
        shuffled.swapAt(0, 4999)
        shuffled.sort { abs($0) < abs($1) }
        XCTAssertEqual(forward.bitPattern, backward.bitPattern)
        XCTAssertEqual(forward.bitPattern, sum(shuffled).bitPattern)
        // Plain Double sums of these values depend on the order.
        XCTAssertNotEqual(xs.reduce(0, +).bitPattern, xs.reversed().reduce(0, +).bitPattern)
    }

    func testTheSumIsTheExactOneRoundedOnce() {
        // 2^40 + 1 + 2^-50 − 2^40: Double alone loses the 2^-50.
        let xs = [0x1p40, 1, 0x1p-50, -0x1p40]
        XCTAssertEqual(sum(xs), 1 + 0x1p-50)
        // The Doubles 0.1 + 0.2 − 0.3 sum to 2^-55 exactly (Python's fractions).
        XCTAssertEqual(sum([0.1, 0.2, -0.3]), 0x1p-55)
        XCTAssertEqual(sum([-0.3, 0.2, 0.1]), 0x1p-55)
        let xs2 = values(2000, seed: 3)
        // Pairs that cancel exactly sum to exactly 0.
        XCTAssertEqual(sum(xs2 + xs2.map { -$0 }), 0)
    }

    func testShardsAddUpToTheWhole() {
        let xs = values(3000, seed: 11)
        var whole = FixedPointSums(count: 2), a = FixedPointSums(count: 2), b = FixedPointSums(count: 2)
        for (i, x) in xs.enumerated() {
            whole.add(x, at: i % 2)
            if i < 1234 { a.add(x, at: i % 2) } else { b.add(x, at: i % 2) }
        }
        // What an allreduce does: add the limbs.
        var combined = FixedPointSums(count: 2)
        combined.assign(flat: zip(a.flat, b.flat).map { $0 + $1 })
        XCTAssertEqual(combined.values.map(\.bitPattern), whole.values.map(\.bitPattern))
        var restored = FixedPointSums(count: 2)
        restored.assign(flat: whole.flat)
        XCTAssertEqual(restored.values.map(\.bitPattern), whole.values.map(\.bitPattern), "flat round trip")
    }

    func testTooLargeIsFlaggedAndTooSmallIsDropped() {
        var s = FixedPointSums(count: 1)
        s.add(0x1p-140, at: 0)
        XCTAssertEqual(s.values[0], 0, "below 2^-128")
        XCTAssertFalse(s.overflowed)
        s.add(Double(sign: .plus, exponent: FixedPointSums.highestBit, significand: 1), at: 0)
        XCTAssertTrue(s.overflowed)
        s.reset()
        s.add(.nan, at: 0)
        XCTAssertTrue(s.overflowed, "not finite")
    }
}
