// Tolerances written down: compares numbers and arrays and reports the worst
// difference, with its index, when a comparison fails.
import XCTest

public enum Approx {
    /// The largest |a − e| / max(|e|, 1e-6) over the elements, for printing.
    public static func worstRelative(_ actual: [Float], _ expected: [Float]) -> Double {
        zip(actual, expected).reduce(0) { worst, pair in
            max(worst, Double(abs(pair.0 - pair.1)) / max(Double(abs(pair.1)), 1e-6))
        }
    }

    /// |a − e| ≤ rel·|e| + abs for every element; otherwise fails once with the worst one.
    public static func assertClose(
        _ actual: [Double], _ expected: [Double], rel: Double,
        abs absTol: Double = 0, _ what: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        guard actual.count == expected.count else {
            XCTFail("\(what): \(actual.count) values, expected \(expected.count)", file: file, line: line)
            return
        }
        var worst = (index: -1, excess: 0.0, diff: 0.0)
        for (i, (a, e)) in zip(actual, expected).enumerated() {
            let diff = abs(a - e)
            let allowed = rel * abs(e) + absTol
            let excess = a.isNaN || e.isNaN ? .infinity : diff - allowed
            if excess > worst.excess { worst = (i, excess, diff) }
        }
        if worst.index >= 0 {
            let i = worst.index
            XCTFail(
                "\(what): worst at [\(i)]: \(actual[i]) vs expected \(expected[i]) (|diff| \(worst.diff), rel "
                    + "\(worst.diff / max(abs(expected[i]), 1e-300)); tolerance rel \(rel) abs \(absTol))",
                file: file, line: line)
        }
    }

    public static func assertClose(
        _ actual: Double, _ expected: Double, rel: Double, abs absTol: Double = 0,
        _ what: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        assertClose([actual], [expected], rel: rel, abs: absTol, what, file: file, line: line)
    }

    public static func assertClose(
        _ actual: [Float], _ expected: [Float], rel: Double, abs absTol: Double = 0,
        _ what: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        assertClose(
            actual.map(Double.init), expected.map(Double.init), rel: rel, abs: absTol, what,
            file: file, line: line)
    }
}
