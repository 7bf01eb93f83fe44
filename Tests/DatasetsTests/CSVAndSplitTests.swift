// CSV parsing and its line-numbered errors; the embedded Abalone split; the
// synthetic generator's determinism.
import Datasets
import TestSupport
import XCTest

final class CSVAndSplitTests: XCTestCase {
    func testParsesFeaturesAndTarget() throws {
        let s = try CSVFile.parse("a,target,b\n1,10,2\n3,20,4\n", source: "t.csv", target: "target", split: "train")
        XCTAssertEqual(s.labels, [10, 20])
        XCTAssertEqual(s.featureNames, ["a", "b"])
        XCTAssertEqual(s.features.value(1, 1), 4)
    }

    func testErrorsNameFileLineAndValue() {
        let cases: [(String, String)] = [
            ("a,target\n1,2\n3\n", "error: t.csv:3: expected 2 fields, found 1"),
            ("a,target\n1,x\n", "error: t.csv:2: column 'target': 'x' is not a number"),
            ("a,target\nnan,1\n", "error: t.csv: column 'a' is missing in every training row"),
            ("a,target\ninf,1\n", "error: t.csv:2: column 'a': value inf is not finite"),
            ("a,b\n1,2\n", "error: t.csv:1: no target column 'target'"),
            ("a,a,target\n1,2,3\n", "error: t.csv:1: column 'a' appears twice in the header"),
            ("a,target\n1,\n", "error: t.csv:2: column 'target': '' is not a number"),
            ("a,target\n", "error: t.csv: the train split has no rows"),
            ("", "error: t.csv: file is empty"),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try CSVFile.parse(text, source: "t.csv", target: "target", split: "train")) {
                XCTAssertTrue("\($0)".hasPrefix(message), "got \($0), want \(message)")
            }
        }
    }

    func testAbaloneSplitIsDeterministicDisjointAndBalanced() throws {
        let a = try Abalone.bundle(), b = try Abalone.bundle()
        XCTAssertEqual(a.train.labels, b.train.labels)
        XCTAssertEqual(a.train.count + a.validation.count + a.test.count, 4177)
        XCTAssertEqual(a.train.features.columns, 10)
        var perRing = [Int: Int]()
        for y in a.test.labels { perRing[Int(y), default: 0] += 1 }
        XCTAssertLessThanOrEqual(perRing.values.max()!, Abalone.testCap)
        XCTAssertEqual(perRing[9], Abalone.testCap, "a common age fills its test cap")
    }

    func testSyntheticIsDeterministicAndLongTailed() {
        let g = Synthetic(trainCount: 2000, testCount: 100, featureCount: 4, seed: 3)
        let a = g.bundle(), b = g.bundle()
        XCTAssertEqual(a.train.labels, b.train.labels)
        let sorted = a.train.labels.sorted()
        let median = sorted[1000], p99 = sorted[1980]
        XCTAssertGreaterThan(p99 - median, 2 * (median - sorted[20]), "right tail longer than the left")
        let row = (0..<4).map { a.train.features.value(0, $0) }
        XCTAssertEqual(g.groundTruth(row), a.train.labels[0], accuracy: 5 * g.noise)
    }
}

/// RFC 4180 fields, as pandas and spreadsheets write text with commas.
final class CSVQuotingTests: XCTestCase {
    private func table(_ text: String) throws -> RawTable {
        try CSVFile.table(text, source: "q.csv", target: "y", split: "train")
    }

    func testQuotedFieldsHoldCommasQuotesAndLineBreaks() throws {
        let t = try table(
            "name,\"a, b\",y\r\n\"Smith, J.\",1,2\r\n\"say \"\"hi\"\"\",3,4\n\"two\nlines\", 5 ,6\n")
        XCTAssertEqual(t.names, ["name", "a, b"])
        XCTAssertEqual(t.columns[0], ["Smith, J.", "say \"hi\"", "two\nlines"])
        XCTAssertEqual(t.columns[1], ["1", "3", "5"])
        XCTAssertEqual(t.labels, [2, 4, 6])
        XCTAssertEqual(t.lines, [2, 3, 4], "a record is numbered by the line it starts on")
    }

    func testABlankLineIsNoRowButAQuotedEmptyCellIsAMissingValue() throws {
        let t = try table("x,y\n\n1,2\n\"\",3\n\n")
        XCTAssertEqual(t.columns[0], ["1", ""])
        XCTAssertEqual(t.labels, [2, 3])
        let single = try CSVFile.table(
            "x\n1\n\"\"\n2\n", source: "q.csv", target: "y", split: "predict", targetRequired: false)
        XCTAssertEqual(single.columns[0], ["1", "", "2"], "one column: a quoted empty line is a row")
    }

    func testAnUnclosedQuoteNamesTheLineItStartsOn() {
        XCTAssertThrowsError(try table("x,y\n1,2\n\"open,3\n4,5\n")) {
            XCTAssertEqual("\($0)", "error: q.csv:3: a quoted field is not closed")
        }
    }
}
