// `dir-dist bench` on real ranks (its report and CSV row) and the local launcher
// script as users run it.
import Foundation
import TestSupport
import XCTest

final class BenchAndLaunchTests: XCTestCase {
    func testBenchReportsEveryPhasePerRankAndWritesCSV() throws {
        let csv = Paths.temporaryDirectory("bench").appendingPathComponent("bench.csv")
        let result = MPIRun.run(
            ranks: 2,
            [
                "bench", "--features", "16", "--hidden", "32,32", "--batch-size", "32",
                "--rows", "2048", "--epochs", "1", "--fds", "--ping-pong", "--shared-memory", "--csv", csv.path,
            ])
        XCTAssertEqual(result.status, 0, result.stderr)
        for phrase in [
            "gradient sum: shared", "forward", "backward", "sync wait", "optimizer", "FDS per epoch",
            "samples/s",
            "of single-thread sgemm", "bytes per step", "peak resident", "point to point",
        ] {
            XCTAssertTrue(result.stdout.contains(phrase), "missing '\(phrase)' in:\n\(result.stdout)")
        }
        let perRank = result.stdout.split(separator: "\n").filter { $0.hasPrefix("               ") }
        XCTAssertEqual(perRank.count, 2, "one line per rank:\n\(result.stdout)")
        let rows = try String(contentsOf: csv, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(rows.count, 2)
        XCTAssertTrue(rows[0].hasPrefix("ranks,per_rank_batch,global_batch,"))
        XCTAssertTrue(rows[1].hasPrefix("2,32,64,"), String(rows[1]))
        XCTAssertTrue(rows[1].contains(",shared,\"mse + FDS\",\"MLP 32,32\","), String(rows[1]))
        XCTAssertTrue(rows[1].hasSuffix(",0.0000"), "no embedding, no embedding time: \(rows[1])")
        let columns = { (row: Substring) in row.split(separator: ",", omittingEmptySubsequences: false).count }
        XCTAssertEqual(columns(rows[0]) + 2, columns(rows[1]), "quoted commas in hidden and model aside")
        XCTAssertTrue(result.stdout.contains("\nmethod: mse + FDS\n"), result.stdout)
    }

    /// The embedding's share of the step and the model's name, for the tabular model.
    func testBenchNamesTheModelAndTheEmbeddingsShare() {
        let result = MPIRun.run(
            ranks: 1,
            [
                "bench", "--features", "4", "--hidden", "16", "--batch-size", "32", "--rows", "512", "--epochs", "1",
                "--num-embedding", "periodic", "--ensemble", "2",
            ])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(
            result.stdout.contains(
                "MLP 16 with periodic embedding (48 frequencies, size 24, sigma 0.01), ensemble of 2"),
            result.stdout)
        XCTAssertNotNil(
            result.stdout.range(
                of: #"embedding \(periodic\): forward and backward [0-9.]+ ms = [0-9.]+% of the step"#,
                options: .regularExpression), result.stdout)
    }

    func testLocalLauncherRunsTheGivenBinaryOnNRanks() {
        let script = Paths.packageRoot.appendingPathComponent("launch/local.sh").path
        let result = Subprocess.run(
            "/bin/bash", [script, "3", "--epochs", "1"],
            environment: ["DIR_DIST": Paths.binary("dir-dist")])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("dir-dist: 3 rank(s)"), result.stdout)
        let bad = Subprocess.run("/bin/bash", [script, "zero"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.hasPrefix("error: "), bad.stderr)
    }
}
