// The BLAS kernels a run uses, as its first line says: dir-dist's own choice from the
// CPU when OpenBLAS guessed a slower family, a forced family, the user's
// OPENBLAS_CORETYPE (which always wins), and the fallback when a chosen family fails
// the sgemm check. Only rank 0 speaks. The tests remove OPENBLAS_CORETYPE from the
// child's environment (`"": removed`), since some machines of this project set it.
import Foundation
import NN
import TestSupport
import XCTest

final class KernelChoiceTests: XCTestCase {
    private func run(_ environment: [String: String], ranks: Int = 1) -> (first: String, stderr: String) {
        let r = MPIRun.run(ranks: ranks, ["--epochs", "1", "--hidden", "8"], timeout: 60, environment: environment)
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.filter { $0.hasPrefix("BLAS: ") }.count, 1, "one line, from rank 0: \(r.stdout)")
        return (lines.first ?? "", r.stderr)
    }

    /// "BLAS: OpenBLAS 0.3.21, NAME kernels (...)" → NAME.
    private func core(_ line: String) -> String {
        String(line.split(separator: ",")[1].split(separator: " ")[0])
    }

    func testAutoChoosesTheBestSupportedFamilyWhenOpenBLASGuessedASlowerOne() {
        let (line, stderr) = run(["OPENBLAS_CORETYPE": ""], ranks: 2)
        XCTAssertTrue(line.hasPrefix("BLAS: OpenBLAS "), line)
        let best = BLASKernels.bestSupported
        if line.contains("(chosen by dir-dist for this CPU; OpenBLAS detected ") {
            let detected = String(line.split(separator: " ").last!.dropLast())
            XCTAssertEqual(core(line), best, line)
            XCTAssertTrue(BLASKernels.isSlower(detected, than: core(line)), line)
        } else {
            XCTAssertTrue(line.hasSuffix("kernels (as detected)"), line)
            XCTAssertFalse(best.map { BLASKernels.isSlower(core(line), than: $0) } ?? false, "a faster family: \(line)")
        }
        XCTAssertFalse(stderr.contains("warning:"), stderr)
    }

    func testAForcedFamilyTheUsersChoiceAndTheFallback() {
        let forced = ["OPENBLAS_CORETYPE": "", "DIR_DIST_BLAS_CORE": "Sandybridge"]
        let chosen = run(forced).first
        XCTAssertEqual(core(chosen), "Sandybridge", chosen)
        let user = run(["OPENBLAS_CORETYPE": "Sandybridge", "DIR_DIST_BLAS_CORE": "Haswell"]).first
        XCTAssertTrue(user.contains("Sandybridge kernels (set by OPENBLAS_CORETYPE)"), user)
        guard chosen.contains("(chosen by dir-dist") else { return }  // Sandybridge was what OpenBLAS detected
        let (line, stderr) = run(forced.merging(["DIR_DIST_TEST_FAULT": "blas-check"]) { $1 }, ranks: 2)
        XCTAssertTrue(line.contains("kernels (as detected: Sandybridge failed a check)"), line)
        XCTAssertNotEqual(core(line), "Sandybridge", line)
        let warnings = stderr.split(separator: "\n").filter { $0.contains("disagreed with a plain sgemm") }
        XCTAssertEqual(warnings.count, 1, "one warning line from rank 0: \(stderr)")
    }

    func testTheLoadedKernelsAgreeWithAPlainLoop() {
        let error = BLASKernels.verificationError()
        XCTAssertLessThan(error, 1e-5, "OpenBLAS \(BLAS.coreName) sgemm vs a double-precision loop: \(error)")
    }
}
