// Several hosts for real: two network namespaces with their own hostname and sshd,
// mpirun over ssh, TCP between the hosts, two ranks on each. P ranks ≡ 1 rank holds
// across hosts (LDS and FDS on), with the hierarchical sum (chosen by itself) and the
// flat allreduce, and every rank ends with the same parameters; with --reproducible, to
// the bit.
import Foundation
import TestSupport
import XCTest

final class MultiHostTests: XCTestCase {
    /// 1000 rows, global batch 48: the last batch of every epoch is uneven.
    static let recipe = [
        "train", "--synthetic", "1000", "--synthetic-features", "8", "--hidden", "16,16", "--epochs", "3",
        "--seed", "4", "--lr", "0.002", "--lds", "--reweight", "sqrt_inv", "--fds",
    ]

    func testTwoHostsTrainTheModelOfOneRank() throws {
        let hosts = try NetnsHosts(2)
        defer { hosts.tearDown() }
        let root = Paths.temporaryDirectory("multihost")
        let alone = root.appendingPathComponent("one-rank")
        let single = MPIRun.run(ranks: 1, Self.recipe + ["--batch-size", "48", "--out", alone.path])
        XCTAssertEqual(single.status, 0, single.stderr)
        let p1 = try RunOutput(alone).parameters()
        for (sync, expected) in [("auto", "hierarchical"), ("allreduce", "allreduce")] {
            let out = root.appendingPathComponent(sync)
            let result = hosts.mpirun(
                ["-np", "4", Paths.binary("dir-dist")] + Self.recipe
                    + ["--batch-size", "12", "--sync", sync, "--out", out.path])
            XCTAssertEqual(result.status, 0, "\(sync): \(result.stdout)\n\(result.stderr)")
            XCTAssertTrue(
                result.stdout.contains("hosts: dd-h0 (ranks 0-1), dd-h1 (ranks 2-3); gradient sum: \(expected)"),
                "\(sync): \(result.stdout)")
            XCTAssertTrue(
                result.stdout.contains("replicas: the parameters are bit-identical on all 4 ranks"),
                "\(sync): \(result.stdout)")
            let p4 = try RunOutput(out).parameters()
            XCTAssertEqual(p4.count, p1.count)
            Approx.assertClose(p4, p1, rel: 1e-5, abs: 1e-6, "\(sync): 2 hosts × 2 ranks × 12 vs 1 rank × 48")
            let worst = Approx.worstRelative(p4, p1)
            print(
                "\(sync) across 2 hosts: \(String(format: "%.1f", result.seconds)) s, worst relative difference \(worst)"
            )
        }
    }

    /// Reproducible training across hosts: 2 hosts × 2 ranks write the model.bin of one
    /// rank, byte for byte (LDS, FDS and BMC on; global batch 96 in micro-batches of 32, so
    /// one rank has none and the last batch of every epoch is short).
    func testReproducibleTrainingIsTheSameModelAcrossHosts() throws {
        let hosts = try NetnsHosts(2)
        defer { hosts.tearDown() }
        let root = Paths.temporaryDirectory("multihost-repro")
        defer { try? FileManager.default.removeItem(at: root) }
        let recipe = Self.recipe + ["--reproducible", "--loss", "bmc"]
        let alone = root.appendingPathComponent("one-rank")
        let single = MPIRun.run(ranks: 1, recipe + ["--batch-size", "96", "--out", alone.path])
        XCTAssertEqual(single.status, 0, single.stderr)
        let out = root.appendingPathComponent("two-hosts")
        let result = hosts.mpirun(
            ["-np", "4", Paths.binary("dir-dist")] + recipe + ["--batch-size", "24", "--out", out.path])
        XCTAssertEqual(result.status, 0, "\(result.stdout)\n\(result.stderr)")
        XCTAssertTrue(result.stdout.contains("hosts: dd-h0 (ranks 0-1), dd-h1 (ranks 2-3)"), result.stdout)
        let one = try Data(contentsOf: alone.appendingPathComponent("model.bin"))
        let four = try Data(contentsOf: out.appendingPathComponent("model.bin"))
        XCTAssertTrue(one == four, "model.bin of 2 hosts × 2 ranks differs from 1 rank's")
    }
}
