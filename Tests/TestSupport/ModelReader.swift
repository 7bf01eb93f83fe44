// Reads what a `dir-dist train --out DIR` run left behind: the final parameters
// (model.bin) and the JSON lines of metrics.jsonl.
import Foundation

public struct RunOutput {
    public let directory: URL

    public init(_ directory: URL) { self.directory = directory }

    /// The Float32 parameters at the end of model.bin.
    public func parameters() throws -> [Float] {
        let b = [UInt8](try Data(contentsOf: directory.appendingPathComponent("model.bin")))
        let jsonLength = Int(b.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 12, as: UInt32.self) })
        let count = Int(b.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 16 + jsonLength, as: Int64.self) })
        let start = 24 + jsonLength
        return (0..<count).map { i in b.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: start + 4 * i, as: Float.self) } }
    }

    /// Each line of metrics.jsonl as a dictionary.
    public func metrics() throws -> [[String: Any]] {
        let text = try String(contentsOf: directory.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        return try text.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    /// test.all.<key> of the final test event.
    public func testMetric(_ shot: String = "all", _ key: String) throws -> Double? {
        let test = try metrics().last { $0["event"] as? String == "test" }
        let split = test?["test"] as? [String: Any]
        return (split?[shot] as? [String: Any])?[key] as? Double
    }
}
