// The program as users run it: `mpirun -np 2 dir-dist` on the embedded default,
// the metrics.jsonl and test_per_bin.csv of docs/file-formats.md, and `dir-dist lds`.
import Foundation
import TestSupport
import XCTest

final class CommandLineTests: XCTestCase {
    func testDefaultRunPrintsEpochsAndTestMetrics() throws {
        let result = MPIRun.run(ranks: 2, ["--epochs", "2"], timeout: 120)
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n")
        XCTAssertEqual(lines.filter { $0.hasPrefix("epoch ") }.count, 2, "only rank 0 prints: \(result.stdout)")
        XCTAssertTrue(lines.contains { $0.hasPrefix("test  mse ") }, result.stdout)
        XCTAssertTrue(result.stdout.contains("2 rank(s)"), result.stdout)
        XCTAssertTrue(lines.contains { $0.contains("few") }, result.stdout)
    }

    func testOutputFilesFollowTheInterfaceContract() throws {
        let out = Paths.temporaryDirectory("out").appendingPathComponent("run")
        let result = MPIRun.run(ranks: 2, ["--epochs", "2", "--out", out.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        let events = try RunOutput(out).metrics()
        XCTAssertEqual(events.map { $0["event"] as? String }, ["epoch", "epoch", "test"])
        for key in ["epoch", "train_loss", "seconds", "samples_per_s", "val"] {
            XCTAssertNotNil(events[0][key], "epoch event lacks \(key)")
        }
        let test = try XCTUnwrap(events[2]["test"] as? [String: Any])
        for shot in ["all", "many", "median", "few"] {
            let m = try XCTUnwrap(test[shot] as? [String: Any], shot)
            for key in ["n", "mse", "l1", "gmean", "pearson"] { XCTAssertTrue(m.keys.contains(key), "\(shot).\(key)") }
        }
        let csv = try String(contentsOf: out.appendingPathComponent("test_per_bin.csv"), encoding: .utf8)
        XCTAssertTrue(csv.hasPrefix("bin,lo,hi,train_count,test_count,mae,mse\n"))
        // A second run into the same folder must not overwrite the first.
        let again = MPIRun.run(ranks: 2, ["--epochs", "1", "--out", out.path])
        XCTAssertEqual(again.status, 2)
        XCTAssertTrue(again.stderr.contains("error: --out: "), again.stderr)
    }

    func testSelectBestTestsTheEpochWithTheLowestValidationMAE() throws {
        let out = Paths.temporaryDirectory("best").appendingPathComponent("run")
        let result = MPIRun.run(ranks: 2, ["--epochs", "4", "--select", "best", "--out", out.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        let events = try RunOutput(out).metrics()
        let maes = events.filter { $0["event"] as? String == "epoch" }.map {
            (($0["val"] as! [String: Any])["all"] as! [String: Any])["l1"] as! Double
        }
        let bestEpoch = maes.indices.min { maes[$0] < maes[$1] }! + 1
        XCTAssertEqual(events.last?["epoch"] as? Int, bestEpoch)
        XCTAssertTrue(result.stdout.contains("testing the parameters of epoch \(bestEpoch)"), result.stdout)
    }
}
