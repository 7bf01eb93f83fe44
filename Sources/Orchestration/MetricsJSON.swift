// The JSON of metrics.jsonl and the FDS dump (key order and number format as
// docs/file-formats.md shows them).
import DIR
import Storage

enum MetricsJSON {
    static func metrics(_ m: Metrics) -> String {
        "{\"n\":\(m.count),\"mse\":\(JSONText.number(m.mse)),\"l1\":\(JSONText.number(m.mae)),"
            + "\"gmean\":\(JSONText.number(m.gmean)),\"pearson\":\(JSONText.number(m.pearson))}"
    }

    static func report(_ r: ShotReport) -> String {
        "{\"all\":\(metrics(r.all)),"
            + Shot.allCases.map { "\"\($0.rawValue)\":\(metrics(r.shots[$0]!))" }
            .joined(separator: ",") + "}"
    }
}

/// `--fds-dump`: per bin the sample count, the norms of the running mean and variance,
/// and the cosine similarity of every pair of bins' means and variances (the data
/// behind the paper's feature-similarity figure).
enum FDSDump {
    static func line(_ s: FeatureStatistics, epoch: Int) -> String {
        let d = s.featureSize
        func row(_ v: [Double], _ b: Int) -> ArraySlice<Double> { v[(b * d)..<((b + 1) * d)] }
        func norm(_ x: ArraySlice<Double>) -> Double { x.reduce(0) { $0 + $1 * $1 }.squareRoot() }
        func cosines(_ v: [Double]) -> String {
            let norms = (0..<s.binCount).map { norm(row(v, $0)) }
            return "["
                + (0..<s.binCount).map { a in
                    "["
                        + (0..<s.binCount).map { b in
                            let dot = zip(row(v, a), row(v, b)).reduce(0) { $0 + $1.0 * $1.1 }
                            return JSONText.number(norms[a] > 0 && norms[b] > 0 ? dot / (norms[a] * norms[b]) : nil)
                        }.joined(separator: ",") + "]"
                }.joined(separator: ",") + "]"
        }
        return "{\"epoch\":\(epoch),\"count\":\(JSONText.list(s.samplesTracked)),"
            + "\"mean_norm\":\(JSONText.list((0..<s.binCount).map { norm(row(s.runningMean, $0)) })),"
            + "\"var_norm\":\(JSONText.list((0..<s.binCount).map { norm(row(s.runningVariance, $0)) })),"
            + "\"mean_cosine\":\(cosines(s.runningMean)),\"var_cosine\":\(cosines(s.runningVariance))}\n"
    }
}
