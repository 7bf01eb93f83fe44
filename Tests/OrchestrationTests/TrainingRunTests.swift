// A whole run in this process (one rank): its output folder holds the files
// docs/file-formats.md lists, and a folder that already holds a run is refused before any
// work, with nothing in it changed.
import Collectives
import Datasets
import Foundation
import InProcessMPI
import Orchestration
import Settings
import TestSupport
import XCTest

final class TrainingRunTests: XCTestCase {
    private func config(out: URL) -> TrainingConfig {
        var c = TrainingConfig()
        c.recipe.data = .synthetic(Synthetic(trainCount: 256, testCount: 64, featureCount: 4, seed: 2))
        c.recipe.hidden = [8]
        c.execution.epochs = 2
        c.execution.outputDirectory = out.path
        return c
    }

    func testARunWritesItsMetricsAndModel() throws {
        let dir = Paths.temporaryDirectory("run").appendingPathComponent("out")
        let end = try TrainingRun.run(config(out: dir), comm: InProcess.world, console: false)
        XCTAssertEqual(end.status, .success)
        let lines = try String(contentsOf: dir.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
            .split(separator: "\n")
        XCTAssertEqual(lines.filter { $0.contains("\"event\":\"epoch\"") }.count, 2)
        XCTAssertEqual(lines.filter { $0.contains("\"event\":\"test\"") }.count, 1)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("model.bin").path))
    }

    func testAFolderHoldingARunIsRefusedAndLeftAlone() throws {
        let dir = Paths.temporaryDirectory("refused")
        let metrics = dir.appendingPathComponent("metrics.jsonl")
        try Data("{\"event\":\"test\"}\n".utf8).write(to: metrics)
        XCTAssertThrowsError(try TrainingRun.run(config(out: dir), comm: InProcess.world, console: false)) {
            XCTAssertTrue("\($0)".contains("already holds a run"), "\($0)")
        }
        XCTAssertEqual(try String(contentsOf: metrics, encoding: .utf8), "{\"event\":\"test\"}\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["metrics.jsonl"])
    }
}
