// FDS across ranks (docs/specification.md §3, docs/protocol.md §1.6) with real mpirun: the statistics after an epoch
// on 1, 2 and 3 ranks (uneven shards, a bin populated on one rank only, a bin with
// a single sample, an empty bin) equal the single-process ones; training with FDS
// keeps the N-rank = 1-rank equivalence; the dump and bad options.
import Foundation
import TestSupport
import XCTest

final class FDSTrainingTests: XCTestCase {
    /// 301 rows over 10 bins of [0, 10]: the first 40 rows are in bin 9 (so in rank 0's
    /// shard only), one row is in bin 7, bin 8 is empty, the rest spread over bins 0–6.
    private func skewedData(_ dir: URL) -> [String] {
        var text = "a,b,c,target\n"
        for r in 0..<301 {
            let label = r < 40 ? 9.5 : (r == 150 ? 7.5 : Double(r % 7) + Double(r % 10) / 10)
            let x = [Double((r * 13) % 17) / 5, Double((r * 5) % 11) / 3, label / 2 + Double(r % 3)]
            text += x.map { "\($0)" }.joined(separator: ",") + ",\(label)\n"
        }
        let path = Fixtures.writeText(dir.appendingPathComponent("skewed.csv"), text).path
        return ["--train", path, "--val", path, "--test", path, "--bins", "10", "--label-range", "0", "10"]
    }

    func testStatisticsAfterAnEpochAreTheSameOnOneTwoAndThreeRanks() throws {
        let dir = Paths.temporaryDirectory("fdsstats")
        // A learning rate too small to move Float32 parameters: every rank count sees the
        // same features, so the statistics differ only by the order of the per-bin sums.
        let args =
            skewedData(dir) + [
                "--hidden", "12,6", "--epochs", "2", "--optimizer", "sgd", "--lr", "1e-12",
                "--fds", "--fds-ks", "3", "--fds-sigma", "1",
            ]
        var statistics = [[Double]]()
        for ranks in [1, 2, 3] {
            let out = dir.appendingPathComponent("run\(ranks)")
            let result = MPIRun.run(ranks: ranks, args + ["--batch-size", "\(60 / ranks)", "--out", out.path])
            XCTAssertEqual(result.status, 0, result.stderr)
            statistics.append(try RunOutput(out).featureStatistics())
        }
        let d = 6, bins = 10
        XCTAssertEqual(statistics[0].count, 4 * bins * d + bins)
        let tracked = Array(statistics[0].suffix(bins))
        XCTAssertEqual(tracked[7], 2, "the single-sample bin, over two updates")
        XCTAssertEqual(tracked[8], 0, "the empty bin")
        XCTAssertEqual(tracked[9], 80, "the bin held by rank 0 alone")
        Approx.assertClose(statistics[1], statistics[0], rel: 1e-6, abs: 1e-9, "2-rank FDS statistics")
        Approx.assertClose(statistics[2], statistics[0], rel: 1e-6, abs: 1e-9, "3-rank FDS statistics")
    }

    func testTrainingWithFDSIsTheSameOnTwoAndThreeRanks() throws {
        let common = [
            "--synthetic", "1000", "--synthetic-features", "8", "--hidden", "16,16", "--epochs", "4",
            "--seed", "4", "--lr", "0.002", "--bins", "20", "--fds", "--start-smooth", "1",
        ]
        for pass in ["separate", "online"] {
            var parameters = [[Float]]()
            for (ranks, batch) in [(1, 48), (2, 24), (3, 16)] {
                let out = Paths.temporaryDirectory("fdseq").appendingPathComponent("run")
                let result = MPIRun.run(
                    ranks: ranks, common + ["--fds-pass", pass, "--batch-size", "\(batch)", "--out", out.path])
                XCTAssertEqual(result.status, 0, result.stderr)
                XCTAssertTrue(result.stdout.contains("(fds "), result.stdout)
                parameters.append(try RunOutput(out).parameters())
            }
            Approx.assertClose(
                parameters[1], parameters[0], rel: 1e-5, abs: 1e-6, "FDS \(pass): 2 ranks × 24 vs 1 rank × 48")
            Approx.assertClose(
                parameters[2], parameters[0], rel: 1e-5, abs: 1e-6, "FDS \(pass): 3 ranks × 16 vs 1 rank × 48")
        }
    }

    func testDumpHasOneLinePerEpochWithSimilarityMatrices() throws {
        let dir = Paths.temporaryDirectory("fdsdump")
        let dump = dir.appendingPathComponent("fds.jsonl")
        let result = MPIRun.run(ranks: 2, ["--epochs", "2", "--fds", "--fds-dump", dump.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = try String(contentsOf: dump, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as! [String: Any]
        let counts = first["count"] as! [Double]
        XCTAssertEqual(counts.reduce(0, +), 3763, "every training sample counted once")
        let cosine = first["mean_cosine"] as! [[Any]]
        XCTAssertEqual(cosine.count, counts.count)
        if let self7 = cosine[7][7] as? Double {
            XCTAssertEqual(self7, 1, accuracy: 1e-9)
        } else {
            XCTFail("bin 7 has samples")
        }
        // An existing dump file is never overwritten.
        let again = MPIRun.run(ranks: 2, ["--epochs", "1", "--fds", "--fds-dump", dump.path])
        XCTAssertEqual(again.status, 2)
        XCTAssertTrue(again.stderr.contains("error: --fds-dump: "), again.stderr)
    }

    func testBadFDSOptionsAreRefused() {
        for (args, message) in [
            (["--fds", "--fds-ks", "4"], "error: --fds-ks: kernel size must be odd and positive, got 4"),
            (["--fds", "--fds-clip", "2", "1"], "error: --fds-clip: needs 0 < LO <= HI, got [2.0, 1.0]"),
            (["--fds", "--fds-momentum", "1"], "error: --fds-momentum: must be in [0, 1), got 1.0"),
            (["--fds-dump", "/tmp/x.jsonl"], "error: --fds-dump: needs --fds"),
        ] {
            let result = MPIRun.run(ranks: 2, args, timeout: 30)
            XCTAssertEqual(result.status, 2, "\(args): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains(message), "want \(message): \(result.stderr)")
        }
    }
}
