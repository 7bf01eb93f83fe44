// Student's t against SciPy 1.17.1 (`scipy.stats.t.ppf(0.975, df)` and
// `scipy.stats.t.cdf(1.5, df)`, printed with repr; run on 2026-12-02), and the seed
// summaries against intervals computed by hand from those quantiles.
import Analysis
import XCTest

final class StudentTTests: XCTestCase {
    /// df: (t.ppf(0.975, df), t.cdf(1.5, df)) from SciPy 1.17.1.
    let scipy: [(Double, Double, Double)] = [
        (1, 12.706204736174694, 0.8128329581890011), (2, 4.302652729749462, 0.8638034375544994),
        (3, 3.1824463052837078, 0.8847080673775886), (4, 2.7764451051977934, 0.896),
        (5, 2.5705818356363146, 0.9030481598787634), (7, 2.364624251592784, 0.911350756505015),
        (10, 2.228138851986274, 0.9177463367772799), (20, 2.085963447265864, 0.9253821144153738),
        (30, 2.0422724563012378, 0.927967035435677), (100, 1.9839715185235518, 0.9316174709376556),
        (1000, 1.9623390808264083, 0.9330349805889568),
    ]

    func testQuantilesAndCDFMatchSciPy() {
        var worstQuantile = 0.0, worstCDF = 0.0
        for (df, q, c) in scipy {
            worstQuantile = max(worstQuantile, abs(StudentT.quantile(0.975, degreesOfFreedom: df) - q) / q)
            worstCDF = max(worstCDF, abs(StudentT.cdf(1.5, degreesOfFreedom: df) - c))
            XCTAssertEqual(
                StudentT.quantile(0.025, degreesOfFreedom: df), -q, accuracy: 1e-10 * q, "symmetry, df \(df)")
        }
        print("Student t against SciPy: worst quantile rel \(worstQuantile), worst CDF abs \(worstCDF)")
        XCTAssertLessThan(worstQuantile, 1e-10)
        XCTAssertLessThan(worstCDF, 1e-12)
    }

    func testSeedSummaryAndPairedDifference() throws {
        // Three seeds: mean 2, sd 1, half-width t(0.975, 2) · 1/√3.
        let s = SeedSummary([1, 2, 3])
        XCTAssertEqual(s.mean, 2)
        XCTAssertEqual(try XCTUnwrap(s.sd), 1, accuracy: 1e-15)
        let half = 4.302652729749462 / 3.0.squareRoot()
        XCTAssertEqual(try XCTUnwrap(s.interval).lowerBound, 2 - half, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(s.interval).upperBound, 2 + half, accuracy: 1e-9)
        XCTAssertNil(SeedSummary([5]).interval, "one seed: no interval")
        // A nearly constant offset is clear once paired, however much the seeds differ.
        let paired = PairedDifference([1.10, 5.11, 9.12], baseline: [1.0, 5.0, 9.0])
        XCTAssertTrue(paired.excludesZero, "\(paired)")
        XCTAssertFalse(PairedDifference([1, 3, 2], baseline: [2, 2, 2]).excludesZero)
    }
}
