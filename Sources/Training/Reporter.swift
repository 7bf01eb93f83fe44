// The rank-0 door for every visible effect: console lines, metrics.jsonl,
// test_per_bin.csv and the model file. On other ranks every method does nothing.
import DIR
import Datasets
import Foundation

public final class Reporter {
    private let enabled: Bool
    private let directory: String?
    private var metricsFile: FileHandle?

    /// `directory` must exist and be writable (checked by `prepareOutput`). When
    /// resuming from the end of epoch `resumeEpoch`, metrics.jsonl keeps the epoch
    /// lines up to it (later ones are trained again) and grows from there.
    public init(isRoot: Bool, directory: String?, resumeEpoch: Int? = nil) throws {
        enabled = isRoot
        self.directory = directory
        if isRoot, let directory {
            let path = "\(directory)/metrics.jsonl"
            var kept = Data()
            if let resumeEpoch, let old = FileManager.default.contents(atPath: path) {
                for line in String(decoding: old, as: UTF8.self).split(separator: "\n") {
                    let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                    if object?["event"] as? String == "epoch", let e = object?["epoch"] as? Int, e <= resumeEpoch {
                        kept.append(Data((line + "\n").utf8))
                    }
                }
            }
            guard FileManager.default.createFile(atPath: path, contents: kept),
                  let handle = FileHandle(forWritingAtPath: path) else {
                throw InputError("--out", "cannot write '\(path)'")
            }
            handle.seekToEndOfFile()
            metricsFile = handle
        }
    }

    /// Creates `directory` if needed and checks that it is writable and holds no
    /// earlier run's metrics unless resuming (nothing of the user's is overwritten).
    public static func prepareOutput(_ directory: String, resuming: Bool = false) throws {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: directory, isDirectory: &isDir) {
            if !isDir.boolValue { throw InputError("--out", "'\(directory)' exists and is not a folder") }
            if !resuming && fm.fileExists(atPath: "\(directory)/metrics.jsonl") {
                throw InputError("--out", "'\(directory)' already holds a run (metrics.jsonl); choose a new folder or continue it with --resume auto")
            }
        } else {
            do { try fm.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                throw InputError("--out", "cannot create '\(directory)'")
            }
        }
        let probe = "\(directory)/.dir-dist-write-test"
        guard fm.createFile(atPath: probe, contents: Data("ok".utf8)) else {
            throw InputError("--out", "cannot write into '\(directory)'")
        }
        try? fm.removeItem(atPath: probe)
    }

    public func line(_ text: String) {
        guard enabled else { return }
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    public func epoch(_ e: Int, of total: Int, trainLoss: Double, validation: ShotReport,
                      seconds: Double, samplesPerSecond: Double, fdsSeconds: Double?) {
        guard enabled else { return }
        var text = String(format: "epoch %3d/%d  train_loss %.4f  val_mae %.4f  %.2f s  %.0f samples/s",
                          e + 1, total, trainLoss, validation.all.mae ?? .nan, seconds, samplesPerSecond)
        var fdsField = ""
        if let fdsSeconds {
            text += String(format: "  (fds %.3f s)", fdsSeconds)
            fdsField = ",\"fds_seconds\":\(json(fdsSeconds))"
        }
        line(text)
        writeJSON("{\"event\":\"epoch\",\"epoch\":\(e + 1),\"train_loss\":\(json(trainLoss)),\"seconds\":\(json(seconds)),\"samples_per_s\":\(json(samplesPerSecond))\(fdsField),\"val\":\(json(validation))}")
    }

    public func test(_ report: ShotReport, epoch: Int, binning: Binning, trainCounts: [Double]) {
        guard enabled else { return }
        line("test  " + summary(report.all))
        line("       shot      n      mse      mae    gmean  pearson")
        for (name, m) in [("all", report.all)] + Shot.allCases.map({ ($0.rawValue, report.shots[$0]!) }) {
            let label = String(repeating: " ", count: max(0, 9 - name.count)) + name
            line("  \(label) " + String(format: "%6d", m.count) + " "
                 + [m.mse, m.mae, m.gmean, m.pearson].map(cell).joined(separator: " "))
        }
        writeJSON("{\"event\":\"test\",\"epoch\":\(epoch),\"test\":\(json(report))}")
        if let directory {
            var csv = "bin,lo,hi,train_count,test_count,mae,mse\n"
            for (b, s) in report.perBin.enumerated() {
                let m = s.metrics
                csv += "\(b),\(binning.edge(b)),\(binning.edge(b + 1)),\(Int(trainCounts[b])),\(m.count),"
                csv += "\(m.mae.map { "\($0)" } ?? ""),\(m.mse.map { "\($0)" } ?? "")\n"
            }
            writeTable(csv, to: "\(directory)/test_per_bin.csv")
        }
    }

    /// lds_weights.csv: the per-bin reweighting the run trains with.
    public func labelWeights(_ w: LabelWeights, binning: Binning) {
        guard enabled, let directory else { return }
        var csv = "bin,lo,hi,count,value,smoothed,weight\n"
        for b in 0..<binning.count {
            csv += "\(b),\(binning.edge(b)),\(binning.edge(b + 1)),\(Int(w.counts[b])),\(w.values[b]),\(w.smoothed[b]),\(w.binWeights[b])\n"
        }
        writeTable(csv, to: "\(directory)/lds_weights.csv")
    }

    /// The folder was checked writable at start; a table that still cannot be written
    /// (a full disk) costs that file only, and the user is told which.
    private func writeTable(_ text: String, to path: String) {
        if !FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) {
            FileHandle.standardError.write(Data("warning: could not write \(path)\n".utf8))
        }
    }

    /// One JSON line per epoch: per bin the sample count, the norms of the running
    /// mean and variance, and the cosine similarity of every pair of bins' means and
    /// variances (the data behind the paper's feature-similarity figure).
    public func fdsDump(_ s: FeatureStatistics, epoch: Int, path: String) throws {
        guard enabled else { return }
        let d = s.featureSize
        func row(_ v: [Double], _ b: Int) -> ArraySlice<Double> { v[(b * d)..<((b + 1) * d)] }
        func norm(_ x: ArraySlice<Double>) -> Double { x.reduce(0) { $0 + $1 * $1 }.squareRoot() }
        func cosines(_ v: [Double]) -> String {
            let norms = (0..<s.binCount).map { norm(row(v, $0)) }
            return "[" + (0..<s.binCount).map { a in
                "[" + (0..<s.binCount).map { b in
                    let dot = zip(row(v, a), row(v, b)).reduce(0) { $0 + $1.0 * $1.1 }
                    return json(norms[a] > 0 && norms[b] > 0 ? dot / (norms[a] * norms[b]) : nil)
                }.joined(separator: ",") + "]"
            }.joined(separator: ",") + "]"
        }
        func list(_ v: [Double]) -> String { "[" + v.map { json($0) }.joined(separator: ",") + "]" }
        let object = "{\"epoch\":\(epoch),\"count\":\(list(s.samplesTracked)),"
            + "\"mean_norm\":\(list((0..<s.binCount).map { norm(row(s.runningMean, $0)) })),"
            + "\"var_norm\":\(list((0..<s.binCount).map { norm(row(s.runningVariance, $0)) })),"
            + "\"mean_cosine\":\(cosines(s.runningMean)),\"var_cosine\":\(cosines(s.runningVariance))}\n"
        if epoch == 1 || !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: Data(object.utf8)) else {
                throw InputError("--fds-dump", "cannot write '\(path)'")
            }
        } else if let handle = FileHandle(forWritingAtPath: path) {
            handle.seekToEndOfFile()
            handle.write(Data(object.utf8))
            handle.closeFile()
        }
    }

    public func error(_ text: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    private func summary(_ m: Metrics) -> String {
        String(format: "mse %.4f  mae %.4f  gmean %.4f  pearson %.4f", m.mse ?? .nan, m.mae ?? .nan,
               m.gmean ?? .nan, m.pearson ?? .nan)
    }

    private func cell(_ v: Double?) -> String {
        v.map { String(format: "%8.4f", $0) } ?? "       -"
    }

    private func writeJSON(_ object: String) {
        metricsFile?.write(Data((object + "\n").utf8))
    }

    private func json(_ v: Double?) -> String {
        guard let v, v.isFinite else { return "null" }
        return "\(v)"
    }

    private func json(_ m: Metrics) -> String {
        "{\"n\":\(m.count),\"mse\":\(json(m.mse)),\"l1\":\(json(m.mae)),\"gmean\":\(json(m.gmean)),\"pearson\":\(json(m.pearson))}"
    }

    private func json(_ r: ShotReport) -> String {
        "{\"all\":\(json(r.all))," + Shot.allCases.map { "\"\($0.rawValue)\":\(json(r.shots[$0]!))" }
            .joined(separator: ",") + "}"
    }
}
