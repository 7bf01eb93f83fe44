// Issue-level checks of LDS in training: bad settings are refused with a clear
// error, LDS weights and test metrics are the same on 1, 2 and 3 ranks, and
// `dir-dist lds` prints the per-bin and per-sample tables.
import Datasets
import Foundation
import TestSupport
import XCTest

final class LDSOptionsTests: XCTestCase {
    private func expectError(
        _ arguments: [String], _ message: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        let result = MPIRun.run(ranks: 2, arguments, timeout: 30)
        XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)", file: file, line: line)
        let errors = result.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
        XCTAssertEqual(errors.count, 1, result.stderr, file: file, line: line)
        XCTAssertTrue(
            errors.first?.contains(message) ?? false, "want '\(message)' in \(result.stderr)", file: file, line: line)
    }

    func testBadLDSSettingsAreRefused() {
        expectError(
            ["--reweight", "sqrt_inv", "--lds", "--lds-ks", "4"],
            "error: --lds-ks: kernel size must be odd and positive, got 4")
        expectError(
            ["--reweight", "sqrt_inv", "--lds", "--lds-ks", "0"],
            "error: --lds-ks: kernel size must be odd and positive, got 0")
        expectError(
            ["--reweight", "inverse", "--lds", "--lds-sigma", "0"],
            "error: --lds-sigma: kernel sigma must be positive, got 0.0")
        expectError(["--lds"], "error: --lds: LDS smooths reweighting: add --reweight sqrt_inv or inverse")
        expectError(
            ["--bins", "10", "--label-range", "5", "5"],
            "error: --label-range: empty or inverted label range [5.0, 5.0]")
        expectError(["lds", "--labels", "/nonexistent.npy"], "error: /nonexistent.npy: cannot open")
        let labels = Paths.fixture("stsb-dir").appendingPathComponent("train_y.npy").path
        expectError(["lds", "--labels", labels, "--per-sample", labels], "\(labels): exists; choose a new file")
    }

    /// Weights (lds_weights.csv) are bitwise equal and test metrics equal to 1e-6.
    func testWeightsAndMetricsAreTheSameOnOneTwoAndThreeRanks() throws {
        let args = [
            "--synthetic", "600", "--synthetic-features", "6", "--hidden", "8", "--epochs", "1",
            "--optimizer", "sgd", "--lr", "0.001", "--reweight", "sqrt_inv", "--lds", "--bins", "25",
        ]
        var weights = [String](), metrics = [[Double]]()
        for ranks in [1, 2, 3] {
            let out = Paths.temporaryDirectory("ldsranks").appendingPathComponent("run")
            let result = MPIRun.run(ranks: ranks, args + ["--batch-size", "\(60 / ranks)", "--out", out.path])
            XCTAssertEqual(result.status, 0, result.stderr)
            weights.append(try String(contentsOf: out.appendingPathComponent("lds_weights.csv"), encoding: .utf8))
            let run = RunOutput(out)
            metrics.append(
                try ["all", "many", "median", "few"].flatMap { shot in
                    try ["mse", "l1", "gmean"].compactMap { try run.testMetric(shot, $0) }
                })
        }
        XCTAssertTrue(weights[0].hasPrefix("bin,lo,hi,count,value,smoothed,weight\n"))
        XCTAssertEqual(weights[1], weights[0], "2 ranks")
        XCTAssertEqual(weights[2], weights[0], "3 ranks")
        XCTAssertGreaterThan(metrics[0].count, 3)
        Approx.assertClose(metrics[1], metrics[0], rel: 1e-6, "2-rank metrics")
        Approx.assertClose(metrics[2], metrics[0], rel: 1e-6, "3-rank metrics")
    }

    func testLDSCommandPrintsPerBinAndPerSampleTables() throws {
        let dir = Paths.temporaryDirectory("ldscmd")
        let perSample = dir.appendingPathComponent("samples.csv")
        let labels = Paths.fixture("stsb-dir").appendingPathComponent("train_y.npy").path
        let result = Subprocess.run(
            Paths.binary("dir-dist"),
            [
                "lds", "--labels", labels, "--bins", "50",
                "--label-range", "0", "5", "--reweight", "sqrt_inv", "--lds",
                "--per-sample", perSample.path,
            ])
        XCTAssertEqual(result.status, 0, result.stderr)
        let rows = result.stdout.split(separator: "\n")
        XCTAssertEqual(rows.first, "bin,lo,hi,count,value,smoothed,weight")
        XCTAssertEqual(rows.count, 51)
        let counts = rows.dropFirst().map { Double($0.split(separator: ",")[3])! }
        let labelCount = try NumpyFile.labels(path: labels).count
        XCTAssertEqual(counts.reduce(0, +), Double(labelCount), "every training label is counted once")
        let samples = try String(contentsOf: perSample, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(samples.first, "index,label,bin,weight")
        XCTAssertEqual(samples.count, labelCount + 1)
        // The weights have mean 1 over the samples.
        let mean = samples.dropFirst().map { Double($0.split(separator: ",")[3])! }.reduce(0, +) / Double(labelCount)
        XCTAssertEqual(mean, 1, accuracy: 1e-9)
    }

    /// `dir-dist lds --reweight denseweight` prints the weights the reference package
    /// computes (golden peers.json: the long-tailed counts, α = 2), to 1e-9.
    func testLDSCommandPrintsDenseWeightsAsTheReference() throws {
        let golden =
            try JSONSerialization.jsonObject(with: Data(contentsOf: Paths.golden("peers.json"))) as! [String: Any]
        let dw = golden["denseweight"] as! [String: Any]
        let labels = (dw["label_sets"] as! [String: Any])["counts_longtail_n1000"] as! [Double]
        let golden2 = (dw["cases"] as! [[String: Any]]).first {
            $0["labels_set"] as? String == "counts_longtail_n1000" && $0["alpha"] as? Double == 2
                && $0["bandwidth_arg"] is NSNull
        }!
        let expected = golden2["weights"] as! [Double]
        let dir = Paths.temporaryDirectory("ldsdw")
        let y = Fixtures.writeNpy(
            dir.appendingPathComponent("y.npy"), descr: "<f8", shape: [labels.count], payload: Fixtures.float64(labels))
        let perSample = dir.appendingPathComponent("samples.csv")
        let result = Subprocess.run(
            Paths.binary("dir-dist"),
            ["lds", "--labels", y.path, "--reweight", "denseweight", "--dw-alpha", "2", "--per-sample", perSample.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        let weights = try String(contentsOf: perSample, encoding: .utf8).split(separator: "\n").dropFirst().map {
            Double($0.split(separator: ",")[3])!
        }
        Approx.assertClose(weights, expected, rel: 1e-9, abs: 0, "dir-dist lds --reweight denseweight")
    }

    /// `--label-range -1 4` (a negative first value) is read as two numbers, as is `-3 -1`.
    func testLabelRangeTakesNegativeNumbers() throws {
        let dir = Paths.temporaryDirectory("ldsneg")
        let labels = Fixtures.writeNpy(
            dir.appendingPathComponent("y.npy"), descr: "<f8", shape: [4], payload: Fixtures.float64([-0.5, 0, 1, 3.9]))
        for (range, first) in [(["-1", "4"], "0,-1.0,0.0,1,"), (["-3", "-1"], "0,-3.0,-2.6,0,")] {
            let result = Subprocess.run(
                Paths.binary("dir-dist"), ["lds", "--labels", labels.path, "--bins", "5", "--label-range"] + range)
            XCTAssertEqual(result.status, 0, "\(range): \(result.stderr)")
            XCTAssertTrue(result.stdout.split(separator: "\n")[1].hasPrefix(first), "\(range): \(result.stdout)")
        }
    }

    func testIntegerLabelModeOfLDSCommand() throws {
        let dir = Paths.temporaryDirectory("ldsint")
        let csv = Fixtures.writeText(
            dir.appendingPathComponent("ages.csv"), "age\n" + [3, 3, 4, 7, 9, 12].map { "\($0)\n" }.joined())
        let result = Subprocess.run(
            Paths.binary("dir-dist"),
            [
                "lds", "--labels", csv.path, "--target", "age",
                "--integer-labels", "--max-label", "10", "--reweight", "inverse",
            ])
        XCTAssertEqual(result.status, 0, result.stderr)
        let rows = result.stdout.split(separator: "\n")
        XCTAssertEqual(rows.count, 12, "bins 0...10 and the header")
        XCTAssertEqual(rows[11].split(separator: ",")[3], "1", "12 folds into bin 10")
        XCTAssertEqual(rows[4].split(separator: ",")[3], "2", "two samples of age 3")
    }
}
