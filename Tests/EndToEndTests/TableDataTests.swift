// Real tables as users have them (issue 20): text categories, empty and NA cells, one
// file split by dir-dist. P ranks train the 1-rank model on them, `predict` reads the
// columns by name in any order and gives the run's test metrics, and bad tables or
// split options give one error line.
import Checkpoints
import Foundation
import TestSupport
import XCTest

final class TableDataTests: XCTestCase {
    let dir = Paths.temporaryDirectory("tables")

    /// `rows` rows: a number with 10% missing, a colour, a size code with NA, the target.
    private func tableText(rows: Int, seed: UInt64, header: String = "x,color,size,y") -> String {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        func next() -> Double {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Double(state >> 11) * 0x1.0p-53
        }
        let colors = ["red", "green", "blue", "amber"]
        var text = header + "\n"
        for _ in 0..<rows {
            let x = next(), c = Int(next() * 4), s = Int(next() * 4)
            let tail = next() < 0.1 ? 8.0 : 0  // a long tail of the target
            let y = 3 * x + Double(c) + tail + next()
            let xText = next() < 0.1 ? "" : String(format: "%.4f", x)
            text += "\(xText),\(colors[c]),\(s == 3 ? "NA" : String(s + 1)),\(String(format: "%.4f", y))\n"
        }
        return text
    }

    private func folder(_ name: String) throws -> URL {
        let data = dir.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        for (split, rows, seed) in [("train", 400, 1), ("val", 80, 2), ("test", 80, 3)] {
            Fixtures.writeText(data.appendingPathComponent("\(split).csv"), tableText(rows: rows, seed: UInt64(seed)))
        }
        return data
    }

    private let small = ["--target", "y", "--hidden", "16,16", "--epochs", "3", "--seed", "4", "--lr", "0.002"]

    func testCategoricalAndMissingValuesTrainTheOneRankModel() throws {
        let data = try folder("eq")
        let arguments = ["--data", data.path, "--categorical", "size"] + small
        try Equivalence.assertEquivalent(ranks: 2, perRankBatch: 24, arguments, "categorical + missing")
        try Equivalence.assertEquivalent(
            ranks: 3, perRankBatch: 16, arguments + ["--num-embedding", "ple", "--ensemble", "2"],
            "categorical + missing, ple, ensemble")
    }

    /// One file, split by dir-dist: the split is written, the same on every rank count,
    /// and the model predicts its own test rows (columns shuffled) to the run's metrics.
    func testOneFileIsSplitAndPredictReadsColumnsByName() throws {
        let file = Fixtures.writeText(dir.appendingPathComponent("all.csv"), tableText(rows: 600, seed: 9))
        var outputs = [URL]()
        for ranks in [1, 2] {
            let out = dir.appendingPathComponent("split\(ranks)")
            let r = MPIRun.run(
                ranks: ranks,
                [
                    "--data", file.path, "--split", "dir", "--test-fraction", "0.15", "--out", out.path, "--batch-size",
                    "\(48 / ranks)",
                ] + small)
            XCTAssertEqual(r.status, 0, r.stderr)
            outputs.append(out)
        }
        let splitText = try String(contentsOf: outputs[0].appendingPathComponent("split.csv"), encoding: .utf8)
        XCTAssertEqual(
            splitText, try String(contentsOf: outputs[1].appendingPathComponent("split.csv"), encoding: .utf8))
        let assignment = splitText.split(separator: "\n").dropFirst().map { String($0.split(separator: ",")[1]) }
        XCTAssertEqual(assignment.count, 600)
        let counts = Dictionary(grouping: assignment, by: { $0 }).mapValues(\.count)
        XCTAssertEqual(counts.values.reduce(0, +), 600)
        XCTAssertGreaterThan(counts["test"] ?? 0, 30)
        Approx.assertClose(
            try RunOutput(outputs[1]).parameters(), try RunOutput(outputs[0]).parameters(), rel: 1e-5, abs: 1e-6,
            "2 ranks vs 1 rank on the split file")
        // The test rows, columns in another order and the target dropped.
        let rows = try String(contentsOf: file, encoding: .utf8).split(separator: "\n").dropFirst()
        var input = "y_unused,size,color,x\n", labels = [Double]()
        for (row, split) in zip(rows, assignment) where split == "test" {
            let f = row.split(separator: ",", omittingEmptySubsequences: false)
            input += "0,\(f[2]),\(f[1]),\(f[0])\n"
            labels.append(Double(f[3])!)
        }
        let inputFile = Fixtures.writeText(dir.appendingPathComponent("input.csv"), input)
        let predictions = dir.appendingPathComponent("p.csv").path
        let model = outputs[0].appendingPathComponent("model.bin").path
        let failing = MPIRun.run(
            ranks: 2, ["predict", "--model", model, "--input", inputFile.path, "--out", predictions])
        XCTAssertEqual(failing.status, 2, "an unknown column is refused: \(failing.stderr)")
        XCTAssertTrue(failing.stderr.contains("column 'y_unused' is not one of the model's"), failing.stderr)
        Fixtures.writeText(inputFile, input.replacingOccurrences(of: "y_unused", with: "y"))
        let r = MPIRun.run(ranks: 2, ["predict", "--model", model, "--input", inputFile.path, "--out", predictions])
        XCTAssertEqual(r.status, 0, r.stderr)
        let p = try String(contentsOfFile: predictions, encoding: .utf8).split(separator: "\n").dropFirst().map {
            Double($0)!
        }
        let mae = zip(p, labels).map { abs($0 - $1) }.reduce(0, +) / Double(labels.count)
        // Predict's chunks differ from the evaluation's (2 ranks, other row counts per product),
        // so a product may round its Float32 sums otherwise: a few ulps of each prediction.
        Approx.assertClose(mae, try XCTUnwrap(RunOutput(outputs[0]).testMetric("all", "l1")), rel: 1e-6, "test MAE")
    }

    /// A column with more levels than one-hot takes gets a learned embedding: P ranks train
    /// the 1-rank model with it (beside periodic embeddings and an ensemble), `model.bin`
    /// carries it, and `predict` gives the run's test MAE and counts an unseen level.
    func testManyLevelsAreEmbedded() throws {
        let data = dir.appendingPathComponent("shops")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        var texts = [String: String]()
        for (split, rows, seed) in [("train", 500, 1), ("val", 100, 2), ("test", 100, 3)] {
            var state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 | 1
            func next() -> Double {
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                return Double(state >> 11) * 0x1.0p-53
            }
            var text = "x,shop,y\n"
            for _ in 0..<rows {
                let x = next(), shop = Int(next() * 90)
                text += String(format: "%.4f,s%d,%.4f\n", x, shop, 2 * x + Double(shop % 7) / 2 + next())
            }
            texts[split] = text
            Fixtures.writeText(data.appendingPathComponent("\(split).csv"), text)
        }
        let arguments = ["--data", data.path] + small
        try Equivalence.assertEquivalent(
            ranks: 2, perRankBatch: 24, arguments + ["--ensemble", "2", "--fds"], "embedded categorical, ensemble, FDS")
        try Equivalence.assertEquivalent(
            ranks: 3, perRankBatch: 16, arguments + ["--num-embedding", "ple", "--reweight", "sqrt_inv", "--lds"],
            "embedded categorical, ple, LDS")
        let out = dir.appendingPathComponent("shops-run")
        XCTAssertEqual(MPIRun.run(ranks: 1, arguments + ["--num-embedding", "ple", "--out", out.path]).status, 0)
        let model = out.appendingPathComponent("model.bin").path
        XCTAssertEqual(try ModelFile.read(path: model).0.schema?.embeddedLevels.count, 1)
        // The test split, columns reordered: the run's test MAE.
        var input = "shop,x\n", labels = [Double]()
        for row in texts["test"]!.split(separator: "\n").dropFirst() {
            let f = row.split(separator: ",")
            input += "\(f[1]),\(f[0])\n"
            labels.append(Double(f[2])!)
        }
        let inputFile = Fixtures.writeText(dir.appendingPathComponent("shops-in.csv"), input + "s999,0.5\n")
        let predictions = dir.appendingPathComponent("shops-p.csv").path
        let r = MPIRun.run(ranks: 2, ["predict", "--model", model, "--input", inputFile.path, "--out", predictions])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("1 row(s) have a level not seen in training"), r.stderr)
        let p = try String(contentsOfFile: predictions, encoding: .utf8).split(separator: "\n").dropFirst().map {
            Double($0)!
        }
        XCTAssertEqual(p.count, labels.count + 1)
        let mae = zip(p, labels).map { abs($0 - $1) }.reduce(0, +) / Double(labels.count)
        Approx.assertClose(mae, try XCTUnwrap(RunOutput(out).testMetric("all", "l1")), rel: 1e-6, "test MAE")
    }

    /// `.npy` features may hold NaN for missing values: imputed with an indicator column, the
    /// same on 1 and 2 ranks, and `predict` imputes a NaN row as training did.
    func testNumpyNaNCellsAreMissingValues() throws {
        let data = dir.appendingPathComponent("npy")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        for (split, rows) in [("train", 240), ("val", 40), ("test", 40)] {
            let x = (0..<(rows * 3)).map { i -> Float in i % 17 == 5 ? .nan : Float((i * 7) % 23) / 5 }
            let y = (0..<rows).map { r in Double(x[3 * r + 1].isNaN ? 1 : x[3 * r + 1]) + Double(r % 5) }
            Fixtures.writeNpy(
                data.appendingPathComponent("\(split)_X.npy"), shape: [rows, 3], payload: Fixtures.float32(x))
            Fixtures.writeNpy(
                data.appendingPathComponent("\(split)_y.npy"), descr: "<f8", shape: [rows],
                payload: Fixtures.float64(y))
        }
        let arguments = ["--data", data.path, "--hidden", "8", "--epochs", "2", "--seed", "1"]
        try Equivalence.assertEquivalent(ranks: 2, perRankBatch: 16, arguments, ".npy with NaN cells")
        let out = dir.appendingPathComponent("npy-run")
        XCTAssertEqual(MPIRun.run(ranks: 1, arguments + ["--out", out.path]).status, 0)
        let schema = try ModelFile.read(path: out.appendingPathComponent("model.bin").path).0.schema
        XCTAssertEqual(
            schema?.featureNames, ["x0", "x0 (missing)", "x1", "x1 (missing)", "x2", "x2 (missing)"],
            "every column had a NaN in training: each gets its indicator")
        let input = Fixtures.writeNpy(
            dir.appendingPathComponent("in.npy"), shape: [2, 3], payload: Fixtures.float32([1, .nan, 2, 1, 3, 2]))
        let predictions = dir.appendingPathComponent("p.csv").path
        let r = MPIRun.run(
            ranks: 2,
            [
                "predict", "--model", out.appendingPathComponent("model.bin").path, "--input", input.path, "--out",
                predictions,
            ])
        XCTAssertEqual(r.status, 0, r.stderr)
        let p = try String(contentsOfFile: predictions, encoding: .utf8).split(separator: "\n").dropFirst()
        XCTAssertEqual(p.count, 2)
        XCTAssertTrue(p.allSatisfy { Double($0)?.isFinite ?? false }, "\(p)")
    }

    func testBadTablesAndSplitsGiveOneErrorLine() throws {
        let data = try folder("bad")
        let file = Fixtures.writeText(dir.appendingPathComponent("all.csv"), tableText(rows: 200, seed: 5))
        let tiny = Fixtures.writeText(dir.appendingPathComponent("tiny.csv"), tableText(rows: 3, seed: 5))
        let empty = dir.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        for (split, rows) in [("train", 50), ("val", 10), ("test", 10)] {
            let text = tableText(rows: rows, seed: 1).split(separator: "\n").map {
                $0.hasPrefix("x,") ? "\($0),gone" : "\($0),NA"
            }.joined(separator: "\n")
            Fixtures.writeText(empty.appendingPathComponent("\(split).csv"), text + "\n")
        }
        let cases: [([String], String)] = [
            (["--data", empty.path], "column 'gone' is missing in every training row"),
            (["--data", data.path, "--categorical", "weight"], "--categorical: no column 'weight'"),
            (["--data", data.path, "--split", "dir"], "--split: needs --data FILE.csv"),
            (
                ["--data", file.path, "--val-fraction", "0.6", "--test-fraction", "0.5"],
                "must be positive and sum below 1"
            ),
            (["--data", tiny.path], "--split: the validation split of"),
            (["--synthetic", "100", "--categorical", "x"], "--categorical: needs CSV data"),
        ]
        for (arguments, message) in cases {
            let out = dir.appendingPathComponent("never")
            let r = MPIRun.run(
                ranks: 2, arguments + ["--target", "y", "--epochs", "1", "--out", out.path], timeout: 30)
            r.assertOneErrorLine(containing: message, "\(arguments)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("model.bin").path))
        }
    }

    /// A categorical column with one level trains, with a warning that names it.
    func testOneLevelColumnIsAWarning() throws {
        let data = dir.appendingPathComponent("one-level")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        for (split, rows) in [("train", 60), ("val", 20), ("test", 20)] {
            let text = tableText(rows: rows, seed: 2).split(separator: "\n").map {
                $0.hasPrefix("x,") ? "kind,\($0)" : "same,\($0)"
            }.joined(separator: "\n")
            Fixtures.writeText(data.appendingPathComponent("\(split).csv"), text + "\n")
        }
        let r = MPIRun.run(ranks: 2, ["--data", data.path, "--target", "y", "--epochs", "1", "--hidden", "8"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let warnings = r.stderr.split(separator: "\n").filter { $0.hasPrefix("warning:") }
        XCTAssertEqual(warnings.count, 1, r.stderr)
        XCTAssertTrue(warnings.first?.contains("column 'kind' has one level ('same')") ?? false, r.stderr)
    }
}
