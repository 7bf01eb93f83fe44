// `dir-dist predict` as users run it: the predictions of a trained model on its own
// test split give exactly the run's test metrics (1 and 2 ranks, CSV and .npy), and a
// bad model or input gives one error line and status 2.
import Foundation
import TestSupport
import XCTest

final class PredictTests: XCTestCase {
    let dir = Paths.temporaryDirectory("predict")

    /// CSV splits with targets in the hundreds, a model trained on them with --select best.
    private func trainedModel() throws -> (model: String, test: String, run: RunOutput) {
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("data"), withIntermediateDirectories: true)
        for (name, rows, seed) in [("train", 300, 1), ("val", 60, 2), ("test", 80, 3)] {
            let text =
                Fixtures.csv(rows: rows, features: 4, seed: seed).split(separator: "\n").enumerated().map {
                    $0.offset == 0 ? String($0.element) : String($0.element) + "00"  // targets ×100 (and more)
                }.joined(separator: "\n") + "\n"
            Fixtures.writeText(dir.appendingPathComponent("data/\(name).csv"), text)
        }
        let out = dir.appendingPathComponent("run")
        let result = MPIRun.run(
            ranks: 2,
            [
                "--data", dir.appendingPathComponent("data").path, "--epochs", "4", "--select", "best",
                "--hidden", "16,16", "--out", out.path,
            ])
        XCTAssertEqual(result.status, 0, result.stderr)
        return (
            out.appendingPathComponent("model.bin").path, dir.appendingPathComponent("data/test.csv").path,
            RunOutput(out)
        )
    }

    private func labels(_ csv: String) throws -> [Double] {
        try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n").dropFirst().map {
            Double($0.split(separator: ",").last!)!
        }
    }

    func testPredictionsReproduceTheRunsTestMetrics() throws {
        let (model, test, run) = try trainedModel()
        let y = try labels(test)
        for ranks in [1, 2] {
            let out = dir.appendingPathComponent("p\(ranks).csv").path
            let r = MPIRun.run(ranks: ranks, ["predict", "--model", model, "--input", test, "--out", out])
            XCTAssertEqual(r.status, 0, r.stderr)
            let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
            XCTAssertEqual(lines.first, "prediction")
            let p = lines.dropFirst().map { Double($0)! }
            XCTAssertEqual(p.count, y.count, "one prediction per input row")
            let mae = zip(p, y).map { abs($0 - $1) }.reduce(0, +) / Double(y.count)
            let mse = zip(p, y).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / Double(y.count)
            Approx.assertClose(mae, try XCTUnwrap(run.testMetric("all", "l1")), rel: 1e-9, "\(ranks) rank(s): MAE")
            Approx.assertClose(mse, try XCTUnwrap(run.testMetric("all", "mse")), rel: 1e-9, "\(ranks) rank(s): MSE")
        }
        // The same rows as a features .npy give the same predictions, as a .npy.
        let x = try String(contentsOfFile: test, encoding: .utf8).split(separator: "\n").dropFirst().flatMap {
            $0.split(separator: ",").dropLast().map { Float($0)! }
        }
        let npy = Fixtures.writeNpy(
            dir.appendingPathComponent("x.npy"), shape: [y.count, 4], payload: Fixtures.float32(x))
        let out = dir.appendingPathComponent("p.npy").path
        let r = MPIRun.run(ranks: 2, ["predict", "--model", model, "--input", npy.path, "--out", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: out))
        let values = bytes.suffix(8 * y.count).withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
        let csv = try String(contentsOfFile: dir.appendingPathComponent("p2.csv").path, encoding: .utf8)
            .split(separator: "\n").dropFirst().map { Double($0)! }
        Approx.assertClose(values, csv, rel: 1e-12, abs: 0, ".npy vs CSV input")
    }

    func testBadModelsAndInputsGiveOneErrorLine() throws {
        let (model, test, _) = try trainedModel()
        var bytes = try Data(contentsOf: URL(fileURLWithPath: model))
        let truncated = dir.appendingPathComponent("cut.bin")
        try bytes.prefix(bytes.count / 2).write(to: truncated)
        bytes[8] = 9  // another format version
        let future = dir.appendingPathComponent("v9.bin")
        try bytes.write(to: future)
        let (huge, overflowing) = try craftedModels(from: model)
        let wide = Fixtures.writeText(dir.appendingPathComponent("wide.csv"), Fixtures.csv(rows: 5, features: 5))
        let text = Fixtures.writeText(
            dir.appendingPathComponent("text.csv"), "f0,f1,f2,f3,target\n1,2,3,4,5\n1,x,3,4,5\n")
        let out = dir.appendingPathComponent("never.csv").path
        let cases: [(String, [String], String)] = [
            ("truncated model", ["--model", truncated.path, "--input", test], "truncated model file"),
            ("other version", ["--model", future.path, "--input", test], "model format version 9"),
            ("not a model", ["--model", test, "--input", test], "not a dir-dist model file"),
            // Issue 22: sizes from the file must not reach an allocation or overflow unchecked.
            ("9e9 hidden units", ["--model", huge.path, "--input", test], "unreadable model description"),
            ("FDS sizes that overflow", ["--model", overflowing.path, "--input", test], "truncated model file"),
            (
                "wrong column count", ["--model", model, "--input", wide.path],
                "column 'f4' is not one of the model's (f0, f1, f2, f3)"
            ),
            (
                "non-numeric cell", ["--model", model, "--input", text.path],
                "text.csv:3: column 'f1': 'x' is not a number"
            ),
            ("existing output", ["--model", model, "--input", test, "--out", test], "exists; choose a new file"),
        ]
        for (name, arguments, message) in cases {
            let target = arguments.contains("--out") ? [] : ["--out", out]
            MPIRun.run(ranks: 2, ["predict"] + arguments + target, timeout: 30)
                .assertOneErrorLine(containing: message, name)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "no output after an error")
    }

    /// A model whose description claims 9e9 hidden units (and 1024 members), and one whose
    /// FDS statistics claim 2^40 bins of 2^40 features.
    private func craftedModels(from model: String) throws -> (URL, URL) {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: model)))
        let length = Int(bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 12, as: UInt32.self) })
        var json = String(decoding: bytes[16..<(16 + length)], as: UTF8.self)
        let rest = Array(bytes[(16 + length)...])
        json = json.replacingOccurrences(
            of: #""hidden":\[[0-9,]*\]"#, with: #""hidden":[9000000000,9000000000]"#, options: .regularExpression)
        var huge = Array(bytes[0..<12])
        withUnsafeBytes(of: UInt32(json.utf8.count).littleEndian) { huge += $0 }
        huge += Array(json.utf8) + rest
        let hugeURL = dir.appendingPathComponent("huge.bin")
        try Data(huge).write(to: hugeURL)
        let count = Int(rest.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 0, as: UInt64.self) })
        var overflowing = bytes
        let sizes = 16 + length + 8 + 4 * count
        for (k, value) in [Int64(1) << 40, Int64(1) << 40].enumerated() {
            withUnsafeBytes(of: value.littleEndian) {
                overflowing.replaceSubrange((sizes + 8 * k)..<(sizes + 8 * k + 8), with: $0)
            }
        }
        let overflowingURL = dir.appendingPathComponent("overflowing.bin")
        try Data(overflowing).write(to: overflowingURL)
        return (hugeURL, overflowingURL)
    }
}
