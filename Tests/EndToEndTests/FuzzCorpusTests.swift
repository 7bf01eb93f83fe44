// The fuzz targets' seed corpus (Tests/FuzzCorpus), replayed through the same reader code
// in a normal build: every seed reads without a crash. The fuzzing itself, with
// libFuzzer and AddressSanitizer, is benchmarks/fuzz.sh (bounded in CI).
import Foundation
import TestSupport
import XCTest

final class FuzzCorpusTests: XCTestCase {
    func testEverySeedReplaysThroughItsReader() throws {
        let corpus = Paths.packageRoot.appendingPathComponent("Tests/FuzzCorpus")
        for reader in ["csv", "npy", "checkpoint", "model", "options"] {
            let folder = corpus.appendingPathComponent(reader)
            let seeds = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().map {
                folder.appendingPathComponent($0).path
            }
            XCTAssertFalse(seeds.isEmpty, "\(reader): no seeds")
            // The option checks are a target of their own (dir-dist-fuzz-options).
            let binary = reader == "options" ? "dir-dist-fuzz-options" : "dir-dist-fuzz"
            let r = Subprocess.run(Paths.binary(binary), seeds, timeout: 60, environment: ["DIR_DIST_FUZZ": reader])
            XCTAssertEqual(r.status, 0, "\(reader): \(r.stderr)")
            XCTAssertTrue(r.stdout.contains("\(reader): \(seeds.count) inputs replayed"), "\(reader): \(r.stdout)")
        }
        let bad = Subprocess.run(Paths.binary("dir-dist-fuzz"), [], environment: ["DIR_DIST_FUZZ": "nope"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.hasPrefix("error: DIR_DIST_FUZZ: 'nope' is not one of"), bad.stderr)
    }
}
