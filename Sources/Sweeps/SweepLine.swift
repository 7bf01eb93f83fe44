// One line of sweep.jsonl, from a finished run's folder: its run.json (status, error,
// seconds) and metrics.jsonl (epochs, and the validation and test splits of the tested
// epoch, copied as the reporter wrote them, so the numbers are the run's own bytes).
import Foundation
import Storage

struct SweepLine {
    /// nil while the run has not finished (no run.json).
    let text: String?

    init(sweep: Sweep, run k: Int) throws {
        let folder = sweep.folder(k)
        guard let record = Self.object(FileManager.default.contents(atPath: "\(folder)/run.json")) else {
            text = nil
            return
        }
        let lines =
            (FileManager.default.contents(atPath: "\(folder)/metrics.jsonl").map { String(decoding: $0, as: UTF8.self) }
            ?? "").split(separator: "\n").map(String.init)
        let epochs = lines.filter { $0.hasPrefix("{\"event\":\"epoch\"") }
        let test = lines.last { $0.hasPrefix("{\"event\":\"test\"") }
        let testedEpoch = Self.object(test.map { Data($0.utf8) })?["epoch"] as? Int
        let val = epochs.last { Self.object(Data($0.utf8))?["epoch"] as? Int == testedEpoch }
        let run = sweep.runs[k]
        let options = run.options.map { "\(JSONText.string($0[0])):\(JSONText.string($0[1]))" }
        let error = (record["error"] as? String).map(JSONText.string) ?? "null"
        text =
            "{\"run\":\(k),\"config\":\(JSONText.string(run.label)),"
            + "\"options\":{\(options.joined(separator: ","))},\"seed\":\(run.seed),"
            + "\"method\":\(JSONText.string(run.config.recipe.methodName)),"
            + "\"status\":\(JSONText.string(record["status"] as? String ?? "failed")),\"error\":\(error),"
            + "\"epochs\":\(epochs.count),\"seconds\":\(JSONText.number(record["seconds"] as? Double)),"
            + "\"val\":\(val.map { Self.split($0, after: "\"val\":") } ?? "null"),"
            + "\"test\":\(test.map { Self.split($0, after: "\"test\":") } ?? "null")}"
    }

    private static func object(_ data: Data?) -> [String: Any]? {
        data.flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
    }

    /// The object after `key` to the line's closing brace (the reporter writes the split last).
    private static func split(_ line: String, after key: String) -> String {
        guard let range = line.range(of: key) else { return "null" }
        return String(line[range.upperBound...].dropLast())
    }
}
