// The report's axis ticks: steps of 1, 2 or 5 × 10^k, axes from a tick to a tick around
// the data, integer ticks for epochs and bins, labels with the decimals their step needs.
import Reports
import XCTest

final class TicksTests: XCTestCase {
    func testNiceTicksOfKnownRanges() {
        XCTAssertEqual(niceTicks(0.3, 8.7), [0, 2, 4, 6, 8, 10])
        XCTAssertEqual(niceTicks(0, 0.95), [0, 0.2, 0.4, 0.6, 0.8, 1.0])
        XCTAssertEqual(niceTicks(-0.13, 0.05), [-0.15, -0.1, -0.05, 0, 0.05])
        XCTAssertEqual(niceTicks(0.61, 0.93, maxTicks: 8), [0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95])
        XCTAssertEqual(niceTicks(0, 1200, maxTicks: 5), [0, 500, 1000, 1500])
        // Rounded to the step: no 0.30000000000000004.
        XCTAssertEqual(niceTicks(0.1, 0.3, maxTicks: 3), [0.1, 0.2, 0.3])
        // Reversed bounds are the same range.
        XCTAssertEqual(niceTicks(8.7, 0.3), niceTicks(0.3, 8.7))
    }

    func testIntegerTicksForEpochsAndBins() {
        // Epochs 1 … 15.
        XCTAssertEqual(niceTicks(1, 15, maxTicks: 10, integer: true), [0, 2, 4, 6, 8, 10, 12, 14, 16])
        XCTAssertEqual(niceTicks(1, 15, maxTicks: 8, integer: true), [0, 5, 10, 15])
        // Four epochs: a tick per epoch, never 1.5.
        XCTAssertEqual(niceTicks(1, 4, maxTicks: 10, integer: true), [1, 2, 3, 4])
        XCTAssertEqual(niceTicks(0, 49, maxTicks: 9, integer: true), [0, 10, 20, 30, 40, 50])
        // One epoch: widened by one either side.
        XCTAssertEqual(niceTicks(1, 1, integer: true), [0, 1, 2])
    }

    func testDegenerateAndNonFiniteRanges() {
        XCTAssertEqual(niceTicks(5, 5), [4.5, 5, 5.5])
        XCTAssertEqual(niceTicks(0, 0), [-1, -0.5, 0, 0.5, 1])
        XCTAssertEqual(niceTicks(.nan, 1), [0, 1])
        XCTAssertEqual(niceTicks(0, .infinity), [0, 1])
    }

    /// Over many ranges: a 1-2-5 step, evenly spaced, covering the data by less than a
    /// step on either side, no more than asked for.
    func testPropertiesOverManyRanges() {
        var state: UInt64 = 12345
        func uniform() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        for _ in 0..<2000 {
            let magnitude = pow(10, uniform() * 12 - 6)
            let lo = (uniform() * 2 - 1) * magnitude, hi = lo + uniform() * magnitude + magnitude * 1e-3
            let most = 2 + Int(uniform() * 10), integer = uniform() < 0.3
            let t = niceTicks(lo, hi, maxTicks: most, integer: integer)
            XCTAssertGreaterThanOrEqual(t.count, 2)
            XCTAssertLessThanOrEqual(t.count, most, "\(lo) \(hi) \(most)")
            let step = t[1] - t[0]
            let mantissa = step / pow(10, log10(step).rounded(.down))
            XCTAssertTrue([1, 2, 5, 10].contains { abs(mantissa - $0) < 1e-6 }, "step \(step)")
            if integer { XCTAssertEqual(step, step.rounded()) }
            for k in 1..<t.count { XCTAssertEqual(t[k] - t[k - 1], step, accuracy: step * 1e-6) }
            XCTAssertLessThanOrEqual(t.first!, lo + step * 1e-6)
            XCTAssertGreaterThan(t.first!, lo - step * (1 + 1e-6))
            XCTAssertGreaterThanOrEqual(t.last!, hi - step * 1e-6)
            XCTAssertLessThan(t.last!, hi + step * (1 + 1e-6))
        }
    }

    func testNiceStepAndDecimals() {
        XCTAssertEqual(niceStep(0.3), 0.5)
        XCTAssertEqual(niceStep(1), 1)
        XCTAssertEqual(niceStep(1.01), 2)
        XCTAssertEqual(niceStep(7), 10)
        XCTAssertEqual(niceStep(0.0042), 0.005)
        XCTAssertEqual(stepDecimals(1), 0)
        XCTAssertEqual(stepDecimals(20), 0)
        XCTAssertEqual(stepDecimals(0.5), 1)
        XCTAssertEqual(stepDecimals(0.1), 1)
        XCTAssertEqual(stepDecimals(0.05), 2)
        XCTAssertEqual(stepDecimals(0.02), 2)
    }

    func testLabelsShareTheirDecimals() {
        XCTAssertEqual(tickLabels([0, 2, 4, 6, 8, 10]), ["0", "2", "4", "6", "8", "10"])
        XCTAssertEqual(tickLabels([0, 0.5, 1, 1.5]), ["0.0", "0.5", "1.0", "1.5"])
        XCTAssertEqual(tickLabels([-0.1, -0.05, 0, 0.05]), ["\u{2212}0.10", "\u{2212}0.05", "0.00", "0.05"])
        XCTAssertEqual(tickLabels(niceTicks(-1e-9, 0.999)), ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        XCTAssertEqual(formatNumber(-0.0001, decimals: 2), "0.00", "no −0")
        XCTAssertEqual(formatNumber(-1, decimals: 1), "\u{2212}1.0")
        XCTAssertEqual(tickLabels([]), [])
        XCTAssertEqual(tickLabels([3]), ["3"])
    }

    func testLogTicks() {
        // Losses from 0.0012 to 3.7: a tick per decade.
        XCTAssertEqual(logTicks(0.0012, 3.7), [0.001, 0.01, 0.1, 1, 10])
        XCTAssertEqual(logTickLabels(logTicks(0.0012, 3.7)), ["0.001", "0.01", "0.1", "1", "10"])
        // Within two decades: 1, 2 and 5 of each.
        XCTAssertEqual(logTicks(0.3, 4, maxTicks: 6), [0.2, 0.5, 1, 2, 5])
        XCTAssertEqual(logTickLabels([0.2, 0.5, 1, 2, 5]), ["0.2", "0.5", "1", "2", "5"])
        // Many decades: every third.
        XCTAssertEqual(logTicks(2e-6, 50, maxTicks: 4), [1e-6, 1e-3, 1, 1e3])
        XCTAssertEqual(logTickLabels([1e-6, 1e-3, 1, 1e3, 1e6]), ["1e\u{2212}6", "0.001", "1", "1000", "1e6"])
        XCTAssertEqual(logTicks(0, 1), [1, 10], "not positive: no log axis")
        for (lo, hi, most) in [(0.0012, 3.7, 6), (0.3, 4, 6), (2e-6, 50.0, 4), (0.9, 1.1, 6), (1e-9, 1e9, 5)] {
            let t = logTicks(lo, hi, maxTicks: most)
            XCTAssertLessThanOrEqual(t.first!, lo)
            XCTAssertGreaterThanOrEqual(t.last!, hi)
            XCTAssertLessThanOrEqual(t.count, most, "\(lo) \(hi)")
            XCTAssertEqual(t, t.sorted())
        }
    }

    func testReadableTicksWasteLittleRoom() {
        // Epochs 1 … 15: 0, 5, 10, 15 rather than 0, 2, …, 16.
        XCTAssertEqual(readableTicks(1, 15, maxTicks: 10, integer: true), [0, 5, 10, 15])
        XCTAssertEqual(readableTicks(0, 5, maxTicks: 11), [0, 1, 2, 3, 4, 5])
        XCTAssertEqual(readableTicks(0.3, 8.7), [0, 2, 4, 6, 8, 10])
        XCTAssertEqual(readableTicks(-0.064, 0.124, maxTicks: 12), niceTicks(-0.064, 0.124, maxTicks: 12))
        // Labels that do not fit (here: more than four) rule a set out.
        XCTAssertEqual(readableTicks(0, 5, maxTicks: 11) { $0.count <= 4 }, [0, 2, 4, 6])
        XCTAssertEqual(readableTicks(0, 5, maxTicks: 11) { _ in false }, [0, 5], "nothing fits: the fewest")
    }
}
