// The sweep statistics against values computed independently: means, sample standard
// deviations and 95% intervals with SciPy 1.17.1's t.ppf(0.975, 2) = 4.302652729749462
// (3 seeds), the paired differences, the vanilla baseline and the validation selection.
import Reports
import XCTest

final class SweepSummaryTests: XCTestCase {
    private let t2 = 4.302652729749462

    /// A sweep.jsonl line whose val and test MAE are `val`/`test` on every shot (few: `few`).
    private func line(_ run: Int, _ options: String, seed: Int, val: Double, test: Double, fewVal: Double) -> String {
        func split(_ all: Double, _ few: Double) -> String {
            let m = { (v: Double) in "{\"n\":10,\"mse\":\(v * v),\"l1\":\(v),\"gmean\":\(v / 2),\"pearson\":0.5}" }
            return "{\"all\":\(m(all)),\"many\":\(m(all)),\"median\":\(m(all)),\"few\":\(m(few))}"
        }
        let method = options.contains("none") ? "mse" : "mse + sqrt_inv + LDS"
        return
            "{\"run\":\(run),\"options\":{\(options)},\"seed\":\(seed),\"method\":\"\(method)\",\"status\":\"ok\",\"error\":null,"
            + "\"epochs\":3,\"seconds\":1.0,\"val\":\(split(val, fewVal)),\"test\":\(split(test, test + 1))}"
    }

    func testMeansIntervalsPairedDifferencesAndSelection() throws {
        let vanilla = "\"reweight\":\"none\",\"lds\":\"no\"", lds = "\"reweight\":\"sqrt_inv\",\"lds\":\"yes\""
        let lines = [
            line(0, vanilla, seed: 0, val: 1.00, test: 1.0, fewVal: 2.0),
            line(1, vanilla, seed: 1, val: 1.00, test: 2.0, fewVal: 2.0),
            line(2, vanilla, seed: 2, val: 1.00, test: 3.0, fewVal: 2.0),
            line(3, lds, seed: 0, val: 1.01, test: 0.9, fewVal: 1.5),
            line(4, lds, seed: 1, val: 1.01, test: 1.8, fewVal: 1.5),
            line(5, lds, seed: 2, val: 1.01, test: 2.7, fewVal: 1.5),
            "{\"run\":6,\"options\":{\(lds)},\"seed\":3,\"status\":\"failed\",\"error\":\"x\",\"val\":null,\"test\":null}",
        ]
        let s = SweepSummary(sweepLines: lines, baseline: nil, selectBy: "few")
        XCTAssertEqual(s.configs, ["reweight=none lds=no", "reweight=sqrt_inv lds=yes"])
        XCTAssertEqual(s.baseline, "reweight=none lds=no", "the configuration without a DIR method")
        XCTAssertEqual(s.selected, "reweight=sqrt_inv lds=yes", "lower few-shot val MAE, all-shot within 2%")
        let rows = s.csv.split(separator: "\n").map(String.init)
        XCTAssertEqual(rows[0], "config,shot,metric,n,mean,sd,ci_low,ci_high,delta_mean,delta_ci_low,delta_ci_high")
        // Vanilla all-shot MAE: 1, 2, 3 → mean 2, sd 1, 2 ± t·1/√3; no difference to itself.
        let vanillaRow = try XCTUnwrap(rows.first { $0.hasPrefix("\"reweight=none lds=no\",all,mae,") })
        let v = vanillaRow.split(separator: ",", omittingEmptySubsequences: false).dropFirst(3).map { Double($0) }
        XCTAssertEqual(v[0], 3)
        XCTAssertEqual(v[1]!, 2, accuracy: 1e-12)
        XCTAssertEqual(v[2]!, 1, accuracy: 1e-12)
        XCTAssertEqual(v[3]!, 2 - t2 / 3.0.squareRoot(), accuracy: 1e-9)
        XCTAssertEqual(v[4]!, 2 + t2 / 3.0.squareRoot(), accuracy: 1e-9)
        XCTAssertNil(v[5], "no paired difference for the baseline itself")
        // LDS: differences −0.1, −0.2, −0.3 → mean −0.2, sd 0.1, interval −0.2 ± t·0.1/√3 (excludes 0).
        let ldsRow = try XCTUnwrap(rows.first { $0.hasPrefix("\"reweight=sqrt_inv lds=yes\",all,mae,") })
        let d = ldsRow.split(separator: ",", omittingEmptySubsequences: false).dropFirst(3).map { Double($0) }
        XCTAssertEqual(d[0], 3, "the failed run is not counted")
        XCTAssertEqual(d[5]!, -0.2, accuracy: 1e-12)
        XCTAssertEqual(d[6]!, -0.2 - t2 * 0.1 / 3.0.squareRoot(), accuracy: 1e-9)
        XCTAssertEqual(d[7]!, -0.2 + t2 * 0.1 / 3.0.squareRoot(), accuracy: 1e-9)
        XCTAssertTrue(s.selectedJSON.contains("\"config\":\"reweight=sqrt_inv lds=yes\""), s.selectedJSON)
        // By all-shot validation MAE alone, vanilla (1.00 < 1.01) is chosen.
        XCTAssertEqual(SweepSummary(sweepLines: lines, baseline: nil, selectBy: "all").selected, "reweight=none lds=no")
    }
}
