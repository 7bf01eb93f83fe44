// The tabular model features across ranks (issue 20): numerical embeddings and the
// efficient ensemble train the 1-rank model on 2 and 3 ranks with every DIR method,
// resume mid-epoch to the very bits, carry into `model.bin` so that `predict` gives
// the run's test metrics, and bad values give one error line.
import Checkpoints
import Foundation
import TestSupport
import XCTest

final class TabularModelTests: XCTestCase {
    private let periodic = ["--num-embedding", "periodic", "--embedding-frequencies", "6", "--embedding-size", "4"]
    private let ple = ["--num-embedding", "ple", "--ple-bins", "8"]
    private let ensemble = ["--ensemble", "4"]
    private let lds = ["--reweight", "sqrt_inv", "--lds", "--bins", "20"]

    func testEmbeddingsAndEnsembleTrainTheOneRankModel() throws {
        let base = Equivalence.synthetic
        let adamw = ["--optimizer", "adamw", "--weight-decay", "0.01"]
        try Equivalence.assertEquivalent(ranks: 2, perRankBatch: 24, base + periodic + adamw, "periodic, adamw")
        try Equivalence.assertEquivalent(ranks: 3, perRankBatch: 16, base + ple + lds, "ple + LDS")
        try Equivalence.assertEquivalent(
            ranks: 2, perRankBatch: 24, base + ensemble + ["--fds", "--dropout", "0.2"], "ensemble + FDS + dropout")
        try Equivalence.assertEquivalent(
            ranks: 3, perRankBatch: 16, base + periodic + ensemble + lds + ["--fds", "--sync", "allreduce"],
            "periodic + ensemble + LDS + FDS, allreduce")
    }

    /// The peer methods on every member: Balanced MSE (σ's gradient summed over members),
    /// DenseWeight's sample weights, RankSim on the members' features side by side (to
    /// the bit with --reproducible, as PeerMethodEquivalenceTests explains; with Float
    /// sums and an embedding, 1 and 2 ranks parted by 1e-5 to 6e-4 within one epoch).
    func testPeerMethodsComposeWithTheEnsemble() throws {
        let base = Equivalence.synthetic
        try Equivalence.assertEquivalent(
            ranks: 2, perRankBatch: 24, base + ensemble + ple + ["--loss", "bmc"], "ensemble + ple + bmc")
        try Equivalence.assertEquivalent(
            ranks: 3, perRankBatch: 16, base + ensemble + ["--loss", "gai", "--gai-components", "3"], "ensemble + gai")
        try Equivalence.assertEquivalent(
            ranks: 2, perRankBatch: 24, base + periodic + ensemble + ["--reweight", "denseweight"],
            "periodic + ensemble + denseweight")
        try Equivalence.assertIdentical(
            ranks: 3, perRankBatch: 16, base + ensemble + ["--ranksim", "2"], "ensemble + ranksim")
        try Equivalence.assertIdentical(
            ranks: 2, perRankBatch: 24, base + periodic + ensemble + ["--ranksim", "0.1"],
            "periodic + ensemble + ranksim")
        try Equivalence.assertEquivalent(
            ranks: 3, perRankBatch: 16, base + periodic + ensemble + ["--loss", "bni"] + lds,
            "periodic + ensemble + bni + LDS")
    }

    /// Stopped by SIGUSR1 in epoch 2 and resumed: the bits of the run never stopped
    /// (dropout's masks included: they follow the epoch and the row).
    func testResumeIsExact() throws {
        let arguments =
            Equivalence.synthetic + periodic + ensemble
            + ["--batch-size", "24", "--checkpoint-every", "1", "--fds", "--dropout", "0.1"]
        let full = Paths.temporaryDirectory("tab-full").appendingPathComponent("run")
        XCTAssertEqual(MPIRun.run(ranks: 2, arguments + ["--out", full.path], timeout: 60).status, 0)
        let out = Paths.temporaryDirectory("tab-stop").appendingPathComponent("run")
        let stopped = MPIRun.run(
            ranks: 2, arguments + ["--out", out.path], timeout: 60,
            environment: ["DIR_DIST_TEST_FAULT": "signal:rank=1:epoch=2:step=5"])
        XCTAssertEqual(stopped.status, 3, stopped.stderr)
        let resumed = MPIRun.run(ranks: 2, arguments + ["--resume", "auto", "--out", out.path], timeout: 60)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(try RunOutput(out).parameters(), try RunOutput(full).parameters(), "model.bin after resuming")
    }

    /// CSV splits; a model with the encoding's edges and the members in its file.
    func testPredictReproducesTheTestMetrics() throws {
        let dir = Paths.temporaryDirectory("tab-predict")
        let data = dir.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        for (name, rows, seed) in [("train", 300, 1), ("val", 60, 2), ("test", 80, 3)] {
            Fixtures.writeText(
                data.appendingPathComponent("\(name).csv"), Fixtures.csv(rows: rows, features: 4, seed: seed))
        }
        for (label, model) in [("ple", ple + ensemble), ("periodic", periodic + ["--ensemble", "3"])] {
            let out = dir.appendingPathComponent("run-\(label)")
            let trained = MPIRun.run(
                ranks: 2, ["--data", data.path, "--epochs", "3", "--hidden", "16,16", "--out", out.path] + model)
            XCTAssertEqual(trained.status, 0, trained.stderr)
            let description = try ModelFile.read(path: out.appendingPathComponent("model.bin").path).0
            XCTAssertEqual(description.config.recipe.ensemble, label == "ple" ? 4 : 3, label)
            XCTAssertEqual(description.binEdges?.count, label == "ple" ? 4 : nil, "\(label): edges per feature")
            let test = data.appendingPathComponent("test.csv").path
            let predictions = dir.appendingPathComponent("p-\(label).csv").path
            let r = MPIRun.run(
                ranks: 3,
                [
                    "predict", "--model", out.appendingPathComponent("model.bin").path, "--input", test, "--out",
                    predictions,
                ])
            XCTAssertEqual(r.status, 0, r.stderr)
            let p = try String(contentsOfFile: predictions, encoding: .utf8).split(separator: "\n").dropFirst().map {
                Double($0)!
            }
            let y = try String(contentsOfFile: test, encoding: .utf8).split(separator: "\n").dropFirst().map {
                Double($0.split(separator: ",").last!)!
            }
            let mae = zip(p, y).map { abs($0 - $1) }.reduce(0, +) / Double(y.count)
            Approx.assertClose(mae, try XCTUnwrap(RunOutput(out).testMetric("all", "l1")), rel: 1e-9, "\(label): MAE")
        }
    }

    /// The tabular preset is its options; an option given explicitly wins over it.
    func testPresetSetsItsOptionsUnlessGiven() throws {
        let dir = Paths.temporaryDirectory("tab-preset")
        for (label, extra) in [("preset", [String]()), ("override", ["--ensemble", "2", "--select", "last"])] {
            let out = dir.appendingPathComponent(label)
            let r = MPIRun.run(
                ranks: 2,
                ["--preset", "tabular", "--epochs", "1", "--hidden", "8", "--out", out.path] + extra
                    + Equivalence.synthetic.prefix(4))
            XCTAssertEqual(r.status, 0, r.stderr)
            let recipe = try ModelFile.read(path: out.appendingPathComponent("model.bin").path).0.config.recipe
            XCTAssertEqual(recipe.embedding, .piecewiseLinearDefault, label)
            XCTAssertEqual(recipe.ensemble, label == "preset" ? 8 : 2, label)
            XCTAssertEqual(recipe.selection, label == "preset" ? .best : .last, label)
        }
    }

    func testBadModelOptionsGiveOneErrorLine() throws {
        let cases: [([String], String)] = [
            (["--ensemble", "0"], "--ensemble: must be in 1...1024, got 0"),
            (["--embedding-size", "8"], "--embedding-size: needs --num-embedding periodic"),
            (["--num-embedding", "periodic", "--ple-bins", "8"], "--ple-bins: needs --num-embedding ple"),
            (["--num-embedding", "ple", "--ple-bins", "1"], "--ple-bins: must be in 2...4096, got 1"),
            (["--num-embedding", "periodic", "--embedding-sigma", "0"], "--embedding-sigma: must be positive"),
            (["--num-embedding", "cubic"], "--num-embedding"),
            (["--dropout", "1"], "--dropout: must be in [0, 1), got 1.0"),
            (["--dropout", "nan"], "--dropout: must be in [0, 1), got nan"),
        ]
        for (arguments, message) in cases {
            MPIRun.run(ranks: 2, ["--epochs", "1"] + arguments, timeout: 30)
                .assertOneErrorLine(containing: message, "\(arguments)")
        }
    }

    /// A constant column carries nothing for an embedding: training goes on with a named warning.
    func testConstantColumnIsAWarning() throws {
        let dir = Paths.temporaryDirectory("tab-constant")
        for (name, rows) in [("train", 200), ("val", 40), ("test", 40)] {
            let lines = Fixtures.csv(rows: rows, features: 3).split(separator: "\n").enumerated().map {
                $0.offset == 0 ? "flat," + $0.element : "7," + $0.element
            }
            Fixtures.writeText(dir.appendingPathComponent("\(name).csv"), lines.joined(separator: "\n") + "\n")
        }
        for embedding in [ple, periodic] {
            let r = MPIRun.run(ranks: 2, ["--data", dir.path, "--epochs", "1", "--hidden", "8"] + embedding)
            XCTAssertEqual(r.status, 0, r.stderr)
            let warnings = r.stderr.split(separator: "\n").filter { $0.hasPrefix("warning:") }
            XCTAssertEqual(warnings.count, 1, r.stderr)
            XCTAssertTrue(
                warnings.first?.contains("constant in the training split carry nothing (flat)") ?? false, r.stderr)
        }
    }
}
