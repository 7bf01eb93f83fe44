// Resume mid-epoch with the peer methods is exact: Balanced MSE's σ (a parameter in the
// checkpoint), GAI's mixture (stored in the checkpoint and the model file) and RankSim's
// subset stream (a function of seed, epoch and step) all continue where they stopped.
import Checkpoints
import Foundation
import TestSupport
import XCTest

final class PeerMethodCheckpointTests: XCTestCase {
    private let base = [
        "--synthetic", "1000", "--synthetic-features", "8", "--hidden", "16,16", "--seed", "4", "--lr", "0.002",
        "--bins", "20", "--epochs", "4", "--batch-size", "24", "--checkpoint-every", "2",
    ]

    private func checkpoint(_ folder: URL) throws -> Checkpoint {
        let path = folder.appendingPathComponent("checkpoint.ckpt").path
        return try Checkpoint.decode(try CheckpointStore.read(path), path: path)
    }

    /// The run stopped by SIGUSR1 in epoch 2 and resumed ends with the bits of the run never stopped.
    private func assertResumesExactly(_ method: [String], _ what: String) throws -> (Checkpoint, URL) {
        let full = Paths.temporaryDirectory("peer-full").appendingPathComponent("run")
        XCTAssertEqual(MPIRun.run(ranks: 2, base + method + ["--out", full.path], timeout: 60).status, 0, what)
        let out = Paths.temporaryDirectory("peer-stop").appendingPathComponent("run")
        let stopped = MPIRun.run(
            ranks: 2, base + method + ["--out", out.path], timeout: 60,
            environment: ["DIR_DIST_TEST_FAULT": "signal:rank=1:epoch=2:step=5"])
        XCTAssertEqual(stopped.status, 3, "\(what): \(stopped.stderr)")
        XCTAssertEqual(try checkpoint(out).step, 6, what)
        let resumed = MPIRun.run(ranks: 2, base + method + ["--resume", "auto", "--out", out.path], timeout: 60)
        XCTAssertEqual(resumed.status, 0, "\(what): \(resumed.stderr)")
        let (a, b) = (try checkpoint(out), try checkpoint(full))
        XCTAssertEqual(a.parameters, b.parameters, "\(what): every parameter, sigma included, after resuming")
        XCTAssertEqual(a.labelPrior, b.labelPrior, "\(what): the label prior")
        XCTAssertEqual(try RunOutput(out).parameters(), try RunOutput(full).parameters(), "\(what): model.bin")
        return (b, full)
    }

    func testBalancedMSEResumesWithSigmaAndPrior() throws {
        let modelSize = 8 * 16 + 16 + 16 * 16 + 16 + 16 + 1
        let (bmc, bmcFolder) = try assertResumesExactly(["--loss", "bmc", "--fds"], "bmc + FDS")
        XCTAssertEqual(bmc.parameters.count, modelSize + 1, "sigma follows the model's parameters")
        let learnt = try ModelFile.read(path: bmcFolder.appendingPathComponent("model.bin").path).0.noiseSigma
        XCTAssertNotEqual(try XCTUnwrap(learnt), 1, "sigma learnt (it starts at 1 in the target's units)")
        XCTAssertTrue(bmc.labelPrior.isEmpty, "BMC has no prior")
        let (gai, folder) = try assertResumesExactly(["--loss", "gai", "--gai-components", "3"], "gai")
        XCTAssertEqual(gai.labelPrior.count, 9, "3 components: means, variances, weights")
        XCTAssertEqual(gai.labelPrior[6...].reduce(0, +), 1, accuracy: 1e-9, "mixture weights sum to 1")
        let description = try ModelFile.read(path: folder.appendingPathComponent("model.bin").path).0
        XCTAssertEqual(description.labelPrior?.means, Array(gai.labelPrior[0..<3]), "the model file's mixture")
        XCTAssertNotNil(description.noiseSigma)
        let (bni, _) = try assertResumesExactly(["--loss", "bni", "--bmc-fix-sigma"], "bni, fixed sigma")
        XCTAssertEqual(bni.labelPrior.count % 3, 0)
        _ = try assertResumesExactly(["--loss", "bmc", "--bmc-fix-sigma", "--bmc-init-sigma", "2"], "fixed sigma")
    }

    func testRankSimResumesWithItsSubsetStream() throws {
        _ = try assertResumesExactly(["--ranksim", "50", "--fds"], "ranksim + FDS")
    }
}
