// The rank-0 door for every visible effect of a run: console lines, warnings and
// errors, metrics.jsonl, test_per_bin.csv, lds_weights.csv, the FDS dump and the
// model file. On other ranks every method does nothing.
import Checkpoints
import DIR
import Datasets
import Foundation
import Settings
import Storage

public final class Reporter {
    private let enabled: Bool
    private let directory: String?
    private let spelling: @Sendable (Setting) -> String
    private var metricsPath: String?
    /// Console lines on (a run inside a sweep writes its files but keeps quiet).
    public var console = true

    /// `directory` is checked and created by `prepareOutput` before anything is written.
    /// `spelling` names settings in messages as the user gave them (the CLI's option names).
    public init(isRoot: Bool, directory: String?, spelling: @escaping @Sendable (Setting) -> String = { $0.rawValue }) {
        enabled = isRoot
        self.directory = directory
        self.spelling = spelling
    }

    /// Creates `directory` if needed and checks that it is writable and holds no
    /// earlier run's metrics unless resuming (nothing of the user's is overwritten).
    public static func prepareOutput(_ directory: String, resuming: Bool = false) throws {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: directory, isDirectory: &isDir) {
            if !isDir.boolValue { throw SettingError(.outputDirectory, "'\(directory)' exists and is not a folder") }
            if !resuming && fm.fileExists(atPath: "\(directory)/metrics.jsonl") {
                throw SettingError(
                    .outputDirectory,
                    "'\(directory)' already holds a run (metrics.jsonl); choose a new folder or continue it with "
                        + "\(.resume) auto"
                )
            }
        } else {
            do { try fm.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                throw SettingError(.outputDirectory, "cannot create '\(directory)'")
            }
        }
        let probe = "\(directory)/.dir-dist-write-test"
        guard fm.createFile(atPath: probe, contents: Data("ok".utf8)) else {
            throw SettingError(.outputDirectory, "cannot write into '\(directory)'")
        }
        try? fm.removeItem(atPath: probe)
    }

    /// Starts metrics.jsonl. When resuming from the end of epoch `resumeEpoch`, it keeps
    /// the epoch lines up to it (later ones are trained again) and grows from there.
    public func openMetrics(resumeEpoch: Int?) throws {
        guard enabled, let directory else { return }
        let path = "\(directory)/metrics.jsonl"
        var kept = ""
        if let resumeEpoch, let old = FileManager.default.contents(atPath: path) {
            for line in String(decoding: old, as: UTF8.self).split(separator: "\n") {
                let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                if object?["event"] as? String == "epoch", let e = object?["epoch"] as? Int, e <= resumeEpoch {
                    kept += line + "\n"
                }
            }
        }
        do { try ResultFile.writeAtomically(Array(kept.utf8), to: path) } catch {
            throw SettingError(.outputDirectory, "cannot write '\(path)'")
        }
        metricsPath = path
    }

    /// `split.csv`: each row of a table dir-dist split, and the split it went to.
    public func rowSplits(_ splits: [UInt8]) throws {
        guard enabled, let directory else { return }
        let names = ["train", "validation", "test"]
        let text = "row,split\n" + splits.enumerated().map { "\($0.offset),\(names[Int($0.element)])\n" }.joined()
        let path = "\(directory)/split.csv"
        do { try ResultFile.writeAtomically(Array(text.utf8), to: path) } catch {
            throw SettingError(.outputDirectory, "cannot write '\(path)'")
        }
    }

    public func line(_ text: String) {
        guard enabled && console else { return }
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// A line that names settings, spelled as the user gave them.
    public func note(_ text: SettingText) {
        line(text.rendered(spelling))
    }

    public func warning(_ text: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data(("warning: " + text + "\n").utf8))
    }

    /// One `error: ` line that names settings as the user gave them.
    public func error(_ text: SettingText) {
        guard enabled else { return }
        FileHandle.standardError.write(Data(("error: " + text.rendered(spelling) + "\n").utf8))
    }

    public func epoch(
        _ e: Int, of total: Int, trainLoss: Double, validation: ShotReport,
        seconds: Double, samplesPerSecond: Double, fdsSeconds: Double?
    ) {
        guard enabled else { return }
        var text = String(
            format: "epoch %3d/%d  train_loss %.4f  val_mae %.4f  %.2f s  %.0f samples/s",
            e + 1, total, trainLoss, validation.all.mae ?? .nan, seconds, samplesPerSecond)
        var fdsField = ""
        if let fdsSeconds {
            text += String(format: "  (fds %.3f s)", fdsSeconds)
            fdsField = ",\"fds_seconds\":\(JSONText.number(fdsSeconds))"
        }
        line(text)
        writeMetrics(
            "{\"event\":\"epoch\",\"epoch\":\(e + 1),\"train_loss\":\(JSONText.number(trainLoss)),"
                + "\"seconds\":\(JSONText.number(seconds)),\"samples_per_s\":\(JSONText.number(samplesPerSecond))"
                + "\(fdsField),\"val\":\(MetricsJSON.report(validation))}")
    }

    public func test(_ report: ShotReport, epoch: Int, binning: Binning, trainCounts: [Double]) {
        guard enabled else { return }
        line("test  " + summary(report.all))
        line("       shot      n      mse      mae    gmean  pearson")
        for (name, m) in [("all", report.all)] + Shot.allCases.map({ ($0.rawValue, report.shots[$0]!) }) {
            let label = String(repeating: " ", count: max(0, 9 - name.count)) + name
            line(
                "  \(label) " + String(format: "%6d", m.count) + " "
                    + [m.mse, m.mae, m.gmean, m.pearson].map(cell).joined(separator: " "))
        }
        writeMetrics("{\"event\":\"test\",\"epoch\":\(epoch),\"test\":\(MetricsJSON.report(report))}")
        guard let directory else { return }
        var csv = "bin,lo,hi,train_count,test_count,mae,mse\n"
        for (b, s) in report.perBin.enumerated() {
            let m = s.metrics
            csv += "\(b),\(binning.edge(b)),\(binning.edge(b + 1)),\(Int(trainCounts[b])),\(m.count),"
            csv += "\(m.mae.map { "\($0)" } ?? ""),\(m.mse.map { "\($0)" } ?? "")\n"
        }
        writeTable(csv, to: "\(directory)/test_per_bin.csv")
    }

    /// lds_weights.csv: the per-bin reweighting the run trains with.
    public func labelWeights(_ w: LabelWeights, binning: Binning) {
        guard enabled, let directory else { return }
        writeTable(w.table(binning), to: "\(directory)/lds_weights.csv")
    }

    /// One JSON line per epoch into `path` (a new file at epoch 1): the FDS statistics summary.
    public func fdsDump(_ s: FeatureStatistics, epoch: Int, path: String) throws {
        guard enabled else { return }
        if epoch == 1 { try? FileManager.default.removeItem(atPath: path) }
        do { try ResultFile.append(FDSDump.line(s, epoch: epoch), to: path) } catch {
            throw SettingError(.fdsDump, "cannot write '\(path)'")
        }
    }

    /// model.bin in the output folder, replaced atomically.
    public func model(_ description: ModelDescription, parameters: [Float], featureStatistics: FeatureStatistics?)
        throws
    {
        guard enabled, let directory else { return }
        try ModelFile.write(
            path: "\(directory)/model.bin", description: description, parameters: parameters,
            featureStatistics: featureStatistics)
    }

    /// The folder was checked writable at start; a table that still cannot be written
    /// (a full disk) costs that file only, and the user is told which.
    private func writeTable(_ text: String, to path: String) {
        do { try ResultFile.writeAtomically(Array(text.utf8), to: path) } catch { warning("could not write \(path)") }
    }

    private func writeMetrics(_ object: String) {
        guard let metricsPath else { return }
        do { try ResultFile.append(object + "\n", to: metricsPath) } catch {
            warning("could not append to \(metricsPath)")
        }
    }

    private func summary(_ m: Metrics) -> String {
        String(
            format: "mse %.4f  mae %.4f  gmean %.4f  pearson %.4f", m.mse ?? .nan, m.mae ?? .nan,
            m.gmean ?? .nan, m.pearson ?? .nan)
    }

    private func cell(_ v: Double?) -> String {
        v.map { String(format: "%8.4f", $0) } ?? "       -"
    }
}
