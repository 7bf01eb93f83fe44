// The sentences at the top of the report: the sweep's selection and its paired
// comparison with the baseline (t.ppf(0.975, 2) = 4.302652729749462 for three seeds),
// and which epoch of a run was tested.
import Reports
import XCTest

final class ReportSummaryTests: XCTestCase {
    private let t2 = 4.302652729749462

    /// A sweep.jsonl line of a named configuration: val and test MAE on every shot, few apart.
    private func line(
        _ run: Int, _ config: String, seed: Int, val: Double, fewVal: Double, test: Double, fewTest: Double
    ) -> String {
        func split(_ all: Double, _ few: Double) -> String {
            let m = { (v: Double) in "{\"n\":10,\"mse\":\(v * v),\"l1\":\(v),\"gmean\":\(v / 2),\"pearson\":0.5}" }
            return "{\"all\":\(m(all)),\"many\":\(m(all)),\"median\":\(m(all)),\"few\":\(m(few))}"
        }
        let method = config == "vanilla" ? "mse" : "mse + sqrt_inv + LDS"
        return "{\"run\":\(run),\"config\":\"\(config)\",\"options\":{},\"seed\":\(seed),\"method\":\"\(method)\","
            + "\"status\":\"ok\",\"error\":null,\"epochs\":3,\"seconds\":1.0,\"val\":\(split(val, fewVal)),"
            + "\"test\":\(split(test, fewTest))}"
    }

    private var sweep: [String] {
        [
            line(0, "vanilla", seed: 0, val: 1.00, fewVal: 2.0, test: 1.0, fewTest: 2.0),
            line(1, "vanilla", seed: 1, val: 1.00, fewVal: 2.0, test: 2.0, fewTest: 3.0),
            line(2, "vanilla", seed: 2, val: 1.00, fewVal: 2.0, test: 3.0, fewTest: 4.0),
            // All shots: −0.1, −0.2, −0.3 (the interval includes 0); few: −0.5, −0.6, −0.7.
            line(3, "lds", seed: 0, val: 1.01, fewVal: 1.5, test: 0.9, fewTest: 1.5),
            line(4, "lds", seed: 1, val: 1.01, fewVal: 1.5, test: 1.8, fewTest: 2.4),
            line(5, "lds", seed: 2, val: 1.01, fewVal: 1.5, test: 2.7, fewTest: 3.3),
        ]
    }

    func testTheSweepSentenceNamesTheSelectionAndItsPairedDifference() {
        let s = SweepSummary(sweepLines: sweep, baseline: nil, selectBy: "few")
        XCTAssertEqual(s.configs, ["vanilla", "lds"])
        let half = t2 * 0.1 / 3.0.squareRoot()
        let few = String(format: "0.600 lower [%.3f, %.3f]", 0.6 - half, 0.6 + half)
        let all = String(format: "0.200 lower [%.3f, %.3f]", 0.2 - half, 0.2 + half).replacingOccurrences(
            of: "[-", with: "[\u{2212}")
        XCTAssertEqual(
            ResultText.sweep(s),
            "Selected on validation: lds. Against the baseline vanilla (paired over 3 seeds), its few-shot test MAE is "
                + "\(few) and its all-shot test MAE is \(all) (the 95% interval includes 0: no clear difference).")
    }

    func testTheBaselineChosenOnValidation() {
        let s = SweepSummary(sweepLines: sweep, baseline: nil, selectBy: "all")
        XCTAssertEqual(
            ResultText.sweep(s),
            "Selected on validation: vanilla. It is the baseline itself: no other configuration did better on validation."
        )
        XCTAssertEqual(ResultText.rule(s), "the lowest mean all-shot validation MAE")
        XCTAssertTrue(
            ResultText.rule(SweepSummary(sweepLines: sweep, baseline: nil, selectBy: "few")).contains("within 2%"))
    }

    func testOneSeedHasNoInterval() {
        let s = SweepSummary(sweepLines: [sweep[0], sweep[3]], baseline: nil, selectBy: "few")
        XCTAssertEqual(
            ResultText.sweep(s),
            "Selected on validation: lds. Against the baseline vanilla (paired over 1 seed), its few-shot test MAE is "
                + "0.500 lower (one seed: no interval) and its all-shot test MAE is 0.100 lower (one seed: no interval)."
        )
        XCTAssertEqual(
            ResultText.sweep(SweepSummary(sweepLines: [], baseline: nil, selectBy: "few")),
            "No configuration could be selected: no finished run reported a validation MAE.")
    }

    func testNumbersFollowTheErrorsScale() {
        XCTAssertEqual(ResultText.number(0.81234, scale: 0.8), "0.812")
        XCTAssertEqual(ResultText.number(-0.0123, scale: 0.8), "\u{2212}0.012")
        XCTAssertEqual(ResultText.number(12.345, scale: 12), "12.35")
        XCTAssertEqual(ResultText.number(123.45, scale: 123), "123.5")
    }

    func testTheRunSentenceSaysWhichEpochWasTested() {
        func epoch(_ e: Int, _ loss: Double, _ mae: Double) -> String {
            "{\"event\":\"epoch\",\"epoch\":\(e),\"train_loss\":\(loss),\"seconds\":1,\"samples_per_s\":1,"
                + "\"val\":{\"all\":{\"n\":5,\"mse\":1,\"l1\":\(mae),\"gmean\":1,\"pearson\":null}}}"
        }
        let test = { (e: Int) in
            "{\"event\":\"test\",\"epoch\":\(e),\"test\":{\"all\":{\"n\":40,\"mse\":0.5,\"l1\":0.61,\"gmean\":0.4,"
                + "\"pearson\":0.7},\"few\":{\"n\":0,\"mse\":null,\"l1\":null,\"gmean\":null,\"pearson\":null}}}"
        }
        let epochs = [epoch(1, 2.0, 0.9), epoch(2, 1.5, 0.7), epoch(3, 1.2, 0.75)]
        let last = RunMetrics(text: (epochs + [test(3)]).joined(separator: "\n"))
        XCTAssertEqual(last.epochs.map(\.epoch), [1, 2, 3])
        XCTAssertEqual(last.epochs.map(\.valMAE), [0.9, 0.7, 0.75])
        XCTAssertEqual(last.epochs.map(\.trainLoss), [2.0, 1.5, 1.2])
        XCTAssertEqual(last.testEpoch, 3)
        XCTAssertEqual(last.test["all"]?["l1"], 0.61)
        XCTAssertEqual(last.test["all"]?["n"], 40)
        XCTAssertNil(last.test["few"]?["l1"], "null is no value")
        XCTAssertEqual(ResultText.run(last), "Tested at epoch 3 of 3, the last trained epoch.")
        let best = RunMetrics(text: (epochs + [test(2)]).joined(separator: "\n"))
        XCTAssertEqual(
            ResultText.run(best), "Tested at epoch 2 of 3, the epoch chosen on validation (--select best).")
        XCTAssertEqual(
            ResultText.run(RunMetrics(text: epochs.joined(separator: "\n"))),
            "The run has not been tested yet: 3 epochs trained so far.")
    }
}
