// Bad input under `mpirun -np 2`: one `error:` line naming the file, line or
// option and the value, exit status 2, and no rank left waiting (30 s bound).
import Foundation
import TestSupport
import XCTest

final class BadInputTests: XCTestCase {
    let dir = Paths.temporaryDirectory("bad")

    private func write(_ name: String, _ text: String) -> String {
        Fixtures.writeText(dir.appendingPathComponent(name), text).path
    }

    private func splits(train: String, val: String? = nil, test: String? = nil) -> [String] {
        let good = write("good.csv", Fixtures.csv(rows: 40))
        return ["--train", train, "--val", val ?? good, "--test", test ?? good, "--epochs", "1"]
    }

    private func expectError(_ arguments: [String], _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        let result = MPIRun.run(ranks: 2, arguments, timeout: 30)
        XCTAssertFalse(result.timedOut, "hung: \(arguments)", file: file, line: line)
        XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)", file: file, line: line)
        let errors = result.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
        XCTAssertEqual(errors.count, 1, "one error line expected: \(result.stderr)", file: file, line: line)
        XCTAssertTrue(errors.first?.contains(message) ?? false, "want '\(message)' in: \(result.stderr)", file: file, line: line)
    }

    func testMalformedFilesAreReportedWithFileAndLine() {
        let missing = dir.appendingPathComponent("nope.csv").path
        expectError(splits(train: missing), "error: \(missing): no such file")
        expectError(splits(train: dir.path), "error: \(dir.path): is a directory")
        let short = write("short.csv", "a,b,target\n1,2,3\n4,5\n")
        expectError(splits(train: short), "error: \(short):3: expected 3 fields, found 2")
        let text = write("text.csv", "a,b,target\n1,2,3\n4,abc,6\n")
        expectError(splits(train: text), "error: \(text):3: column 'b': 'abc' is not a number")
        let nan = write("nan.csv", "a,b,target\n1,2,3\nnan,5,6\n")
        expectError(splits(train: nan), "error: \(nan):3: column 'a': value nan is not finite")
        let inf = write("inf.csv", "a,b,target\n1,2,3\n4,5,inf\n")
        expectError(splits(train: inf), "error: \(inf):3: column 'target': value inf is not finite")
        let noTarget = write("notarget.csv", "a,b,c\n1,2,3\n")
        expectError(splits(train: noTarget), "error: \(noTarget):1: no target column 'target'")
        let empty = write("empty.csv", "a,b,target\n")
        expectError(splits(train: write("ok.csv", Fixtures.csv(rows: 30)), val: empty), "error: \(empty): the validation split has no rows")
        let wide = write("wide.csv", Fixtures.csv(rows: 30, features: 4))
        expectError(splits(train: write("ok3.csv", Fixtures.csv(rows: 30)), test: wide), "error: \(wide): 4 features, but the training split has 3")
    }

    func testMalformedNpyInputs() {
        let x = Fixtures.writeNpy(dir.appendingPathComponent("x.npy"), shape: [10, 2], payload: Fixtures.float32((0..<20).map(Float.init))).path
        let y9 = Fixtures.writeNpy(dir.appendingPathComponent("y9.npy"), descr: "<f8", shape: [9], payload: Fixtures.float64((0..<9).map(Double.init))).path
        let y10 = Fixtures.writeNpy(dir.appendingPathComponent("y10.npy"), descr: "<f8", shape: [10], payload: Fixtures.float64((0..<10).map(Double.init))).path
        let xi = Fixtures.writeNpy(dir.appendingPathComponent("xi.npy"), descr: "<i4", shape: [10, 2], payload: Data(count: 80)).path
        expectError(["--train", x, "--train-y", y9, "--val", x, "--val-y", y10, "--test", x, "--test-y", y10],
                    "error: \(y9): 9 labels for 10 feature rows")
        expectError(["--train", xi, "--train-y", y10, "--val", x, "--val-y", y10, "--test", x, "--test-y", y10],
                    "error: \(xi): unsupported dtype '<i4'")
    }

    func testBadOptionsAreRefused() {
        expectError(["--epochs", "0"], "error: --epochs: must be positive, got 0")
        expectError(["--batch-size=-3"], "error: --batch-size: must be positive, got -3")
        expectError(["--epochs", "many"], "error: The value 'many' is invalid for '--epochs <epochs>'")
        expectError(["--hidden", "12,x"], "error: --hidden:")
        expectError(["--data", dir.appendingPathComponent("none").path], "is not a folder")
    }
}
