// The equivalence harness shared by the equivalence tests: train the same recipe on
// 1 rank with batch P·b and on P ranks with batch b (real mpirun), compare the models.
import Foundation
import TestSupport
import XCTest

enum Equivalence {
    /// 1000 rows with global batch 48 (or 32): the last batch of every epoch is uneven.
    static let synthetic = [
        "--synthetic", "1000", "--synthetic-features", "8", "--hidden", "16,16", "--epochs", "3",
        "--seed", "4", "--lr", "0.002",
    ]

    static func train(ranks: Int, batch: Int, _ arguments: [String]) throws -> RunOutput {
        let out = Paths.temporaryDirectory("eq\(ranks)")
        let result = MPIRun.run(
            ranks: ranks, arguments + ["--batch-size", "\(batch)", "--out", out.appendingPathComponent("run").path])
        XCTAssertEqual(result.status, 0, "\(ranks) ranks: \(result.stderr)")
        return RunOutput(out.appendingPathComponent("run"))
    }

    /// The parameters agree to 1e-5 relative and the test metrics to 1e-5.
    static func assertEquivalent(
        ranks: Int, perRankBatch b: Int, _ arguments: [String], _ what: String, file: StaticString = #filePath,
        line: UInt = #line
    ) throws {
        let single = try train(ranks: 1, batch: ranks * b, arguments)
        let multi = try train(ranks: ranks, batch: b, arguments)
        let p1 = try single.parameters(), pN = try multi.parameters()
        XCTAssertEqual(p1.count, pN.count, file: file, line: line)
        XCTAssertGreaterThan(p1.count, 0, file: file, line: line)
        Approx.assertClose(
            pN, p1, rel: 1e-5, abs: 1e-6, "\(what): \(ranks) ranks × \(b) vs 1 rank × \(ranks * b)",
            file: file, line: line)
        for key in ["mse", "l1", "gmean", "pearson"] {
            Approx.assertClose(
                try XCTUnwrap(multi.testMetric("all", key)), try XCTUnwrap(single.testMetric("all", key)),
                rel: 1e-5, "\(what): test \(key)", file: file, line: line)
        }
    }

    /// With --reproducible: P ranks × b write 1 rank × P·b's model.bin, byte for byte.
    static func assertIdentical(
        ranks: Int, perRankBatch b: Int, _ arguments: [String], _ what: String, file: StaticString = #filePath,
        line: UInt = #line
    ) throws {
        let single = try train(ranks: 1, batch: ranks * b, arguments + ["--reproducible"])
        let multi = try train(ranks: ranks, batch: b, arguments + ["--reproducible"])
        let one = try Data(contentsOf: single.directory.appendingPathComponent("model.bin"))
        let many = try Data(contentsOf: multi.directory.appendingPathComponent("model.bin"))
        XCTAssertGreaterThan(one.count, 0, file: file, line: line)
        XCTAssertTrue(
            one == many, "\(what): model.bin of \(ranks) ranks × \(b) differs from 1 rank × \(ranks * b)", file: file,
            line: line)
    }
}
