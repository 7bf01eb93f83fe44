// Categorical and missing values: the schema fitted on a training table (levels by
// frequency, the missing-indicator column, forced categorical codes, the "other" column),
// encoding by column name, unseen levels, `.npy` NaN cells; and the one-file splits.
import Datasets
import TestSupport
import XCTest

final class TableSchemaTests: XCTestCase {
    private func table(_ text: String, source: String = "t.csv") throws -> RawTable {
        try CSVFile.table(text, source: source, target: "y", split: "train")
    }

    func testTextIsCategoricalAndEmptyCellsAreMissing() throws {
        let train = try table("size,color,y\n1,red,1\n,green,2\n3,red,3\nNA,,4\n")
        let (schema, warnings) = try TableSchema.fit(train)
        XCTAssertEqual(warnings, [])
        XCTAssertEqual(
            schema.columns,
            [
                .numeric(name: "size", mean: 2, indicator: true),
                .categorical(name: "color", levels: ["red", "(missing)", "green"], other: false),
            ])
        XCTAssertEqual(
            schema.featureNames, ["size", "size (missing)", "color=red", "color=(missing)", "color=green"])
        let (x, unseen) = try schema.encode(train)
        XCTAssertEqual(unseen, 0)
        XCTAssertEqual((0..<5).map { x.value(1, $0) }, [2, 1, 0, 0, 1], "missing size: the mean and its indicator")
        XCTAssertEqual((0..<5).map { x.value(3, $0) }, [2, 1, 0, 1, 0], "missing colour: its own level")
    }

    func testColumnsAreFoundByNameAndUnseenLevelsCounted() throws {
        let (schema, _) = try TableSchema.fit(try table("a,c,y\n1,u,0\n2,v,0\n3,u,0\n"))
        let input = try CSVFile.table(
            "c,a\nv,5\nw,6\n", source: "in.csv", target: "y", split: "input", targetRequired: false)
        let (x, unseen) = try schema.encode(input)
        XCTAssertEqual(unseen, 1, "level w was not in training")
        XCTAssertEqual((0..<3).map { x.value(0, $0) }, [5, 0, 1])
        XCTAssertEqual((0..<3).map { x.value(1, $0) }, [6, 0, 0], "unknown: no level column set")
        let cases: [(String, String)] = [
            ("a\n1\n", "error: in.csv: no column 'c' (the model was trained with it"),
            ("a,c,z\n1,u,2\n", "error: in.csv: column 'z' is not one of the model's (a, c)"),
            ("a,c\nx,u\n", "error: in.csv:2: column 'a': 'x' is not a number (the column is numeric"),
        ]
        for (text, message) in cases {
            let raw = try CSVFile.table(text, source: "in.csv", target: "y", split: "input", targetRequired: false)
            XCTAssertThrowsError(try schema.encode(raw)) { XCTAssertTrue("\($0)".hasPrefix(message), "\($0)") }
        }
    }

    func testForcedCategoricalOneLevelAndManyLevels() throws {
        let rows = (0..<100).map { "\($0 % 3),k,id\($0),\($0)" }.joined(separator: "\n")
        let train = try table("code,same,id,y\n" + rows + "\n")
        let (schema, warnings) = try TableSchema.fit(train, categorical: ["code"])
        XCTAssertEqual(schema.columns[0], .categorical(name: "code", levels: ["0", "1", "2"], other: false))
        guard case .embedded(_, let levels) = schema.columns[2] else { return XCTFail("id is embedded") }
        XCTAssertEqual(levels.count, 100, "past \(TableSchema.maxLevels) levels, every level gets a code")
        XCTAssertEqual(schema.embeddedLevels, [100])
        XCTAssertEqual(schema.featureNames, ["code=0", "code=1", "code=2", "same=k", "id (level code)"])
        XCTAssertEqual(warnings.count, 2, "\(warnings)")
        XCTAssertTrue(warnings[0].contains("column 'same' has one level"))
        XCTAssertTrue(warnings[1].contains("column 'id' has 100 levels in 100 training rows"))
        // Codes are 1 + the level's place (most frequent first, then by name); unseen is 0.
        let input = try CSVFile.table(
            "y,id,same,code\n1,id7,k,2\n2,nope,k,0\n", source: "in.csv", target: "y", split: "input",
            targetRequired: false)
        let (x, unseen) = try schema.encode(input)
        XCTAssertEqual(unseen, 1)
        XCTAssertEqual(x.value(0, 4), Double(levels.firstIndex(of: "id7")! + 1))
        XCTAssertEqual(x.value(1, 4), 0, "unseen level: code 0")
        XCTAssertThrowsError(try TableSchema.fit(train, categorical: ["nope"])) {
            XCTAssertTrue("\($0)".hasPrefix("error: --categorical: no column 'nope'"), "\($0)")
        }
    }

    func testAColumnMissingEverywhereIsAnError() throws {
        XCTAssertThrowsError(try TableSchema.fit(try table("a,b,y\n1,,1\n2,NA,2\n"))) {
            XCTAssertEqual("\($0)", "error: t.csv: column 'b' is missing in every training row")
        }
    }

    func testNumpyNaNCellsAreImputedWithAnIndicator() throws {
        let x = FeatureMatrix(rows: 3, columns: 2, values: [1, .nan, 3, 4, 5, 8])
        XCTAssertTrue(x.hasNaN)
        let schema = try TableSchema.fit(numeric: x, names: ["x0", "x1"])
        XCTAssertEqual(schema.featureNames, ["x0", "x1", "x1 (missing)"])
        let encoded = try schema.encode(numeric: x, source: "x.npy")
        XCTAssertEqual((0..<3).map { encoded.value(0, $0) }, [1, 6, 1])
        XCTAssertEqual((0..<3).map { encoded.value(2, $0) }, [5, 8, 0])
    }

    func testDirSplitTakesEvenlyAcrossLabelBinsAndIsReproducible() {
        // A long tail: 900 labels in [0, 1), 100 spread over [1, 30).
        let head: [Double] = (0..<900).map { Double($0) / 900 }
        let tail: [Double] = (0..<100).map { 1 + 29 * Double($0) / 100 }
        let labels = head + tail
        let split = RowSplit(kind: .dir, validationFraction: 0.1, testFraction: 0.1, seed: 7)
        let parts = split.assign(labels)
        XCTAssertEqual(parts, split.assign(labels), "the same seed gives the same split")
        XCTAssertEqual(Set(parts.joined()).count, labels.count, "every row once")
        XCTAssertEqual(parts.map { $0.count }.reduce(0, +), labels.count)
        let test = parts[2].map { labels[$0] }
        XCTAssertGreaterThan(test.filter { $0 >= 1 }.count, test.count / 3, "the tail is measured")
        XCTAssertNotEqual(parts, RowSplit(kind: .dir, seed: 8).assign(labels), "another seed, another split")
        let random = RowSplit(kind: .random, validationFraction: 0.2, testFraction: 0.1, seed: 1).assign(labels)
        XCTAssertEqual(random.map { $0.count }, [700, 200, 100])
        XCTAssertNotNil(RowSplit(kind: .dir, validationFraction: 0.5, testFraction: 0.5).problem)
        XCTAssertNotNil(RowSplit(kind: .random, validationFraction: 0, testFraction: 0.5).problem)
        XCTAssertNil(split.problem)
    }
}
