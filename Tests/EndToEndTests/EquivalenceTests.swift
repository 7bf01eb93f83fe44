// The backbone property (docs/protocol.md §1): P ranks with per-rank batch b train the same
// model as 1 rank with batch P·b, up to summation order — with an uneven last
// batch, both optimizers, and LDS weights; real mpirun, oversubscribed for 3 ranks.
import Foundation
import TestSupport
import XCTest

final class EquivalenceTests: XCTestCase {
    private func train(ranks: Int, batch: Int, _ extra: [String]) throws -> RunOutput {
        try Equivalence.train(ranks: ranks, batch: batch, Equivalence.synthetic + extra)
    }

    private func assertEquivalent(ranks: Int, perRankBatch b: Int, _ extra: [String], _ what: String) throws {
        try Equivalence.assertEquivalent(ranks: ranks, perRankBatch: b, Equivalence.synthetic + extra, what)
    }

    /// On one node, a core per rank, the ranks sum gradients in shared memory and split
    /// the update (the default, tested above); the allreduce path used across nodes must train
    /// the same model, and for two ranks (a + b either way) the very same bits.
    func testAllreducePathMatchesOneRankAndTheSharedMemoryPath() throws {
        try assertEquivalent(
            ranks: 2, perRankBatch: 24, ["--no-shared-memory", "--optimizer", "sgd"], "allreduce, sgd")
        try assertEquivalent(ranks: 3, perRankBatch: 16, ["--no-shared-memory", "--fds"], "allreduce, 3 ranks, fds")
        let shared = try train(ranks: 2, batch: 24, ["--fds", "--shared-memory"])
        let allreduce = try train(ranks: 2, batch: 24, ["--fds", "--no-shared-memory"])
        XCTAssertEqual(try shared.parameters(), try allreduce.parameters(), "shared memory vs allreduce, 2 ranks")
    }

    func testTwoRanksMatchOneRankWithDoubleBatch() throws {
        try assertEquivalent(ranks: 2, perRankBatch: 24, ["--optimizer", "adam"], "adam")
        try assertEquivalent(ranks: 2, perRankBatch: 24, ["--optimizer", "sgd"], "sgd")
    }

    func testThreeRanksMatchOneRankWithTripleBatch() throws {
        try assertEquivalent(ranks: 3, perRankBatch: 16, ["--optimizer", "adam"], "adam")
        // Three ranks share two cores here, so the default is the allreduce: force the
        // shared-memory sum (three shards of the update) as well.
        try assertEquivalent(ranks: 3, perRankBatch: 16, ["--shared-memory", "--fds"], "shared memory, 3 ranks")
        // The hierarchical sum on one node: the node sum and shard split of shared memory,
        // with allreduces over one-rank peer groups (ClusterTests run it across hosts).
        try assertEquivalent(ranks: 3, perRankBatch: 16, ["--sync", "hierarchical", "--fds"], "hierarchical, 3 ranks")
    }

    /// Buckets reduced with MPI_Iallreduce during backward (tiny buckets, so every layer
    /// is its own bucket) train the same model as the single fused allreduce.
    func testOverlappedAllreduceMatchesOneRank() throws {
        try assertEquivalent(ranks: 2, perRankBatch: 24, ["--overlap", "--bucket-kib", "0"], "overlap, 2 ranks")
        try assertEquivalent(
            ranks: 3, perRankBatch: 16, ["--overlap", "--bucket-kib", "0", "--fds"], "overlap, 3 ranks")
    }

    /// Target scaling (on by default), learning-rate schedules with warm-up, early stopping
    /// and unscaled features: the rate is a function of (epoch, step), the stop decision of
    /// the validation MAE that every rank sees, so P ranks still train the model of 1 rank.
    func testEquivalenceHoldsWithSchedulesPatienceAndScaling() throws {
        let cosine = ["--lr-schedule", "cosine", "--lr-warmup", "0.5", "--epochs", "4"]
        try assertEquivalent(ranks: 2, perRankBatch: 24, cosine + ["--loss", "huber"], "cosine, huber")
        try assertEquivalent(
            ranks: 3, perRankBatch: 16, ["--lr-schedule", "step", "--lr-steps", "2,3", "--standardize-features", "no"],
            "step schedule, raw features")
        try assertEquivalent(
            ranks: 2, perRankBatch: 24,
            ["--patience", "1", "--epochs", "8", "--lr", "0.05", "--target-scaling", "none"],
            "patience, unscaled targets")
    }

    /// DenseWeight is fitted on all training labels on every rank: the same weights, the same model.
    func testEquivalenceHoldsWithDenseWeight() throws {
        try assertEquivalent(
            ranks: 2, perRankBatch: 24, ["--reweight", "denseweight", "--dw-alpha", "1.5"], "denseweight")
        try assertEquivalent(
            ranks: 3, perRankBatch: 16, ["--reweight", "denseweight", "--fds"], "denseweight, fds")
    }

    func testEquivalenceHoldsWithLDSWeightsAndFocalLoss() throws {
        try assertEquivalent(
            ranks: 2, perRankBatch: 24,
            ["--reweight", "sqrt_inv", "--lds", "--bins", "20", "--loss", "focal_l1"], "lds")
    }

    /// Real features: the STS-B-DIR fixture, 1 rank × 64 vs 2 ranks × 32, one epoch.
    func testSTSBTestMAEIsTheSameOnOneAndTwoRanks() throws {
        let data = [
            "--data", Paths.fixture("stsb-dir").path, "--bins", "50", "--label-range", "0", "5",
            "--epochs", "1", "--seed", "1",
        ]
        var mae = [Double]()
        for (ranks, batch) in [(1, 64), (2, 32)] {
            let out = Paths.temporaryDirectory("stsb\(ranks)").appendingPathComponent("run")
            let result = MPIRun.run(ranks: ranks, data + ["--batch-size", "\(batch)", "--out", out.path], timeout: 300)
            XCTAssertEqual(result.status, 0, result.stderr)
            mae.append(try XCTUnwrap(RunOutput(out).testMetric("all", "l1")))
        }
        Approx.assertClose(mae[1], mae[0], rel: 1e-4, "STS-B-DIR test MAE, 2 ranks × 32 vs 1 rank × 64")
    }
}
